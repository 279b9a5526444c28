/**
 * Restores files on several worker threads at once. The files (in tar order) are cut into
 * units of consecutive files; each worker takes the next unit when it finishes one, and
 * decrypts, hashes and writes its files itself (restore-file.ts), so every core does all
 * the work of its files and the cores balance themselves. A segment shared by the last
 * file of one unit and the first of the next is decrypted by both workers: units are large
 * enough that this costs a few percent at most.
 *
 * On the first error or on cancellation every worker is told to stop, and the pool waits
 * until each one has stopped between two files (a file is then either restored and
 * verified, or absent) before it rejects: nothing is written after the error is reported.
 */
import { Worker } from 'node:worker_threads';
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry } from './api.js';
import type { PayloadDescription } from './payload-reader.js';
import { fromWorkerError, type WorkerError } from './worker-error.js';
import type { RestoreJob } from './restore-file.js';
import { helperThreadCount } from './parallelism.js';
import { compiledWorkers } from './compiled-worker.js';

/** A file of a unit as it crosses to a worker: the destination as a latin1 string of its bytes. */
export interface RestoreUnitJob { entry: IndexEntry; target: string }

/** Messages to a restore worker. */
export type RestoreWorkerRequest = { type: 'unit'; id: number; jobs: RestoreUnitJob[] } | { type: 'stop' };

/** Messages from a restore worker. */
export type RestoreWorkerMessage =
  | { type: 'progress'; bytes: number; files: number }
  | { type: 'unit-done'; id: number }
  | { type: 'error'; id: number; error: WorkerError };

/** A unit closes once it holds this many bytes or files. */
const UNIT_BYTES = 32 << 20;
const UNIT_FILES = 4096;

const workerUrl = new URL('./restore-worker.js', import.meta.url);

/** True when the compiled worker is available (not when running from TypeScript sources). */
export function restoreWorkersAvailable(): boolean {
  return compiledWorkers(workerUrl);
}


/**
 * Cuts `jobs` (files in tar order, read as they come) into units of consecutive files, each
 * closed once it holds UNIT_BYTES or UNIT_FILES, as they cross to a worker. Only the unit
 * being cut is in memory, never the list of files.
 */
export function* unitsOf(jobs: Iterator<RestoreJob>): Generator<RestoreUnitJob[]> {
  let unit: RestoreUnitJob[] = [];
  let bytes = 0;
  for (let r = jobs.next(); !r.done; r = jobs.next()) {
    unit.push({ entry: r.value.entry, target: r.value.target.toString('latin1') });
    bytes += r.value.entry.size;
    if (bytes >= UNIT_BYTES || unit.length >= UNIT_FILES) {
      yield unit;
      unit = [];
      bytes = 0;
    }
  }
  if (unit.length > 0) yield unit;
}

/** Settings of a parallel restore. */
export interface ParallelRestoreOptions {
  description: PayloadDescription;
  overwrite: boolean;
  umask: number;
  /** fsync each small file as it is written (see restore-flush.ts). */
  fsyncEachFile: boolean;
  signal: AbortSignal | undefined;
  /** Called as work is done (bytes and files since the last call). */
  onProgress: (bytes: number, files: number) => void;
  workers?: number;
}

/**
 * Restores `jobs` (files in tar order, produced as they are needed; the producer creates their
 * folders) on worker threads. Resolves once every file is restored and verified; rejects with
 * the first error (the producer's, E_FORMAT_*, E_RESTORE_EXISTS, E_CANCELLED, E_INTERNAL…)
 * once every worker has stopped.
 */
export function restoreInParallel(jobs: Iterator<RestoreJob>, opts: ParallelRestoreOptions): Promise<void> {
  const units = unitsOf(jobs);
  const count = opts.workers ?? helperThreadCount();
  const cancel = new SharedArrayBuffer(4);
  const cancelFlag = new Int32Array(cancel);
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let exhausted = false;
    let active = count;
    let failure: ScelleError | null = null;
    const workers: Worker[] = [];
    const retired = new Set<Worker>();
    const stopAll = (e: ScelleError) => {
      failure ??= e;
      Atomics.store(cancelFlag, 0, 1);
    };
    const onAbort = () => stopAll(new ScelleError('E_CANCELLED', 'the operation was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const retire = (w: Worker) => {
      if (retired.has(w)) return;
      retired.add(w);
      w.postMessage({ type: 'stop' } satisfies RestoreWorkerRequest);
      active--;
      if (active > 0) return;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const x of workers) void x.terminate();
      if (failure) reject(failure);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (failure || exhausted) return retire(w);
      let unit: RestoreUnitJob[] | undefined;
      try {
        const r = units.next();
        unit = r.done ? undefined : r.value;
      } catch (e) {
        stopAll(e instanceof ScelleError ? e : new ScelleError('E_INTERNAL', `restore planning failed: ${(e as Error).message}`));
        return retire(w);
      }
      if (unit === undefined) {
        exhausted = true;
        return retire(w);
      }
      w.postMessage({ type: 'unit', id: next, jobs: unit } satisfies RestoreWorkerRequest);
      next++;
    };

    for (let i = 0; i < count; i++) {
      // A small young generation keeps each worker's memory flat (its garbage is short-lived).
      const w = new Worker(workerUrl, { workerData: { description: opts.description, overwrite: opts.overwrite, umask: opts.umask, fsyncEachFile: opts.fsyncEachFile, cancel }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      workers.push(w);
      w.on('message', (m: RestoreWorkerMessage) => {
        if (m.type === 'progress') opts.onProgress(m.bytes, m.files);
        else if (m.type === 'unit-done') feed(w);
        else {
          stopAll(fromWorkerError(m.error));
          retire(w);
        }
      });
      w.on('error', (e) => {
        stopAll(new ScelleError('E_INTERNAL', `restore worker failed: ${e.message}`));
        retire(w);
      });
      w.on('exit', () => {
        if (retired.has(w)) return;
        stopAll(new ScelleError('E_INTERNAL', 'a restore worker stopped early'));
        retire(w);
      });
      feed(w);
    }
  });
}
