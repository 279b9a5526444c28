/**
 * serveEngine, the engine's side of the protocol (the same in a utility process and a worker
 * thread), over an in-memory endpoint with a stand-in engine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SealOptions } from '../../shared/engine/api.js';
import { loadOrCreateStation } from '../station.js';
import type { EnginePort } from './engine-port.js';
import type { HostMessage, WorkerMessage } from './engine-protocol.js';
import { serveEngine } from './engine-worker.js';

function endpoint() {
  const out: WorkerMessage[] = [];
  let deliver: (m: HostMessage) => void = () => undefined;
  return {
    out,
    send: (m: HostMessage) => deliver(m),
    endpoint: {
      post: (m: WorkerMessage) => out.push(m),
      onMessage: (l: (m: HostMessage) => void) => {
        deliver = l;
      },
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('serveEngine', () => {
  it('refuses calls before init, loads the engine named by init once, and ignores a second init', async () => {
    const e = endpoint();
    const loads: (string | undefined)[] = [];
    const roots: unknown[] = [];
    const engine = {
      inspect: (_dir: string, pinned: readonly Uint8Array[]) => {
        roots.push(pinned.length);
        return { driveId: 'X' };
      },
    } as unknown as EnginePort;
    serveEngine(e.endpoint, async (url) => {
      loads.push(url);
      return engine;
    });
    e.send({ kind: 'call', callId: 1, call: { op: 'inspect', args: { driveDir: '/d' } } });
    e.send({ kind: 'close' });
    await settle();
    expect(e.out).toEqual([{ kind: 'error', callId: 1, error: { code: 'E_INTERNAL', message: 'the engine was not started', details: {} } }, { kind: 'closed' }]);
    expect(loads).toEqual([]);
    e.send({ kind: 'init', pinnedRoots: [Buffer.alloc(32, 1).toString('base64')], engineUrl: 'file:///engine.js' });
    e.send({ kind: 'init', pinnedRoots: [], engineUrl: 'file:///other.js' });
    e.send({ kind: 'call', callId: 2, call: { op: 'inspect', args: { driveDir: '/d' } } });
    e.send({ kind: 'call', callId: 3, call: { op: 'inspect', args: { driveDir: '/d' } } });
    await settle();
    expect(e.out.slice(2)).toEqual([
      { kind: 'result', callId: 2, value: { driveId: 'X' } },
      { kind: 'result', callId: 3, value: { driveId: 'X' } },
    ]);
    expect(loads).toEqual(['file:///engine.js']);
    expect(roots).toEqual([1, 1]);
  });

  it('answers errors as plain data without the text of unexpected ones', async () => {
    const e = endpoint();
    const engine = {
      inspect: () => {
        throw new Error('/home/client/secret-path exploded');
      },
    } as unknown as EnginePort;
    serveEngine(e.endpoint, async () => engine);
    e.send({ kind: 'init', pinnedRoots: [] });
    e.send({ kind: 'call', callId: 7, call: { op: 'inspect', args: { driveDir: '/d' } } });
    await settle();
    expect(e.out).toEqual([{ kind: 'error', callId: 7, error: { code: 'E_INTERNAL', message: 'an unexpected error occurred in the engine', details: {} } }]);
  });

  it("carries a set seal's question for the next drive to the host and its answer back; an error answer stops the seal with its code", async () => {
    const stationKeyFile = join(mkdtempSync(join(tmpdir(), 'scelle-serve-')), 'station.json');
    await loadOrCreateStation(stationKeyFile, 'station-serve');
    const engine = {
      seal: async (opts: SealOptions) => {
        const set = opts.set!;
        set.onMemberStarted?.({ setId: 'SET1', position: 1, members: 2, driveId: 'D1', target: opts.target });
        const request = { setId: 'SET1', position: 2, members: 2, driveId: 'D2', bytesNeeded: 1000 };
        let target = await set.nextTarget!({ ...request, refused: null });
        if (target === '/full') target = await set.nextTarget!({ ...request, refused: { code: 'E_TARGET_TOO_SMALL', message: 'full', details: { needed: 1000, free: 10 } } });
        return {
          driveId: 'D1',
          driveDir: `${opts.target}/SCELLE-D1`,
          manifestSha256: 'x',
          files: 1,
          bytes: 1,
          parts: 2,
          resumed: false,
          customerPublicKey: 'k',
          set: { id: 'SET1', members: [], unusedTargets: [target] },
        };
      },
    } as unknown as EnginePort;
    const seal = (jobId: string) => ({
      kind: 'call' as const,
      callId: 1,
      call: { op: 'seal' as const, jobId, args: { sources: ['/s'], target: '/one', unlockCode: true, x25519: [], stationKeyFile, set: { more: [], waitForDrives: true } } },
    });
    const e = endpoint();
    serveEngine(e.endpoint, async () => engine);
    e.send({ kind: 'init', pinnedRoots: [] });
    e.send(seal('job-serve-1'));
    await settle();
    expect(e.out).toEqual([
      { kind: 'set', jobId: 'job-serve-1', event: { type: 'started', member: { setId: 'SET1', position: 1, members: 2, driveId: 'D1', target: '/one' } } },
      { kind: 'set', jobId: 'job-serve-1', event: { type: 'next', request: expect.objectContaining({ position: 2, refused: null }) } },
    ]);
    e.send({ kind: 'nextTarget', jobId: 'job-serve-1', target: '/full' });
    await settle();
    expect(e.out[2]).toEqual({
      kind: 'set',
      jobId: 'job-serve-1',
      event: { type: 'next', request: expect.objectContaining({ refused: expect.objectContaining({ code: 'E_TARGET_TOO_SMALL' }) }) },
    });
    e.send({ kind: 'nextTarget', jobId: 'job-serve-1', target: '/two' });
    await settle();
    expect(e.out[3]).toMatchObject({ kind: 'result', callId: 1, value: { set: { unusedTargets: ['/two'] } } });

    const f = endpoint();
    serveEngine(f.endpoint, async () => engine);
    f.send({ kind: 'init', pinnedRoots: [] });
    f.send(seal('job-serve-2'));
    await settle();
    f.send({ kind: 'nextTarget', jobId: 'job-serve-2', error: { code: 'E_CANCELLED', message: 'no drive', details: {} } });
    await settle();
    expect(f.out.at(-1)).toMatchObject({ kind: 'error', callId: 1, error: { code: 'E_CANCELLED' } });
  });
});
