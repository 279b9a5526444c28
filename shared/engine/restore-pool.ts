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
 * Cuts `jobs` (in tar order) into units of consecutive files: returns the index of each
 * unit's first job, then jobs.length.
 */
export function unitBounds(jobs: readonly RestoreJob[]): number[] {
  const bounds = [0];
  let bytes = 0;
  for (let i = 0; i < jobs.length; i++) {
    bytes += jobs[i]!.entry.size;
    if (bytes >= UNIT_BYTES || i + 1 - bounds[bounds.length - 1]! >= UNIT_FILES) {
      bounds.push(i + 1);
      bytes = 0;
    }
  }
  if (bounds[bounds.length - 1] !== jobs.length) bounds.push(jobs.length);
  return jobs.length === 0 ? [0] : bounds;
}

/** The jobs [from, to) as they cross to a worker (built when sent, so they never all exist at once). */
export function unitJobs(jobs: readonly RestoreJob[], from: number, to: number): RestoreUnitJob[] {
  return jobs.slice(from, to).map((job) => ({ entry: job.entry, target: job.target.toString('latin1') }));
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
 * Restores `jobs` (in tar order; their folders exist) on worker threads. Resolves once every
 * file is restored and verified; rejects with the first error (E_FORMAT_*, E_RESTORE_EXISTS,
 * E_CANCELLED, E_INTERNAL…) once every worker has stopped.
 */
export function restoreInParallel(jobs: readonly RestoreJob[], opts: ParallelRestoreOptions): Promise<void> {
  const bounds = unitBounds(jobs);
  const unitCount = bounds.length - 1;
  const count = Math.min(opts.workers ?? helperThreadCount(), unitCount);
  if (count === 0) return Promise.resolve();
  const cancel = new SharedArrayBuffer(4);
  const cancelFlag = new Int32Array(cancel);
  return new Promise<void>((resolve, reject) => {
    let next = 0;
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
      if (failure || next >= unitCount) return retire(w);
      w.postMessage({ type: 'unit', id: next, jobs: unitJobs(jobs, bounds[next]!, bounds[next + 1]!) } satisfies RestoreWorkerRequest);
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
