/**
 * Worker thread entry of {@link TarBuilders}: builds tar batches straight into slots of the
 * payload sink's shared memory, so the bytes are never copied between threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildNamedBatch, statNamedBatch } from './named-batch.js';
import { toWorkerError } from '../workers/worker-error.js';
import type { TarBuilderRequest, TarBuilderResponse } from './tar-builders.js';

const port = parentPort!;
const { shared, slotSize } = workerData as { shared: SharedArrayBuffer | null; slotSize: number };

port.on('message', (m: TarBuilderRequest) => {
  let reply: TarBuilderResponse;
  try {
    reply = { id: m.id, ok: true, result: m.kind === 'stat' ? statNamedBatch(m.segments) : buildNamedBatch(m.batch, Buffer.from(shared!, m.slot * slotSize, slotSize)) };
  } catch (e) {
    reply = { id: m.id, ok: false, error: toWorkerError(e) };
  }
  port.postMessage(reply);
});
