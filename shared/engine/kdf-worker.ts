/** Worker thread entry of {@link startUnlockKeyDerivation}: derives once, answers, exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { deriveUnlockCodeKey } from '../format/keyslot.js';
import { toSinkError } from './payload-sink.js';

const { canonicalCode } = workerData as { canonicalCode: string };
try {
  const { kek, salt } = await deriveUnlockCodeKey(canonicalCode);
  parentPort!.postMessage({ ok: true, kek, salt });
  kek.fill(0);
} catch (e) {
  parentPort!.postMessage({ ok: false, error: toSinkError(e) });
}
