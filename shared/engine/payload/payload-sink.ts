/**
 * Moves the tar stream from the sealing loop to the payload writer: in this thread, or on
 * worker threads (one that encrypts, hashes and writes; or one that encrypts and one that
 * hashes and writes) so that the steps of a byte run on several cores. Buffers come from a
 * fixed pool: when all are in flight, `acquire` waits, which is the pipeline's backpressure
 * and bounds its memory.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ScelleError } from '../../errors/scelle-error.js';
import { fromWorkerError, type WorkerError } from '../workers/worker-error.js';
import { PayloadWriter, type PartInfo, type PayloadWriterConfig } from './payload-writer.js';
import { abortRing, createCipherRing, type CipherRing } from './cipher-ring.js';
import { compiledWorkers } from '../workers/compiled-worker.js';
import { startEngineWorker, type EngineWorker } from '../workers/worker-host.js';

/** Size of each shared-memory slot of the worker sink (larger slots: fewer thread wake-ups). */
export const SINK_BUFFER_SIZE = 2 << 20;
/** Size of the buffers of the in-thread sink. */
const INLINE_BUFFER_SIZE = 1 << 20;
const POOL_SIZE = 6;

/** The sealing loop's view of the payload writer. */
export interface PayloadSink {
  /** An empty buffer to fill (1 MiB in this thread, a 2 MiB shared slot with workers); waits while all are in flight. */
  acquire(): Promise<Buffer>;
  /** Hands over the first `length` bytes of a buffer from `acquire`. */
  submit(buffer: Buffer, length: number): void;
  /** Ends the stream; resolves once every part is written and fsync'd. */
  finish(): Promise<void>;
  /** Stops writing (error or cancel); the unfinished part stays on disk for a resume to redo. */
  abort(): Promise<void>;
  /** The shared memory behind the buffers of a worker sink (slot n = bytes [n × slotSize, (n + 1) × slotSize)). */
  readonly shared?: { buffer: SharedArrayBuffer; slotSize: number };
}

/**
 * The fixed set of buffers the sealing loop fills. A sealed set's members share one pool (and,
 * with workers, one shared memory), so buffers in flight survive the switch to the next member.
 */
export class Pool {
  private readonly free: Buffer[] = [];
  private waiters: ((b: Buffer) => void)[] = [];
  failure: ScelleError | null = null;
  private failWaiters: ((e: ScelleError) => void)[] = [];

  constructor(count: number, size: number, shared?: SharedArrayBuffer) {
    for (let i = 0; i < count; i++) this.free.push(shared ? Buffer.from(shared, i * size, size) : Buffer.allocUnsafeSlow(size));
  }

  acquire(): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const b = this.free.pop();
    if (b) return Promise.resolve(b);
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      this.failWaiters.push(reject);
    });
  }

  release(b: Buffer): void {
    const w = this.waiters.shift();
    this.failWaiters.shift();
    if (w) w(b);
    else this.free.push(b);
  }

  fail(e: ScelleError): void {
    if (this.failure) return;
    this.failure = e;
    for (const r of this.failWaiters) r(e);
    this.waiters = [];
    this.failWaiters = [];
  }
}

/** Buffers for one or more sinks in a row (see {@link Pool}); `shared` only for worker sinks. */
export interface SinkMemory {
  pool: Pool;
  shared?: SharedArrayBuffer;
}

/** Memory for the sinks of `mode`: the buffers of a {@link PayloadPipeline} (shared memory with workers). */
export function sinkMemoryFor(mode: SinkMode): SinkMemory {
  if (mode === 'inline' || !workerAvailable()) return { pool: new Pool(2, INLINE_BUFFER_SIZE) };
  const shared = new SharedArrayBuffer(POOL_SIZE * SINK_BUFFER_SIZE);
  return { pool: new Pool(POOL_SIZE, SINK_BUFFER_SIZE, shared), shared };
}

/** Runs the writer in this thread: simplest, and what tests of the pipeline logic use. */
export function createInlineSink(cfg: PayloadWriterConfig, onPart: (p: PartInfo) => void, memory?: SinkMemory): PayloadSink {
  const writer = new PayloadWriter(cfg, onPart);
  const pool = memory?.pool ?? new Pool(2, INLINE_BUFFER_SIZE);
  return {
    acquire: () => pool.acquire(),
    submit(buffer, length) {
      try {
        writer.write(buffer.subarray(0, length));
      } catch (e) {
        writer.abort();
        pool.fail(e instanceof ScelleError ? e : new ScelleError('E_INTERNAL', String(e)));
      }
      pool.release(buffer);
    },
    async finish() {
      if (pool.failure) throw pool.failure;
      writer.finish();
    },
    async abort() {
      writer.abort();
    },
  };
}

const workerUrl = new URL('./payload-worker.js', import.meta.url);
const partWriterUrl = new URL('./part-writer-worker.js', import.meta.url);
/** Slots of the cipher ring between the encryption and part writer workers (three stages). */
const CIPHER_SLOTS = 6;

/** True when the compiled worker scripts are available (not when running from TypeScript sources). */
export function workerAvailable(): boolean {
  return compiledWorkers(workerUrl, partWriterUrl);
}

type WorkerMessage = { type: 'release'; slot: number } | { type: 'part'; part: PartInfo } | { type: 'done' } | { type: 'error'; error: WorkerError };

/**
 * Payload sinks for one or more drives in a row (the members of a sealed set) on the same
 * buffers and the same threads: each stream begins as soon as it is asked for, right behind the
 * previous stream's last bytes, so the pipeline never drains or restarts between drives.
 */
