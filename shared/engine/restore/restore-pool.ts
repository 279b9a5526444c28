/**
 * Restores files on several worker threads at once. The files (in tar order) are cut into
 * units of consecutive files; each worker takes the next unit when it finishes one, and
 * decrypts, hashes and writes its files itself (restore-file.ts), so every core does all
 * the work of its files and the cores balance themselves. A segment shared by the last
 * file of one unit and the first of the next is decrypted by both workers: units are large
 * enough that this costs a few percent at most. Units are cut as the index streams, one ahead
 * of the workers (a worker that finishes a unit gets the next at once, instead of idling while
 * this thread reads a unit's worth of index: ≈ 7 % of a million-file restore), and the actions
 * between files (links, folder modes) run in this thread once every unit before them is done,
 * so nothing is held but the units in flight and the one cut ahead.
 *
 * On the first error or on cancellation every worker is told to stop, and the pool waits
 * until each one has stopped between two files (a file is then either restored and
 * verified, or absent) before it rejects: nothing is written after the error is reported.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import type { PayloadDescription } from '../payload/payload-reader.js';
import { fromWorkerError, type WorkerError } from '../workers/worker-error.js';
import type { RestoreJob } from './restore-file.js';
import { UNIT_FILES, UnitFilesBuilder, unitBuffers, type RestoreUnitFiles } from './restore-unit.js';
import { helperThreadCount } from '../workers/parallelism.js';
import { compiledWorkers } from '../workers/compiled-worker.js';
import { startEngineWorker, type EngineWorker } from '../workers/worker-host.js';

/** Messages to a restore worker. */
export type RestoreWorkerRequest = { type: 'unit'; id: number; files: RestoreUnitFiles } | { type: 'stop' };

/** Messages from a restore worker. */
export type RestoreWorkerMessage = { type: 'progress'; bytes: number; files: number } | { type: 'unit-done'; id: number } | { type: 'error'; id: number; error: WorkerError };

/** A unit closes once it holds this many bytes, or UNIT_FILES files (restore-unit.ts). */
const UNIT_BYTES = 32 << 20;

const workerUrl = new URL('./restore-worker.js', import.meta.url);

/** True when the compiled worker is available (not when running from TypeScript sources). */
export function restoreWorkersAvailable(): boolean {
  return compiledWorkers(workerUrl);
}

/**
 * What a restore does, in tar order: restore a file (on a worker), or run an action in this
 * thread once every file before it is restored (create a link, set a folder's mode and times).
 */
export type RestoreItem = RestoreJob | { after: () => void };

/** One unit: the files that cross to a worker, and the actions to run once it and every unit before it are done. */
export interface RestoreUnit {
  files: RestoreUnitFiles;
  actions: (() => void)[];
}

/**
 * Cuts `items` (in tar order, read as they come) into units of consecutive items, each closed
 * once it holds UNIT_BYTES or UNIT_FILES items, as they cross to a worker. Only the unit being
 * cut is in memory, never the list of files.
 */
export function* unitsOf(items: Iterator<RestoreItem>): Generator<RestoreUnit> {
  const files = new UnitFilesBuilder();
  let actions: (() => void)[] = [];
  let bytes = 0;
  let count = 0;
  for (let r = items.next(); !r.done; r = items.next()) {
    const item = r.value;
    if ('after' in item) actions.push(item.after);
    else {
      files.add(item);
      bytes += item.entry.size;
    }
    if (bytes >= UNIT_BYTES || ++count >= UNIT_FILES) {
      yield { files: files.take(), actions };
      actions = [];
      bytes = 0;
      count = 0;
    }
  }
  if (count > 0) yield { files: files.take(), actions };
}

/** How the restore workers restore files: known before the plan (they can start while it runs). */
export interface RestoreWorkerSettings {
  description: PayloadDescription;
  overwrite: boolean;
  /** Apply the drive's modes as they are (setuid/setgid/sticky, group/other write); default: made safe. */
  keepModes: boolean;
  umask: number;
  /** fsync each small file as it is written (see restore-flush.ts). */
  fsyncEachFile: boolean;
}

/** What one parallel restore reports to, and listens to. */
export interface RestoreRunOptions {
  signal: AbortSignal | undefined;
  /** Called as work is done (bytes and files since the last call). */
  onProgress: (bytes: number, files: number) => void;
}

/** What a run does when a worker speaks or fails (set when the run starts). */
interface RunHandlers {
  message(w: EngineWorker, m: RestoreWorkerMessage): void;
  failure(w: EngineWorker, e: ScelleError): void;
}

/**
 * Restore workers started before their work is known: open starts them while its plan reads
 * the index (a worker takes ≈ 0.1 s to start, the plan of 50,000 files ≈ 0.25 s), then either
 * runs one restore on them ({@link RestoreCrew.run}) or stops them ({@link RestoreCrew.stop}).
 * What a worker reports before the run (a failure to start) is kept and handled by the run.
 */
