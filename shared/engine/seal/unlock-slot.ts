/**
 * The slow half of a seal's unlock-code keyslot (Argon2id, 64 MiB), started before the sources
 * are counted so that it runs on another core meanwhile, on a short-lived worker thread when
 * compiled: the worker gives its 64 MiB back to the system when it exits, before the payload
 * pipeline starts (peak memory stays under 256 MiB). The code and the derived key cross
 * threads in this process's memory only.
 */
import { deriveUnlockCodeKey } from '../../format/keyslot.js';
import { compiledWorkers } from '../workers/compiled-worker.js';
import { startOneShotWorker, type OneShot } from '../workers/one-shot-worker.js';

const workerUrl = new URL('./kdf-worker.js', import.meta.url);

/** A derivation under way: `result` is the key and salt (rejects with E_KEY_UNLOCK_CODE_*, E_INTERNAL, or E_CANCELLED after `cancel`). */
export type UnlockKeyDerivation = OneShot<{ kek: Uint8Array; salt: Uint8Array }>;

/** Starts deriving the key of `canonicalCode` (see deriveUnlockCodeKey). */
export function startUnlockKeyDerivation(canonicalCode: string): UnlockKeyDerivation {
  const run: UnlockKeyDerivation = compiledWorkers(workerUrl)
    ? startOneShotWorker(workerUrl, { canonicalCode })
    : { result: deriveUnlockCodeKey(canonicalCode), cancel: () => undefined };
  run.result.catch(() => undefined); // awaited by the seal, or abandoned when it failed first
  return run;
}
