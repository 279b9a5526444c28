/**
 * A pool of tar builder workers: when a seal holds many small files, the per-file work
 * (lstat or open and fstat, read, close, SHA-256, tar header, index line, fingerprint record)
 * runs on several cores at once, each batch of folder children (named-batch.ts) written straight
 * into a slot of the payload sink's shared memory. The sealing loop hands the finished slots to
 * the sink in stream order.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { fromWorkerError, type WorkerError } from '../workers/worker-error.js';
import type { NamedBatchRequest, NamedBatchResult, NamedBatchSegment, StatBatchResult } from './named-batch.js';
import { startEngineWorker, type EngineWorker } from '../workers/worker-host.js';
import { compiledWorkers } from '../workers/compiled-worker.js';

/** A batch to build into slot `slot`, or entries to count; or the shared slots to build into from now on (no answer). */
export type TarBuilderRequest =
  | { id: number; kind: 'build'; slot: number; batch: NamedBatchRequest }
  | { id: number; kind: 'stat'; segments: NamedBatchSegment[] }
  | { kind: 'slots'; shared: SharedArrayBuffer; slotSize: number };
/** A builder's answer. */
export type TarBuilderResponse = { id: number; ok: true; result: NamedBatchResult | StatBatchResult } | { id: number; ok: false; error: WorkerError };

const workerUrl = new URL('./tar-builder-worker.js', import.meta.url);

/**
 * A builder's live data is one batch (at most BATCH_MAX_ENTRIES entries, batch-plan.ts; the bytes sit in shared
 * slots), so its old generation is capped: left to V8, it grew to 34–38 MB per builder over a
 * 250,000-file seal on Node 24, ~100 MB of the seal's peak RSS (docs/BENCHMARKS.md).
 */
const BUILDER_OLD_GENERATION_MB = 24;

/** True when the compiled worker is available (not when running from TypeScript sources). */
export function tarBuildersAvailable(): boolean {
  return compiledWorkers(workerUrl);
}

/**
 * Builder workers over one shared memory of slots (none when they only count); batches go to
 * the least busy worker.
 */
export class TarBuilders {
  private readonly workers: { host: EngineWorker; busy: number }[] = [];
  private readonly pending = new Map<number, { resolve: (r: NamedBatchResult | StatBatchResult) => void; reject: (e: ScelleError) => void }>();
  private nextId = 0;
  private failure: ScelleError | null = null;

  constructor(shared: SharedArrayBuffer | null, slotSize: number, count: number) {
    for (let i = 0; i < count; i++) {
      const slot = { host: null as unknown as EngineWorker, busy: 0 };
      slot.host = startEngineWorker<TarBuilderResponse>(
        workerUrl,
        { name: 'tar builder', workerData: { shared, slotSize }, youngGenerationMb: 16, oldGenerationMb: BUILDER_OLD_GENERATION_MB },
        (m) => {
          slot.busy--;
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.ok) p?.resolve(m.result);
          else p?.reject(fromWorkerError(m.error));
        },
        (e) => this.fail(e),
      );
      this.workers.push(slot);
    }
  }

  private fail(e: ScelleError): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Gives builders started to count (without slots) the shared slots to build into, so that the
   * seal goes on with the count's workers instead of starting others. Messages are handled in
   * order: every batch posted after this call sees the slots.
   */
  useSlots(shared: SharedArrayBuffer, slotSize: number): this {
    for (const w of this.workers) w.host.post({ kind: 'slots', shared, slotSize } satisfies TarBuilderRequest);
    return this;
  }

  /** Builds `batch` into slot `slot` (its segments' arrays move to the builder). Rejects with the batch's error. */
  build(slot: number, batch: NamedBatchRequest): Promise<NamedBatchResult> {
    return this.post((id) => ({ id, kind: 'build', slot, batch })) as Promise<NamedBatchResult>;
  }

  /** Counts the entries of `segments` (named-batch.ts's statNamedBatch; their arrays move to the builder). Rejects with its error. */
  stat(segments: NamedBatchSegment[]): Promise<StatBatchResult> {
    return this.post((id) => ({ id, kind: 'stat', segments })) as Promise<StatBatchResult>;
  }

  /** Posts a request; its segments' arrays move to the builder (the caller must not use them again). */
  private post(request: (id: number) => TarBuilderRequest & { id: number }): Promise<NamedBatchResult | StatBatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const target = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    target.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const r = request(id);
      target.host.post(r, segmentBuffers(r.kind === 'build' ? r.batch.segments : r.kind === 'stat' ? r.segments : []));
    });
  }

  /** Stops the workers (a batch still running is abandoned; its slot is never submitted). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.host.stop()));
  }
}

/**
 * The memory of the segments' arrays, moved with a request rather than copied: segmentOf
 * (listing-walk.ts) makes each one fresh, exactly its size. Each buffer once, whole buffers only.
 */
export function segmentBuffers(segments: readonly NamedBatchSegment[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const s of segments)
    for (const a of [s.dir, s.names, s.kinds]) if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  return [...out];
}
