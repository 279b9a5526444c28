/** Worker thread entry: runs a PayloadWriter fed by {@link createWorkerSink}. */
import { parentPort, workerData } from 'node:worker_threads';
import { PayloadWriter, type PayloadWriterConfig } from './payload-writer.js';
import { toSinkError } from './payload-sink.js';

const port = parentPort!;
let failed = false;
const writer = new PayloadWriter(workerData as PayloadWriterConfig, (part) => port.postMessage({ type: 'part', part }));

port.on('message', (m: { type: 'data'; buffer: ArrayBuffer; length: number } | { type: 'finish' } | { type: 'abort' }) => {
  if (failed) return;
  try {
    if (m.type === 'data') {
      writer.write(new Uint8Array(m.buffer, 0, m.length));
      port.postMessage({ type: 'release', buffer: m.buffer }, [m.buffer]);
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
