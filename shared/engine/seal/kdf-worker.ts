/** Worker thread entry of {@link startUnlockKeyDerivation}: derives once, answers, zeroes its copy of the key, exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { deriveUnlockCodeKey } from '../../format/keyslot.js';
import { answerOneShot } from '../workers/one-shot-worker.js';

const { canonicalCode } = workerData as { canonicalCode: string };
let kek: Uint8Array | undefined;
await answerOneShot(
  (m) => parentPort!.postMessage(m),
  async () => {
    const derived = await deriveUnlockCodeKey(canonicalCode);
    kek = derived.kek;
    return derived;
  },
);
kek?.fill(0); // postMessage copied it
