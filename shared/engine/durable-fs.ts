/** Crash-safe file writes on the target: fsync the data, rename into place, fsync the folder. */
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { targetError } from './target-errors.js';

/** fsyncs a folder so that entries created or renamed in it survive a crash. */
export function fsyncDir(dir: string | Buffer): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    // Some file systems (e.g. FAT on some kernels, Windows) refuse fsync on folders.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw targetError(e, dir.toString());
  }
}

/** Writes every byte of `data` at the file position (a short write goes on; throws the fs error). */
export function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** Writes every byte of `buffers` at the file position, in as few system calls as it can (throws the fs error). */
export function writevAll(fd: number, buffers: readonly Uint8Array[]): void {
  const IOV_MAX = 1024;
  let todo = buffers.slice();
  while (todo.length > 0) {
    const batch = todo.length > IOV_MAX ? todo.slice(0, IOV_MAX) : todo;
    let written = writevSync(fd, batch);
    const rest: Uint8Array[] = [];
    for (const b of batch) {
      if (written >= b.length) written -= b.length;
      else {
        rest.push(b.subarray(written));
        written = 0;
      }
    }
    todo = rest.concat(todo.slice(batch.length));
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file beside it, fsync'd, then renamed
 * over `path`, then the folder fsync'd. Throws E_TARGET_* on failure.
 */
export function writeFileDurable(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  try {
    // A leftover (or planted) temporary name is removed, never written through: the new one is
    // created exclusively, and rename replaces a link at `path` rather than following it.
    try {
      unlinkSync(tmp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw targetError(e, path);
  }
  fsyncDir(dirname(path));
}