export interface PayloadPipeline {
  /** The sink of the next stream (a drive's payload); call after the previous stream's `finish` was called. */
  stream(cfg: PayloadWriterConfig, onPart: (p: PartInfo) => void): PayloadSink;
  /** Stops the threads: after the last stream finished, or to give up (error or cancel). */
  close(): Promise<void>;
}

/**
 * Runs the writer on worker threads; `onPart` is called in this thread. The buffers are slots
 * of one SharedArrayBuffer: messages carry only a slot number, so no backing store is created
 * or transferred per chunk (that cost dominated when buffers were transferred).
 * - 2 stages: one worker encrypts, hashes the ciphertext and writes;
 * - 3 stages: one worker encrypts into a cipher ring, another hashes and writes, so that with
 *   large files the three steps of a byte (read and hash; encrypt; hash and write) run on
 *   every core at once.
 * Streams follow each other in the workers' message order: a stream's parts and its end are
 * reported before the next stream's.
 */
export function createWorkerPipeline(stages: 2 | 3 = 2, memory?: SinkMemory): PayloadPipeline {
  const shared = memory?.shared ?? new SharedArrayBuffer(POOL_SIZE * SINK_BUFFER_SIZE);
  const pool = memory?.pool ?? new Pool(POOL_SIZE, SINK_BUFFER_SIZE, shared);
  const slots = new Map<number, Buffer>();
  /** Streams begun and not yet done, in order: the workers report on the first. */
  const streams: { onPart: (p: PartInfo) => void; resolve: () => void; reject: (e: ScelleError) => void }[] = [];
  const workers: EngineWorker[] = [];
  let ring: CipherRing | null = null;
  const fail = (e: ScelleError) => {
    pool.fail(e);
    for (const s of streams.splice(0)) s.reject(e);
  };
  const onMessage = (m: WorkerMessage) => {
    if (m.type === 'release') pool.release(slots.get(m.slot)!);
    else if (m.type === 'part') streams[0]?.onPart(m.part);
    else if (m.type === 'done') streams.shift()?.resolve();
    else fail(fromWorkerError(m.error));
  };
  const onFailure = (e: ScelleError) => fail(pool.failure ?? e);
  let encryptorData: Record<string, unknown> = { shared, slotSize: SINK_BUFFER_SIZE };
  let transferList: MessagePort[] = [];
  if (stages === 3) {
    ring = createCipherRing(CIPHER_SLOTS, SINK_BUFFER_SIZE + (64 << 10));
    const { port1, port2 } = new MessageChannel();
    workers.push(startEngineWorker(partWriterUrl, { name: 'payload worker', workerData: { ring, encryptorPort: port2 }, transferList: [port2] }, onMessage, onFailure));
    encryptorData = { ...encryptorData, ring, writerPort: port1 };
    transferList = [port1];
  }
  const encryptor = startEngineWorker(workerUrl, { name: 'payload worker', workerData: encryptorData, transferList }, onMessage, onFailure);
  workers.push(encryptor);
  const stopAll = async () => {
    if (ring) abortRing(ring);
    await Promise.all(workers.map((w) => w.stop()));
  };
  return {
    stream(cfg, onPart) {
      let resolve!: () => void;
      let reject!: (e: ScelleError) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      done.catch(() => {}); // reported to whoever awaits finish(); a failure before that is not unhandled
      if (pool.failure) reject(pool.failure);
      else streams.push({ onPart, resolve, reject });
      encryptor.post({ type: 'begin', cfg });
      return {
        shared: { buffer: shared, slotSize: SINK_BUFFER_SIZE },
        acquire: () => pool.acquire(),
        submit(buffer, length) {
          const slot = buffer.byteOffset / SINK_BUFFER_SIZE;
          slots.set(slot, buffer);
          encryptor.post({ type: 'data', slot, length });
        },
        finish() {
          encryptor.post({ type: 'finish' });
          return done;
        },
        async abort() {
          for (const w of workers) w.post({ type: 'abort' });
          await stopAll();
        },
      };
    },
    close: stopAll,
  };
}

/**
 * How the payload is written: in this thread ('inline'; 'inline-shared' on shared slots that the
 * tar builders fill), or on two or three threads (see createWorkerPipeline).
 */
export type SinkMode = 'inline' | 'inline-shared' | 'worker' | 'pipeline';

/**
 * The pipeline for `mode` (see {@link PayloadPipeline}); the worker modes fall back to in-thread
 * when the compiled workers are missing. `memory` comes from {@link sinkMemoryFor} with the same mode.
 */
export function createPayloadPipeline(mode: SinkMode, memory: SinkMemory): PayloadPipeline {
  const { shared } = memory;
  if (shared === undefined) return { stream: (cfg, onPart) => createInlineSink(cfg, onPart, memory), close: async () => {} };
  if (mode === 'inline-shared')
    return { stream: (cfg, onPart) => ({ ...createInlineSink(cfg, onPart, memory), shared: { buffer: shared, slotSize: SINK_BUFFER_SIZE } }), close: async () => {} };
  return createWorkerPipeline(mode === 'pipeline' ? 3 : 2, memory);
}

/** The sink of one drive's payload for `mode` (a pipeline of one stream, stopped when it finishes). */
export function createPayloadSink(cfg: PayloadWriterConfig, onPart: (p: PartInfo) => void, mode: SinkMode): PayloadSink {
  const pipeline = createPayloadPipeline(mode, sinkMemoryFor(mode));
  const sink = pipeline.stream(cfg, onPart);
  return {
    ...sink,
    async finish() {
      try {
        await sink.finish();
      } finally {
        void pipeline.close();
      }
    },
    async abort() {
      await sink.abort();
      await pipeline.close();
    },
  };
}
