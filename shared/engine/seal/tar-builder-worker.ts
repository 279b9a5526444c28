/**
 * Worker thread entry of {@link TarBuilders}: builds tar batches straight into slots of the
 * payload sink's shared memory, so the bytes are never copied between threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildNamedBatch, statNamedBatch, type NamedBatchResult, type StatBatchResult } from './named-batch.js';
import { toWorkerError } from '../workers/worker-error.js';
import { segmentBuffers, type TarBuilderRequest, type TarBuilderResponse } from './tar-builders.js';
import { freeBuffers } from '../../format/free-buffers.js';

const port = parentPort!;
/** The payload sink's slots: given at the start, or later when the count's builders go on to build (TarBuilders.useSlots). */
let { shared, slotSize } = workerData as { shared: SharedArrayBuffer | null; slotSize: number };

/** The result's arrays, made fresh for each batch: they move to the sealing loop instead of being copied. */
function resultBuffers(r: NamedBatchResult | StatBatchResult): ArrayBuffer[] {
  const arrays = 'lines' in r ? [r.lines, r.fingerprint] : [r.tarBytes, r.fingerprint];
  return arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0);
}

port.on('message', (m: TarBuilderRequest) => {
  if (m.kind === 'slots') {
    ({ shared, slotSize } = m);
    return;
  }
  let reply: TarBuilderResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = m.kind === 'stat' ? statNamedBatch(m.segments) : buildNamedBatch(m.batch, Buffer.from(shared!, m.slot * slotSize, slotSize));
    reply = { id: m.id, ok: true, result };
    transfer = resultBuffers(result);
  } catch (e) {
    reply = { id: m.id, ok: false, error: toWorkerError(e) };
  }
  // The request's arrays came here whole (TarBuilders.post): their memory is freed now, not at this thread's next full collection.
  freeBuffers(segmentBuffers(m.kind === 'stat' ? m.segments : m.batch.segments));
  port.postMessage(reply, transfer);
});
