/**
 * Worker thread entry of the three-stage seal pipeline's last stage: takes the encryption
 * worker's filled cipher-ring slots in order, hashes and writes the parts (PartFileWriter),
 * frees each slot, and reports finished parts, each stream's end, or the first error to the
 * main thread. Streams (the members of a sealed set) follow each other: 'begin' names the
 * drive folder of the next, 'finish' ends the current one.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PartFileWriter } from './payload-writer.js';
import { toWorkerError } from '../workers/worker-error.js';
import { abortRing, releaseSlot, slotBytes, type CipherEvent, type CipherRing } from './cipher-ring.js';

const port = parentPort!;
const { ring, encryptorPort } = workerData as { ring: CipherRing; encryptorPort: MessagePort };
let failed = false;
let writer: PartFileWriter | null = null;

function fail(e: unknown): void {
  failed = true;
  writer?.abort();
  port.postMessage({ type: 'error', error: toWorkerError(e) });
  abortRing(ring);
}

type Message = { type: 'begin'; driveDir: string } | { type: 'slot'; slot: number; events: CipherEvent[] } | { type: 'finish' };

encryptorPort.on('message', (m: Message) => {
  if (failed) return;
  try {
    if (m.type === 'begin') {
      writer = new PartFileWriter(m.driveDir, (part) => port.postMessage({ type: 'part', part }));
      return;
    }
    if (m.type === 'finish') {
      writer = null;
      port.postMessage({ type: 'done' });
      return;
    }
    const bytes = slotBytes(ring, m.slot);
    for (const ev of m.events) {
      if (ev.t === 'open') writer!.openPart(ev.part);
      else if (ev.t === 'data') writer!.data(bytes.subarray(ev.at, ev.at + ev.length));
      else writer!.closePart(ev.part, ev.plaintextSize);
    }
    releaseSlot(ring);
  } catch (e) {
    fail(e);
  }
});

port.on('message', (m: { type: 'abort' }) => {
  if (m.type === 'abort') {
    writer?.abort();
    abortRing(ring);
  }
});
