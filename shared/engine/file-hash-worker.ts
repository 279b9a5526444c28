/** Worker thread entry of {@link hashFiles}: hashes each file in order, reports bytes, then the hashes. */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256FileSync } from './file-hasher.js';

const port = parentPort!;
const { paths } = workerData as { paths: string[] };
const hashes: (string | null)[] = [];
for (const path of paths) {
  try {
    hashes.push(sha256FileSync(path, (n) => { if (n > 0) port.postMessage({ type: 'bytes', n }); }));
  } catch {
    hashes.push(null);
  }
}
port.postMessage({ type: 'done', hashes });
