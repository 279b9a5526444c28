/** Worker thread entry: runs a PayloadWriter fed by {@link createWorkerSink} through shared-memory slots. */
import { parentPort, workerData } from 'node:worker_threads';
import { PayloadWriter, type PayloadWriterConfig } from './payload-writer.js';
import { toSinkError } from './payload-sink.js';

const port = parentPort!;
const { cfg, shared, slotSize } = workerData as { cfg: PayloadWriterConfig; shared: SharedArrayBuffer; slotSize: number };
let failed = false;
let writer: PayloadWriter | null = null;
try {
  writer = new PayloadWriter(cfg, (part) => port.postMessage({ type: 'part', part }));
} catch (e) {
  failed = true;
  port.postMessage({ type: 'error', error: toSinkError(e) });
}

port.on('message', (m: { type: 'data'; slot: number; length: number } | { type: 'finish' } | { type: 'abort' }) => {
  if (failed || writer === null) return;
  try {
    if (m.type === 'data') {
      writer.write(new Uint8Array(shared, m.slot * slotSize, m.length));
      port.postMessage({ type: 'release', slot: m.slot });
    } else if (m.type === 'finish') {
      writer.finish();
      port.postMessage({ type: 'done' });
    } else {
      writer.abort();
    }
  } catch (e) {
    failed = true;
    writer.abort();
    port.postMessage({ type: 'error', error: toSinkError(e) });
  }
});
