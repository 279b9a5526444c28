/**
 * Worker thread entry: reads and decrypts payload segments in the order the main thread
 * planned, ahead of it, and hands each one back (authenticated) as transferred slices.
 * At most `window` segments are ahead: the main thread returns a credit per consumed one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PayloadReader, type PayloadDescription } from './payload-reader.js';
import { toWorkerError } from '../workers/worker-error.js';

interface Init {
  description: PayloadDescription;
  plan: number[];
  window: number;
}

const port = parentPort!;
const { description, plan, window } = workerData as Init;
const reader = new PayloadReader(description);
let next = 0;
let credits = window;
let stopped = false;

function pump(): void {
  while (!stopped && credits > 0 && next < plan.length) {
    const start = plan[next]!;
    next++;
    credits--;
    try {
      const seg = reader.segmentContaining(start);
      const buffers = seg.slices.map((s) =>
        s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? s.buffer : s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength),
      ) as ArrayBuffer[];
      port.postMessage({ type: 'segment', start: seg.start, length: seg.length, buffers }, buffers);
      reader.forget();
    } catch (e) {
      stopped = true;
      port.postMessage({ type: 'error', start, error: toWorkerError(e) });
    }
  }
}

port.on('message', (m: { type: 'credit' } | { type: 'stop' }) => {
  if (m.type === 'stop') {
    stopped = true;
    reader.close();
    port.close();
    return;
  }
  credits++;
  pump();
});
pump();
