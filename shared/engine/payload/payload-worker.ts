/**
 * Worker thread entry of the payload sinks, fed through shared-memory slots by the sealing
 * loop. Mode 'write': encrypts, hashes and writes (PayloadWriter). Mode 'encrypt': encrypts
 * only, into a cipher ring read by the part writer worker (three-stage pipeline).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PartEncryptor, PayloadWriter, type PayloadWriterConfig } from './payload-writer.js';
import { toWorkerError } from '../workers/worker-error.js';
import { abortRing, RingAborted, RingCipherOutput, type CipherEvent, type CipherRing } from './cipher-ring.js';

interface Init {
  cfg: PayloadWriterConfig;
  shared: SharedArrayBuffer;
  slotSize: number;
  /** Present in mode 'encrypt': the ring and the port to the part writer. */
  ring?: CipherRing;
  writerPort?: MessagePort;
}

const port = parentPort!;
const { cfg, shared, slotSize, ring, writerPort } = workerData as Init;
let failed = false;

interface Stage {
  write(chunk: Uint8Array): void;
  finish(): void;
  abort(): void;
}

function makeStage(): Stage {
  if (!ring || !writerPort) {
    return new PayloadWriter(cfg, (part) => port.postMessage({ type: 'part', part }));
  }
  const out = new RingCipherOutput(ring, (slot: number, events: CipherEvent[]) => writerPort.postMessage({ type: 'slot', slot, events }));
  const encryptor = new PartEncryptor(cfg, out);
  return {
    write(chunk) {
      encryptor.write(chunk);
      out.flush();
    },
    finish() {
      encryptor.finish();
      out.flush();
      writerPort.postMessage({ type: 'finish' });
    },
    abort() {
      abortRing(ring);
    },
  };
}

let stage: Stage | null = null;
try {
  stage = makeStage();
} catch (e) {
  failed = true;
  port.postMessage({ type: 'error', error: toWorkerError(e) });
}

port.on('message', (m: { type: 'data'; slot: number; length: number } | { type: 'finish' } | { type: 'abort' }) => {
  if (failed || stage === null) return;
  try {
    if (m.type === 'data') {
      stage.write(new Uint8Array(shared, m.slot * slotSize, m.length));
      port.postMessage({ type: 'release', slot: m.slot });
    } else if (m.type === 'finish') {
      stage.finish();
      if (!ring) port.postMessage({ type: 'done' });
    } else {
      stage.abort();
    }
  } catch (e) {
    failed = true;
    if (e instanceof RingAborted) return; // the part writer (or the main thread) reports why
    stage.abort();
    port.postMessage({ type: 'error', error: toWorkerError(e) });
  }
});
