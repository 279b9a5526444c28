/**
 * A worker thread started for one answer (a key derivation, hashing files): it may post
 * `{ type: 'progress', n }` as it goes, then `{ type: 'done', value }` or
 * `{ type: 'error', error }` once, and exits.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { fromWorkerError, toWorkerError, type WorkerError } from './worker-error.js';
import { startEngineWorker } from './worker-host.js';

/** What a one-shot worker posts. */
export type OneShotMessage<T> = { type: 'progress'; n: number } | { type: 'done'; value: T } | { type: 'error'; error: WorkerError };

/** A one-shot worker running. */
export interface OneShot<T> {
  /** Its answer; rejects with its error, E_INTERNAL when it fails or stops without answering, E_CANCELLED after cancel(). */
  result: Promise<T>;
  /** Stops it. */
  cancel(): void;
}

/** Starts the worker script at `url` with `workerData`; `onProgress` receives its progress counts. */
export function startOneShotWorker<T>(url: URL, workerData: unknown, onProgress?: (n: number) => void): OneShot<T> {
  let settle: { resolve: (v: T) => void; reject: (e: ScelleError) => void } | null = null;
  const result = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (f: (s: NonNullable<typeof settle>) => void) => {
    const s = settle;
    if (!s) return;
    settle = null;
    void host.stop();
    f(s);
  };
  const host = startEngineWorker<OneShotMessage<T>>(
    url,
    { name: 'worker', workerData },
    (m) => {
      if (m.type === 'progress') onProgress?.(m.n);
      else if (m.type === 'done') finish((s) => s.resolve(m.value));
      else finish((s) => s.reject(fromWorkerError(m.error)));
    },
    (e) => finish((s) => s.reject(e)),
  );
  return { result, cancel: () => finish((s) => s.reject(new ScelleError('E_CANCELLED', 'the operation was cancelled'))) };
}

/** The worker side: posts the value of `work` (or its error) to the thread that started it. */
export async function answerOneShot<T>(post: (m: OneShotMessage<T>) => void, work: () => T | Promise<T>): Promise<void> {
  try {
    post({ type: 'done', value: await work() });
  } catch (e) {
    post({ type: 'error', error: toWorkerError(e) });
  }
}
