/**
 * serveEngine, the engine's side of the protocol (the same in a utility process and a worker
 * thread), over an in-memory endpoint with a stand-in engine.
 */
import { describe, expect, it } from 'vitest';
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
});
