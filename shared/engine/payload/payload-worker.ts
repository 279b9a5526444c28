/**
 * Worker thread entry of the payload pipeline, fed through shared-memory slots by the sealing
 * loop. One stream after another (the members of a sealed set): 'begin' starts a drive's
 * stream with its settings, 'finish' ends it. Mode 'write': encrypts, hashes and writes
 * (PayloadWriter). Mode 'encrypt' (a cipher ring in workerData): encrypts only, into the ring
 * read by the part writer worker (three-stage pipeline), which is told of each stream's start
 * and end in order.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PartEncryptor, PayloadWriter, type PayloadWriterConfig } from './payload-writer.js';
import { toWorkerError } from '../workers/worker-error.js';
import { abortRing, RingAborted, RingCipherOutput, type CipherEvent, type CipherRing } from './cipher-ring.js';

interface Init {
  shared: SharedArrayBuffer;
  slotSize: number;
  /** Present in mode 'encrypt': the ring and the port to the part writer. */
  ring?: CipherRing;
  writerPort?: MessagePort;
}

const port = parentPort!;
const { shared, slotSize, ring, writerPort } = workerData as Init;
/** The ring's writing side lives as long as the ring: its position carries over between streams. */
const ringOutput = ring && writerPort ? new RingCipherOutput(ring, (slot: number, events: CipherEvent[]) => writerPort.postMessage({ type: 'slot', slot, events })) : null;
let failed = false;

interface Stage {
  write(chunk: Uint8Array): void;
  finish(): void;
  abort(): void;
}

function makeStage(cfg: PayloadWriterConfig): Stage {
  if (!ringOutput || !ring || !writerPort) {
    return new PayloadWriter(cfg, (part) => port.postMessage({ type: 'part', part }));
  }
  const out = ringOutput;
  writerPort.postMessage({ type: 'begin', driveDir: cfg.driveDir });
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

type Message = { type: 'begin'; cfg: PayloadWriterConfig } | { type: 'data'; slot: number; length: number } | { type: 'finish' } | { type: 'abort' };

port.on('message', (m: Message) => {
  if (failed) return;
  try {
    if (m.type === 'begin') {
      stage = makeStage(m.cfg);
    } else if (m.type === 'data') {
      stage!.write(new Uint8Array(shared, m.slot * slotSize, m.length));
      port.postMessage({ type: 'release', slot: m.slot });
    } else if (m.type === 'finish') {
      const ending = stage!;
      stage = null;
      ending.finish();
      if (!ring) port.postMessage({ type: 'done' });
    } else {
      if (stage) stage.abort();
      else if (ring) abortRing(ring);
    }
  } catch (e) {
    failed = true;
    if (e instanceof RingAborted) return; // the part writer (or the main thread) reports why
    stage?.abort();
    if (ring) abortRing(ring);
    port.postMessage({ type: 'error', error: toWorkerError(e) });
  }
});
