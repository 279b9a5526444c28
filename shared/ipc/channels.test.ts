import { describe, expect, it } from 'vitest';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from './channel-names.js';
import { eventChannels, invokeChannels } from './channels.js';
import { buildScelleApi } from './api.js';
import { ipcOk, ipcResultSchema } from './envelope.js';
import { isAcceptableCustodyUrl, settingsSchema } from './schemas.js';

describe('IPC contract', () => {
  it('lists the same channels in the zod-free name list and the schema table', () => {
    expect([...INVOKE_CHANNEL_NAMES].sort()).toEqual(Object.keys(invokeChannels).sort());
    expect([...EVENT_CHANNEL_NAMES].sort()).toEqual(Object.keys(eventChannels).sort());
  });

  it('names every channel namespace.method', () => {
    for (const name of INVOKE_CHANNEL_NAMES) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it('rejects unknown keys in requests (strict objects)', () => {
    expect(invokeChannels['engine.unlock'].request.safeParse({ driveDir: '/media/x/SCELLE-ab12', code: 'X', extra: 1 }).success).toBe(false);
    expect(invokeChannels['drives.list'].request.safeParse({}).success).toBe(true);
  });

  it('bounds the browser channels: pages of at most 1000, searches of 1..200 characters, restores of at most 10,000 paths', () => {
    const sessionId = 's_0123456789abcdefghij';
    const browse = invokeChannels['engine.browse'].request;
    expect(browse.safeParse({ sessionId, folder: '' }).success).toBe(true);
    expect(browse.safeParse({ sessionId, folder: 'Dossier/factures', start: 1000, limit: 1000 }).success).toBe(true);
    expect(browse.safeParse({ sessionId, folder: '', limit: 1001 }).success).toBe(false);
    expect(browse.safeParse({ sessionId, folder: '', limit: 0 }).success).toBe(false);
    expect(browse.safeParse({ sessionId, folder: '', start: -1 }).success).toBe(false);
    expect(browse.safeParse({ sessionId, folder: 'a\0b' }).success).toBe(false);
    expect(browse.safeParse({ sessionId }).success).toBe(false);
    const search = invokeChannels['engine.search'].request;
    expect(search.safeParse({ sessionId, query: 'facture' }).success).toBe(true);
    expect(search.safeParse({ sessionId, query: '' }).success).toBe(false);
    expect(search.safeParse({ sessionId, query: 'x'.repeat(201) }).success).toBe(false);
    expect(search.safeParse({ sessionId, query: 'x', limit: 5000 }).success).toBe(false);
    const open = invokeChannels['engine.open'].request;
    const base = { jobId: 'job-00000001', sessionId, dest: '/tmp/x' };
    expect(open.safeParse(base).success).toBe(true);
    expect(open.safeParse({ ...base, paths: ['Dossier'] }).success).toBe(true);
    expect(open.safeParse({ ...base, paths: [] }).success).toBe(false);
    expect(open.safeParse({ ...base, paths: Array.from({ length: 10_000 }, (_, i) => `f${i}`) }).success).toBe(true);
    expect(open.safeParse({ ...base, paths: Array.from({ length: 10_001 }, (_, i) => `f${i}`) }).success).toBe(false);
    const answer = invokeChannels['engine.browse'].response;
    expect(
      answer.safeParse({ entries: [{ path: 'a', type: 'directory', size: 0, mtime: 1, entries: 2, files: 1, bytes: 5 }], more: false, totals: { entries: 3, files: 1, bytes: 5 } })
        .success,
    ).toBe(true);
  });

  it('has no field that could carry key bytes in any response', () => {
    const text = JSON.stringify(Object.values(invokeChannels).map((c) => Object.keys((c.response as unknown as { shape?: object }).shape ?? {})));
    expect(text).not.toMatch(/dataKey|secretKey|privateKey/i);
  });

  it('builds a namespaced API over a transport', async () => {
    const calls: [string, unknown][] = [];
    const api = buildScelleApi(
      async (channel, request) => {
        calls.push([channel, request]);
        return ipcOk({ drives: [] });
      },
      () => () => {},
    );
    const answer = await api.drives.list({});
    expect(answer).toEqual({ ok: true, value: { drives: [] } });
    expect(calls).toEqual([['drives.list', {}]]);
    expect(typeof api.engine.seal).toBe('function');
    expect(() => api.events.on('nope' as 'job.progress', () => {})).toThrow(TypeError);
  });

  it('checks envelopes', () => {
    const s = ipcResultSchema(settingsSchema);
    expect(s.safeParse({ ok: false, error: { code: 'E_USAGE', message: 'x', details: {} } }).success).toBe(true);
    expect(s.safeParse({ ok: false, error: { code: 'E_NOPE', message: 'x', details: {} } }).success).toBe(false);
  });

  it('accepts https custody URLs and http only on loopback', () => {
    expect(isAcceptableCustodyUrl('https://custody.example.ca')).toBe(true);
    expect(isAcceptableCustodyUrl('http://127.0.0.1:8080')).toBe(true);
    expect(isAcceptableCustodyUrl('http://custody.example.ca')).toBe(false);
    expect(isAcceptableCustodyUrl('https://u:p@custody.example.ca')).toBe(false);
    expect(isAcceptableCustodyUrl('javascript:alert(1)')).toBe(false);
  });
});