export class RestoreCrew {
  private readonly workers: EngineWorker[] = [];
  private readonly cancelFlag: Int32Array;
  private handlers: RunHandlers | null = null;
  /** Events that came before the run started, in order. */
  private readonly early: (() => void)[] = [];
  private used = false;

  /** Starts `count` restore workers (helperThreadCount() by default) with `settings`. */
  constructor(settings: RestoreWorkerSettings, count: number = helperThreadCount()) {
    const cancel = new SharedArrayBuffer(4);
    this.cancelFlag = new Int32Array(cancel);
    const { description, overwrite, keepModes, umask, fsyncEachFile } = settings;
    for (let i = 0; i < count; i++) {
      const w: EngineWorker = startEngineWorker<RestoreWorkerMessage>(
        workerUrl,
        { name: 'restore worker', workerData: { description, overwrite, keepModes, umask, fsyncEachFile, cancel } },
        (m) => this.dispatch(() => this.handlers!.message(w, m)),
        (e) => this.dispatch(() => this.handlers!.failure(w, e)),
      );
      this.workers.push(w);
    }
  }

  private dispatch(event: () => void): void {
    if (this.handlers) event();
    else this.early.push(event);
  }

  /** Stops the workers of a crew that will not run (or has run). */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /**
   * Restores `items` (in tar order, produced as they are needed; the producer creates the
   * files' folders) on the crew; each action runs in this thread once every file before it is
   * restored. Resolves once every file is restored and verified and every action ran; rejects
   * with the first error (the producer's or an action's, E_FORMAT_*, E_RESTORE_EXISTS,
   * E_CANCELLED, E_INTERNAL…) once every worker has stopped. The workers are stopped either
   * way. Once per crew (E_INTERNAL after).
   */
  run(items: Iterator<RestoreItem>, opts: RestoreRunOptions): Promise<void> {
    if (this.used) return Promise.reject(new ScelleError('E_INTERNAL', 'a restore crew runs one restore'));
    this.used = true;
    const units = unitsOf(items);
    const { cancelFlag, workers } = this;
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let exhausted = false;
      /** Actions of units sent and not yet run, by unit id; units done out of order wait here. */
      const waiting = new Map<number, (() => void)[]>();
      const done = new Set<number>();
      let ranThrough = 0;
      const unitDone = (id: number) => {
        done.add(id);
        while (done.has(ranThrough)) {
          done.delete(ranThrough);
          const actions = waiting.get(ranThrough) ?? [];
          waiting.delete(ranThrough);
          ranThrough++;
          if (failure) continue;
          try {
            for (const a of actions) a();
          } catch (e) {
            stopAll(e instanceof ScelleError ? e : new ScelleError('E_INTERNAL', `restore failed: ${(e as Error).message}`));
          }
        }
      };
      let active = workers.length;
      let failure: ScelleError | null = null;
      const retired = new Set<EngineWorker>();
      const stopAll = (e: ScelleError) => {
        failure ??= e;
        Atomics.store(cancelFlag, 0, 1);
      };
      const onAbort = () => stopAll(new ScelleError('E_CANCELLED', 'the operation was cancelled'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();

      const retire = (w: EngineWorker) => {
        if (retired.has(w)) return;
        retired.add(w);
        w.retire();
        w.post({ type: 'stop' } satisfies RestoreWorkerRequest);
        active--;
        if (active > 0) return;
        opts.signal?.removeEventListener('abort', onAbort);
        void this.stop();
        if (failure) reject(failure);
        else resolve();
      };
      /**
       * The next unit, cut before a worker asks for it: a worker that finishes one gets the next at
       * once instead of idling while this thread reads the index for it. Undefined when the
       * items are exhausted or cutting failed (then `failure` is set).
       */
      const cut = (): RestoreUnit | undefined => {
        try {
          const r = units.next();
          if (r.done) exhausted = true;
          return r.done ? undefined : r.value;
        } catch (e) {
          stopAll(e instanceof ScelleError ? e : new ScelleError('E_INTERNAL', `restore planning failed: ${(e as Error).message}`));
          return undefined;
        }
      };
      let ahead: RestoreUnit | undefined;
      const feed = (w: EngineWorker) => {
        if (retired.has(w)) return;
        const unit = failure ? undefined : (ahead ?? (exhausted ? undefined : cut()));
        ahead = undefined;
        if (unit === undefined) return retire(w);
        waiting.set(next, unit.actions);
        w.post({ type: 'unit', id: next, files: unit.files } satisfies RestoreWorkerRequest, unitBuffers(unit.files));
        next++;
        if (!exhausted) ahead = cut();
      };

      this.handlers = {
        message: (w, m) => {
          if (m.type === 'progress') opts.onProgress(m.bytes, m.files);
          else if (m.type === 'unit-done') {
            unitDone(m.id);
            feed(w);
          } else {
            stopAll(fromWorkerError(m.error));
            retire(w);
          }
        },
        failure: (w, e) => {
          stopAll(e);
          retire(w);
        },
      };
      // A worker that failed to start is retired before any unit is handed out.
      for (const event of this.early.splice(0)) event();
      for (const w of workers) feed(w);
    });
  }
}
