/**
 * Decrypts payload segments ahead of the restore on a worker thread ({@link SegmentSource}),
 * so that decryption runs on one core while the main thread hashes and writes files. The
 * plan lists the segments to read, in order (by their absolute plaintext start). Memory is
 * bounded by the window: at most that many decrypted segments exist at once.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { SCELLE_LAYOUT } from '../../format/stream.js';
import type { PayloadDescription, PayloadReader, SegmentSource } from './payload-reader.js';
import { fromWorkerError, type WorkerError } from '../workers/worker-error.js';
import { compiledWorkers } from '../workers/compiled-worker.js';
import { startEngineWorker, type EngineWorker } from '../workers/worker-host.js';

interface ReadySegment {
  start: number;
  length: number;
  slices: Buffer[];
  part: number;
  segment: number;
}

/** Absolute start and end of the segment holding `offset`, for parts of `partSize` bytes. */
export function segmentBounds(offset: number, partSize: number, partSizes: readonly number[]): { start: number; end: number } {
  const layout = SCELLE_LAYOUT;
  const part = Math.floor(offset / partSize);
  const inPart = offset - part * partSize;
  const seg = layout.segmentOf(inPart);
  const start = part * partSize + layout.segmentPlaintextStart(seg);
  const segLen = seg === 0 ? layout.firstSegmentPlaintextSize : layout.segmentPlaintextSize;
  const partEnd = part * partSize + (partSizes[part] ?? 0);
  return { start, end: Math.min(start + segLen, partEnd) };
}

/** The segments (by start) covering `ranges`, in order, each once. */
export function planSegments(ranges: { offset: number; size: number }[], partSize: number, partSizes: readonly number[]): number[] {
  const plan: number[] = [];
  let last = -1;
  for (const r of ranges) {
    for (let o = r.offset; o < r.offset + r.size;) {
      const b = segmentBounds(o, partSize, partSizes);
      if (b.start !== last) plan.push(b.start);
      last = b.start;
      o = b.end;
    }
  }
  return plan;
}

const workerUrl = new URL('./segment-worker.js', import.meta.url);

/** True when the compiled worker is available (not when running from TypeScript sources). */
export function prefetchAvailable(): boolean {
  return compiledWorkers(workerUrl);
}

/** Below this many bytes, decrypting on another thread costs more than it saves. */
const PREFETCH_MIN_BYTES = 32 << 20;

/**
 * Attaches a decryption worker to `reader` for the plaintext `ranges` (to be read in that
 * order) when the compiled worker exists and they hold enough bytes to gain from it.
 */
export function prefetchFor(reader: PayloadReader, d: PayloadDescription, ranges: { offset: number; size: number }[]): void {
  if (ranges.reduce((a, r) => a + r.size, 0) < PREFETCH_MIN_BYTES || !prefetchAvailable()) return;
  reader.attach(new SegmentPrefetcher(d, planSegments(ranges, d.partPlaintextSize, d.partSizes)));
}

/** Worker-backed source of decrypted segments. */
export class SegmentPrefetcher implements SegmentSource {
  private readonly host: EngineWorker;
  private readonly ready = new Map<number, ReadySegment>();
  private readonly order: Map<number, number>;
  private waiters: { start: number; resolve: () => void; reject: (e: ScelleError) => void }[] = [];
  private failure: ScelleError | null = null;
  private failedAt = Infinity;
  private closed = false;

  constructor(
    private readonly d: PayloadDescription,
    plan: number[],
    window = 16,
  ) {
    this.order = new Map(plan.map((s, i) => [s, i]));
    this.host = startEngineWorker<{ type: 'segment'; start: number; length: number; buffers: ArrayBuffer[] } | { type: 'error'; start: number; error: WorkerError }>(
      workerUrl,
      { name: 'decryption worker', workerData: { description: d, plan, window }, youngGenerationMb: 16 },
      (m) => {
        if (m.type === 'segment') {
          const slices = m.buffers.map((b) => Buffer.from(b));
          this.ready.set(m.start, { start: m.start, length: m.length, slices, part: -1, segment: -1 });
        } else {
          this.failure = fromWorkerError(m.error);
          this.failedAt = this.order.get(m.start) ?? 0;
        }
        this.wake();
      },
      (e) => {
        this.failure = e;
        this.failedAt = 0;
        this.wake();
      },
    );
  }

  private wake(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.ready.has(w.start)) w.resolve();
      else if (this.failure && (this.order.get(w.start) ?? 0) >= this.failedAt) w.reject(this.failure);
      else still.push(w);
    }
    this.waiters = still;
  }

  async ensure(offset: number, length: number): Promise<void> {
    for (let o = offset; o < offset + length;) {
      const b = segmentBounds(o, this.d.partPlaintextSize, this.d.partSizes);
      if (this.order.has(b.start) && !this.ready.has(b.start)) {
        await new Promise<void>((resolve, reject) => {
          this.waiters.push({ start: b.start, resolve, reject });
          this.wake();
        });
      }
      o = Math.max(b.end, o + 1);
    }
  }

  take(offset: number): ReadySegment | undefined {
    const b = segmentBounds(offset, this.d.partPlaintextSize, this.d.partSizes);
    const seg = this.ready.get(b.start);
    if (!seg) return undefined;
    // Earlier segments are done with: free them and let the worker decrypt further ahead.
    const index = this.order.get(b.start)!;
    for (const [start] of this.ready) {
      if ((this.order.get(start) ?? 0) < index - 1) {
        this.ready.delete(start);
        if (!this.closed) this.host.post({ type: 'credit' });
      }
    }
    return seg;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.post({ type: 'stop' });
    void this.host.stop();
    this.ready.clear();
  }
}
