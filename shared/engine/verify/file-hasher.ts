/**
 * SHA-256 of whole files (a drive's parts and index, for the media check), on a worker thread
 * when compiled so that it runs beside the decryption of a full verify. Progress comes back as
 * bytes hashed; cancellation stops the worker.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { ScelleError } from '../../errors/scelle-error.js';
import { throwIfCancelled } from '../abort.js';
import { compiledWorkers } from '../workers/compiled-worker.js';
import { startOneShotWorker } from '../workers/one-shot-worker.js';

const workerUrl = new URL('./file-hash-worker.js', import.meta.url);
const BLOCK = 1 << 20;

/** Hashes one file synchronously, calling `onBytes` every 64 MiB and at the end. Throws the fs error. */
export function sha256FileSync(path: string, onBytes: (n: number) => void, check: () => void = () => undefined): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)); // never through a link on the drive
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(BLOCK);
  let pending = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, BLOCK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pending += n;
      if (pending >= 64 * BLOCK) {
        onBytes(pending);
        pending = 0;
        check();
      }
    }
  } finally {
    closeSync(fd);
  }
  onBytes(pending);
  return hash.digest('hex');
}

/**
 * The hex SHA-256 of each file, in order (null for a file that cannot be read). Rejects with
 * E_CANCELLED when `signal` aborts, E_INTERNAL when the worker fails.
 */
export async function hashFiles(paths: string[], opts: { onBytes: (n: number) => void; signal?: AbortSignal | undefined }): Promise<(string | null)[]> {
  if (!compiledWorkers(workerUrl)) return hashInline(paths, opts);
  throwIfCancelled(opts.signal);
  const run = startOneShotWorker<(string | null)[]>(workerUrl, { paths }, opts.onBytes);
  const onAbort = () => run.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run.result;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function hashInline(paths: string[], opts: { onBytes: (n: number) => void; signal?: AbortSignal | undefined }): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (const path of paths) {
    throwIfCancelled(opts.signal);
    try {
      out.push(sha256FileSync(path, opts.onBytes, () => throwIfCancelled(opts.signal)));
    } catch (e) {
      if (e instanceof ScelleError) throw e;
      out.push(null);
    }
    await new Promise((r) => setImmediate(r));
  }
  return out;
}
