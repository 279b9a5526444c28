/**
 * The count before a seal: totals, exact tar size, the sources' fingerprint, and the plan of
 * the tar builders' batches (batch-plan.ts). This thread lists the folders in index order
 * (listing-walk.ts); the entries are lstat'ed in runs of names (named-batch.ts's
 * statNamedBatch): in this thread while there are few, on tar builder workers once there are
 * many, their results taken in stream order, so both cores count a large tree.
 *
 * Memory: the listings of the folders on the current path, a few runs of names in flight, and
 * the plan (two numbers per slot of tar stream or per entry larger than a slot).
 */
import { throwIfCancelled } from '../abort.js';
import type { Progress } from '../api.js';
import { ProgressTracker } from '../progress.js';
import { helperThreadCount } from '../workers/parallelism.js';
import { BatchPlanner } from './batch-plan.js';
import { KIND_FOLDER, ListingCursor, segmentOf, walkListings } from './listing-walk.js';
import { statNamedBatch, type StatBatchResult } from './named-batch.js';
import { ScanTally, type ScanResult } from './scan.js';
import { TarBuilders, tarBuildersAvailable } from './tar-builders.js';
import { freeBuffers } from '../../format/free-buffers.js';

/** Names lstat'ed in one run. */
const COUNT_RUN = 2048;
/**
 * From this many entries on, the count's workers start (the first run is counted here while
 * they start), and the seal builds on tar builders: the count's go on to build
 * (TarBuilders.useSlots). Below it, builders started after the count cost more than they save
 * (files of 13 KB: 1,000 sealed in 0.58 s with them against 0.50 s in one thread; 2,500 in
 * 0.62 against 0.68 s; docs/BENCHMARKS.md, session 13).
 */
export const BUILDERS_FROM_ENTRIES = COUNT_RUN;
/** Runs sent to the workers and not yet taken, at most. */
const RUNS_IN_FLIGHT = 4;

/**
 * Counts `sources` (index order as scan.ts's walkSources, the same fingerprint) in constant
 * memory. Throws E_USAGE (no source, the root folder, two sources with the same name),
 * E_SOURCE_NOT_FOUND, E_SOURCE_UNREADABLE, E_SOURCE_UNSUPPORTED (FIFO, socket, device),
 * E_SOURCE_CHANGED (an entry gone or changed kind while counted), E_CANCELLED. `onCount` is
 * called as entries are counted (files and their bytes so far, and the folders listed so far,
 * the sources' own included). With `batchSlotSize`, the result carries
 * the plan of tar builder batches of that slot size. With `keepWorkers`, the count's workers (if
 * it started any) are handed to it once the count succeeds, for the seal to build with
 * (TarBuilders.useSlots), instead of being stopped; the receiver closes them.
 */
export async function scanSources(
  sources: readonly string[],
  opts: {
    signal?: AbortSignal;
    onCount?: (files: number, bytes: number, folders: number) => void;
    batchSlotSize?: number;
    keepWorkers?: (workers: TarBuilders) => void;
  } = {},
): Promise<ScanResult> {
  const tally = new ScanTally(opts.batchSlotSize === undefined ? undefined : new BatchPlanner(opts.batchSlotSize));
  let folders = 0;
  const take = (entries: number, r: StatBatchResult) => {
    tally.addRecords(r.fingerprint, entries, r.files, r.bytes, r.tarBytes);
    freeBuffers([r.fingerprint, r.tarBytes]); // made for this run alone: freed now, not at the next full collection
    opts.onCount?.(tally.files, tally.bytes, folders);
  };
  const cursor = new ListingCursor(walkListings(sources));
  const queue: { entries: number; result: Promise<StatBatchResult> }[] = [];
  let workers: TarBuilders | null = null;
  let listed = 0;
  try {
    while (!cursor.done()) {
      throwIfCancelled(opts.signal);
      const ranges = cursor.takeUpTo(COUNT_RUN);
      const segments = ranges.map(([l, from, to]) => segmentOf(l, from, to));
      const entries = ranges.reduce((n, [, from, to]) => n + to - from, 0);
      listed += entries;
      for (const [l, from, to] of ranges) for (let i = from; i < to; i++) if (l.kinds[i] === KIND_FOLDER) folders++;
      // The run that starts the workers is counted here while they start.
      const starting = workers === null && listed >= BUILDERS_FROM_ENTRIES && tarBuildersAvailable();
      if (starting) workers = new TarBuilders(null, 0, helperThreadCount());
      if (workers === null || starting) {
        take(entries, statNamedBatch(segments));
        await new Promise((r) => setImmediate(r)); // progress and cancellation
        continue;
      }
      if (queue.length >= RUNS_IN_FLIGHT) {
        const q = queue.shift()!;
        take(q.entries, await q.result);
      }
      const result = workers.stat(segments);
      result.catch(() => undefined); // awaited in order below; an error surfaces there
      queue.push({ entries, result });
    }
    for (let q = queue.shift(); q !== undefined; q = queue.shift()) take(q.entries, await q.result);
    const result = tally.result();
    if (workers !== null && opts.keepWorkers) {
      opts.keepWorkers(workers);
      workers = null;
    }
    return result;
  } finally {
    await workers?.close();
  }
}

/** A seal's count: what it found, and the workers it counted with (null if none), still running. */
export interface SealCount {
  scan: ScanResult;
  /** The count's tar builders, left running for the seal to build with; whoever gets them closes them. */
  builders: TarBuilders | null;
}

/**
 * The first pass of a seal: {@link scanSources} with the `scan` phase's progress reported, and
 * the plan of tar builder batches for slots of `batchSlotSize` bytes. Throws as scanSources
 * (and then leaves no worker running).
 */
export async function countSources(
  sources: readonly string[],
  signal: AbortSignal | undefined,
  onProgress: ((p: Progress) => void) | undefined,
  batchSlotSize: number,
): Promise<SealCount> {
  const progress = new ProgressTracker('scan', 0, 0, onProgress);
  let builders: TarBuilders | null = null;
  const scan = await scanSources(sources, {
    signal,
    batchSlotSize,
    keepWorkers: (w) => (builders = w),
    onCount: (files, bytes) => {
      progress.setTotals(bytes, files);
      progress.add(0);
    },
  });
  progress.setTotals(scan.bytes, scan.files);
  progress.flush();
  return { scan, builders };
}

/** What a count of sources found, as shown before a seal: regular files, folders (the sources' own included) and the files' bytes. */
export interface SourceTotals {
  files: number;
  folders: number;
  bytes: number;
}

/**
 * Counts `sources` exactly as a seal does before it writes ({@link scanSources}: the same walk,
 * on the tar builder workers for a large tree, in constant memory), for a count shown before
 * sealing. `onCount` gets the totals so far as they grow. Throws as scanSources (E_SOURCE_*
 * for what the seal would refuse too, E_CANCELLED).
 */
export async function countSourceTotals(sources: readonly string[], opts: { signal?: AbortSignal; onCount?: (t: SourceTotals) => void } = {}): Promise<SourceTotals> {
  let totals: SourceTotals = { files: 0, folders: 0, bytes: 0 };
  const scan = await scanSources(sources, {
    signal: opts.signal,
    onCount: (files, bytes, folders) => {
      totals = { files, folders, bytes };
      opts.onCount?.(totals);
    },
  });
  return { files: scan.files, folders: totals.folders, bytes: scan.bytes };
}
