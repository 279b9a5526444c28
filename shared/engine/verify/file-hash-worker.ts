/** Worker thread entry of {@link hashFiles}: hashes each file in order, reports bytes, then the hashes. */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256FileSync } from './file-hasher.js';
import { answerOneShot } from '../workers/one-shot-worker.js';

const post = (m: unknown) => parentPort!.postMessage(m);
const { paths } = workerData as { paths: string[] };
await answerOneShot(post, () =>
  paths.map((path) => {
    try {
      return sha256FileSync(path, (n) => {
        if (n > 0) post({ type: 'progress', n });
      });
    } catch {
      return null;
    }
  }),
);
