/**
 * Reading source files for a seal without following links, and noticing when a file changes,
 * shrinks, disappears or is replaced while it is read. Errors are E_SOURCE_CHANGED (seal again
 * once nothing writes to the sources) and E_SOURCE_UNREADABLE (fix permissions or leave it out).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { hash as hashOnce } from 'node:crypto';
import { ScelleError } from '../../errors/scelle-error.js';

/** What reading needs to know of a source file: where it is and what the scan saw. */
export interface SourceFileFacts {
  sourcePath: Buffer;
  size: number;
  mtimeMs: number;
}

/** The error for a source that changed while it was sealed. */
export function sourceChanged(e: Pick<SourceFileFacts, 'sourcePath'>, what: string): ScelleError {
  const path = e.sourcePath.toString();
  return new ScelleError('E_SOURCE_CHANGED', `${path} ${what} while it was being sealed; make sure nothing writes to the sources, then seal again`, { path });
}

/** The error for sources that no longer make the tar stream their count found (entries added, removed or resized). */
export function changedSources(): ScelleError {
  return new ScelleError('E_SOURCE_CHANGED', 'the sources changed while they were being sealed (files added, removed or resized); seal again once they are stable');
}

/**
 * Opens a source file read-only, refusing a link put in its place. `flags` adds open flags
 * (O_NONBLOCK when the file was only typed by its folder's listing: a FIFO put in its place
 * must not block the seal).
 */
export function openSource(e: Pick<SourceFileFacts, 'sourcePath'>, flags = 0): number {
  try {
    return openSync(e.sourcePath, constants.O_RDONLY | constants.O_NOFOLLOW | flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') throw sourceChanged(e, code === 'ENOENT' ? 'disappeared' : 'was replaced by a link');
    throw new ScelleError('E_SOURCE_UNREADABLE', `${e.sourcePath.toString()} cannot be read (${code}); fix its permissions or leave it out`, {
      path: e.sourcePath.toString(),
      errno: String(code),
    });
  }
}

/** Reads up to `length` bytes at the file position into `target`; a file that ends early has shrunk. */
export function readSource(e: SourceFileFacts, fd: number, target: Buffer, length: number): number {
  let got: number;
  try {
    got = readSync(fd, target, 0, length, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScelleError('E_SOURCE_UNREADABLE', `reading ${e.sourcePath.toString()} failed (${code})`, { path: e.sourcePath.toString(), errno: String(code) });
  }
  if (got === 0) throw sourceChanged(e, 'shrank');
  return got;
}

/**
 * Reads exactly `size` bytes of the open file into `out` at `at`, and makes sure the file ends
 * there: it asks for one byte more (in `out` when it has room past the data, else in a second
 * read), so a file that grew while read is E_SOURCE_CHANGED like one that shrank. A read of a
 * regular file that returns fewer bytes than asked has met the file's end: when that end is at
 * `size`, no further read is made (one read for a small file, as `tar` does; a read that comes
 * back short before `size` is followed by more reads, and one that returns nothing means the
 * file shrank).
 */
export function readExactly(e: SourceFileFacts, fd: number, out: Buffer, at: number, size: number): void {
  const want = Math.min(size + 1, out.length - at);
  let done = 0;
  while (done < want) {
    const asked = want - done;
    const got = readAt(e, fd, out, at + done, asked);
    if (got === 0) break;
    done += got;
    if (got < asked && done === size) return; // the file ended exactly where its size said
  }
  if (done < size) throw sourceChanged(e, 'shrank');
  if (done > size || (want === size && readAt(e, fd, ONE_BYTE, 0, 1) > 0)) throw sourceChanged(e, 'grew');
}

function readAt(e: SourceFileFacts, fd: number, out: Buffer, at: number, length: number): number {
  try {
    return readSync(fd, out, at, length, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScelleError('E_SOURCE_UNREADABLE', `reading ${e.sourcePath.toString()} failed (${code})`, { path: e.sourcePath.toString(), errno: String(code) });
  }
}

const ONE_BYTE = Buffer.alloc(1);

/** Same size and time as when counted, and still linked: not changed, deleted or replaced (renamed over) while read. */
export function checkUnchanged(e: SourceFileFacts, fd: number): void {
  const after = fstatSync(fd);
  if (!after.isFile() || after.size !== e.size || after.mtimeMs !== e.mtimeMs) throw sourceChanged(e, 'changed');
  if (after.nlink === 0) throw sourceChanged(e, 'disappeared or was replaced');
}

/** Reads a whole file into `target` (exactly its size), checks it did not change, and returns its SHA-256 (hex). */
export function readWholeSource(e: SourceFileFacts, target: Buffer): string {
  const fd = openSource(e);
  try {
    for (let done = 0; done < e.size;) done += readSource(e, fd, target.subarray(done), e.size - done);
    checkUnchanged(e, fd);
  } finally {
    closeSync(fd);
  }
  return hashOnce('sha256', target, 'hex');
}
