/**
 * The slow half of a seal's unlock-code keyslot (Argon2id, 64 MiB), started before the sources
 * are counted so that it runs on another core meanwhile, on a short-lived worker thread when
 * compiled: the worker gives its 64 MiB back to the system when it exits, before the payload
 * pipeline starts (peak memory stays under 256 MiB). The code and the derived key cross
 * threads in this process's memory only.
 */
import { Worker } from 'node:worker_threads';
import { ScelleError } from '../errors/scelle-error.js';
import { deriveUnlockCodeKey } from '../format/keyslot.js';
import type { SinkErrorMessage } from './payload-sink.js';
import { compiledWorkers } from './compiled-worker.js';

const workerUrl = new URL('./kdf-worker.js', import.meta.url);

/** A derivation under way. */
export interface UnlockKeyDerivation {
  /** The key and salt; rejects with the derivation's error (E_KEY_UNLOCK_CODE_*, E_INTERNAL). */
  result: Promise<{ kek: Uint8Array; salt: Uint8Array }>;
  /** Stops it (the seal failed first); `result` then never settles. */
  cancel(): void;
}

/** Starts deriving the key of `canonicalCode` (see deriveUnlockCodeKey). */
export function startUnlockKeyDerivation(canonicalCode: string): UnlockKeyDerivation {
  if (!compiledWorkers(workerUrl)) {
    const result = deriveUnlockCodeKey(canonicalCode);
    result.catch(() => undefined);
    return { result, cancel: () => undefined };
  }
  const worker = new Worker(workerUrl, { workerData: { canonicalCode } });
  const result = new Promise<{ kek: Uint8Array; salt: Uint8Array }>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { ok: true; kek: Uint8Array; salt: Uint8Array } | { ok: false; error: SinkErrorMessage }) => {
      settled = true;
      if (m.ok) resolve({ kek: m.kek, salt: m.salt });
      else reject(new ScelleError(m.error.code, m.error.message, m.error.details));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(new ScelleError('E_INTERNAL', `key derivation worker failed: ${e.message}`));
    });
    worker.once('exit', () => {
      if (!settled) reject(new ScelleError('E_INTERNAL', 'key derivation worker stopped early'));
    });
  });
  result.catch(() => undefined);
  return { result, cancel: () => void worker.terminate() };
}
