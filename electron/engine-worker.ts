/**
 * Entry point of the engine worker thread: serves engine calls from the host over the
 * worker's message port. `workerData.engineUrl` may name another engine module (tests).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeRoots, EngineDispatcher, toErrorDto } from './engine-dispatcher.js';
import type { PinnedRoots } from './engine-port.js';
import type { HostMessage, WorkerMessage } from './engine-protocol.js';
import { loadEngine, type EnginePort } from './engine-port.js';

/** Serves engine calls on `port` until it closes. */
export function serveEngine(port: NonNullable<typeof parentPort>, engine: () => Promise<EnginePort>, pinnedRoots: PinnedRoots = []): void {
  const send = (m: WorkerMessage) => port.postMessage(m);
  const dispatcher = new EngineDispatcher(engine, (jobId, progress) => send({ kind: 'progress', jobId, progress }), pinnedRoots);
  port.on('message', (m: HostMessage) => {
    if (m.kind === 'cancel') { dispatcher.cancel(m.jobId); return; }
    if (m.kind === 'close') { dispatcher.closeAll(); send({ kind: 'closed' }); return; }
    dispatcher.run(m.call).then(
      (value) => send({ kind: 'result', callId: m.callId, value }),
      (e: unknown) => send({ kind: 'error', callId: m.callId, error: toErrorDto(e) }),
    );
  });
}

if (parentPort) {
  const data = (workerData ?? {}) as { engineUrl?: string; pinnedRoots?: string[] };
  let loaded: Promise<EnginePort> | null = null;
  serveEngine(parentPort, () => (loaded ??= data.engineUrl ? loadEngine(data.engineUrl) : loadEngine()), decodeRoots(data.pinnedRoots ?? []));
}
