/**
 * The one way the engine starts a worker thread: its script, its data, a young generation of
 * its own (their garbage is short-lived, so a small one keeps their memory flat), and one
 * failure callback for whatever ends it unexpectedly — a crash, running out of memory, an exit
 * nobody asked for — as an E_INTERNAL ScelleError naming the worker. Each pool keeps its own
 * messages; none of them hangs when a worker dies.
 */
import { Worker } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';
import { ScelleError } from '../../errors/scelle-error.js';

/** How to start one engine worker. */
export interface EngineWorkerOptions {
  /** Named in the error when it fails (e.g. "restore worker"). */
  name: string;
  workerData?: unknown;
  transferList?: readonly Transferable[];
  /** Young generation size in MiB (default 4). */
  youngGenerationMb?: number;
  /**
   * Old generation cap in MiB (default: V8's own, which grows with the run). For workers whose
   * live data is small and bounded, a cap keeps V8 from growing the heap with garbage over a long
   * run; going over it stops the worker (out of memory), reported like a crash.
   */
  oldGenerationMb?: number;
}

/** A running engine worker. */
export interface EngineWorker {
  readonly worker: Worker;
  /** Posts a message to it; the buffers of `transfer` move to the worker (they become empty here). */
  post(message: unknown, transfer?: readonly Transferable[]): void;
  /** Its work is done: from now on it may exit without that being a failure. */
  retire(): void;
  /** Ends it now (an expected exit). */
  stop(): Promise<void>;
}

/**
 * Starts the compiled worker script at `url`. `onMessage` receives what it posts;
 * `onFailure` is called at most once, when it crashes or exits before {@link EngineWorker.retire}
 * or {@link EngineWorker.stop}.
 */
export function startEngineWorker<M>(url: URL, opts: EngineWorkerOptions, onMessage: (m: M) => void, onFailure: (e: ScelleError) => void): EngineWorker {
  const worker = new Worker(url, {
    workerData: opts.workerData,
    transferList: opts.transferList as Transferable[] | undefined,
    resourceLimits: { maxYoungGenerationSizeMb: opts.youngGenerationMb ?? 4, ...(opts.oldGenerationMb !== undefined ? { maxOldGenerationSizeMb: opts.oldGenerationMb } : {}) },
  });
  let expected = false;
  let failed = false;
  const fail = (e: ScelleError) => {
    if (failed || expected) return;
    failed = true;
    onFailure(e);
  };
  worker.on('message', onMessage);
  worker.on('error', (e) => fail(new ScelleError('E_INTERNAL', `${opts.name} failed: ${e.message}`)));
  worker.on('exit', () => fail(new ScelleError('E_INTERNAL', `${opts.name} stopped early`)));
  return {
    worker,
    post: (m, transfer) => worker.postMessage(m, transfer as Transferable[] | undefined),
    retire: () => {
      expected = true;
    },
    stop: async () => {
      expected = true;
      await worker.terminate();
    },
  };
}
