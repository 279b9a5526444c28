/**
 * Restores one file of a drive from a {@link PayloadReader}: the same code runs in the main
 * thread and in the restore workers. A file never appears under its final name before every
 * byte of it authenticated and its SHA-256 matched the index:
 * - a small file is decrypted and hashed in memory, then created exclusively (O_EXCL) under
 *   its name and fsync'd;
 * - a large file is streamed to a temporary name beside its destination, hashed as it goes,
 *   fsync'd and put in place only once the hash matched: without overwrite, by a hard link to
 *   the final name (atomic no-clobber: EEXIST, never a check-then-rename race) then removing the
 *   temporary name; where the file system has no hard links (FAT, exFAT), by an exclusive copy.
 * Modes are applied without setuid/setgid/sticky bits or group/other write unless asked
 * (restore-paths.ts restoredMode).
 */
import { createHash, hash as hashOnce } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  futimesSync,
  linkSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { ScelleError } from '../../errors/scelle-error.js';
import type { IndexEntry } from '../api.js';
import type { PayloadReader } from '../payload/payload-reader.js';
import { writeAll, writevAll } from '../durable-fs.js';
import { restoredMode } from './restore-paths.js';

/** Files up to this size are verified in memory, then written once under their final name. */
export const SMALL_FILE = 4 << 20;

/** One file to restore: its index entry and its absolute destination (bytes, parent folder exists). */
export interface RestoreJob {
  entry: IndexEntry;
  target: Buffer;
}

/** How files are restored, and the hooks of the thread that restores them. */
export interface RestoreContext {
  /** Replace existing files (never folders). */
  overwrite: boolean;
  /** Apply recorded modes as they are (else made safe: restore-paths.ts restoredMode). */
  keepModes: boolean;
  /** The process umask: modes it would strip are set explicitly. */
  umask: number;
  /** fsync each small file as it is written; false when the whole restore is flushed at the end (restore-flush.ts). */
  fsyncEachFile: boolean;
  /** Throws E_CANCELLED when the job was cancelled. */
  checkCancelled: () => void;
  /** Called as bytes of a large file are written (small files count when done). */
  onBytes: (n: number) => void;
}

const smallFileBuffer = Buffer.allocUnsafeSlow(SMALL_FILE);

function finishFile(fd: number, e: IndexEntry, ctx: RestoreContext): void {
  const mode = restoredMode(e.mode, ctx.keepModes);
  if ((mode & ~ctx.umask) !== mode) fchmodSync(fd, mode);
  futimesSync(fd, e.mtime / 1000, e.mtime / 1000);
  if (ctx.fsyncEachFile) fsyncSync(fd);
}

/** The error for a file that appeared at a destination during the restore. */
export function clashError(target: Buffer): ScelleError {
  return new ScelleError('E_RESTORE_EXISTS', `${target.toString()} appeared during the restore; it was not replaced`, { path: target.toString() });
}

function contentHashError(e: IndexEntry): ScelleError {
  return new ScelleError('E_FORMAT_CONTENT_HASH', `${e.path} does not match its SHA-256 in the index`, { path: e.path });
}

function folderError(target: Buffer): ScelleError {
  return new ScelleError('E_RESTORE_EXISTS', `${target.toString()} is a folder; it was not replaced`, { path: target.toString() });
}

/** True when `path` exists (a dangling link counts). */
export function pathExists(path: Buffer): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a folder (not a link to one). */
export function isFolder(path: Buffer): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Restores a file of at most {@link SMALL_FILE} bytes. Throws E_FORMAT_* (nothing created),
 * E_RESTORE_EXISTS (the name appeared meanwhile, or is a folder, nothing replaced).
 */
export function restoreSmallFile(reader: PayloadReader, job: RestoreJob, ctx: RestoreContext): void {
  const { entry: e, target } = job;
  // One buffer for every small file of this thread: no allocation per file.
  const data = reader.readInto(e.offset, e.size, smallFileBuffer);
  if (hashOnce('sha256', data, 'hex') !== e.sha256) throw contentHashError(e);
  if (ctx.overwrite && existsSync(target)) {
    if (lstatSync(target).isDirectory()) throw folderError(target);
    rmSync(target, { force: true });
  }
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, restoredMode(e.mode, ctx.keepModes));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw clashError(target);
    throw err;
  }
  try {
    writeAll(fd, data);
    finishFile(fd, e, ctx);
  } catch (err) {
    closeSync(fd);
    rmSync(target, { force: true });
    throw err;
  }
  closeSync(fd);
}

/**
 * Restores a file of any size through a temporary name in its folder, chunk by chunk (see
 * PayloadReader.forEachChunk: a prefetcher, when attached, is waited on per chunk). Throws as
 * {@link restoreSmallFile}, and E_CANCELLED; on any error the temporary file is removed.
 */
export async function restoreLargeFile(reader: PayloadReader, job: RestoreJob, ctx: RestoreContext): Promise<void> {
  const { entry: e, target } = job;
  const slash = target.lastIndexOf(0x2f);
  const dir = target.subarray(0, slash);
  const name = target.subarray(slash + 1);
  const tmp = Buffer.concat([dir, Buffer.from('/.'), name.subarray(0, 200), Buffer.from(`.scelle-partial-${process.pid}-${e.offset}`)]);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let ok = false;
  try {
    const hash = createHash('sha256');
    await reader.forEachChunk(e.offset, e.size, (slices, n) => {
      for (const s of slices) hash.update(s);
      writevAll(fd, slices);
      ctx.onBytes(n);
      ctx.checkCancelled();
    });
    if (hash.digest('hex') !== e.sha256) throw contentHashError(e);
    fchmodSync(fd, restoredMode(e.mode, ctx.keepModes));
    futimesSync(fd, e.mtime / 1000, e.mtime / 1000);
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(tmp, { force: true });
  }
  if (ctx.overwrite) {
    if (isFolder(target)) {
      rmSync(tmp, { force: true });
      throw folderError(target);
    }
    renameSync(tmp, target);
    return;
  }
  placeExclusively(tmp, target);
}

/** Hard links unsupported by the file system (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Creates the symbolic link `target` → `linkTarget` only if nothing is at `target` (symlink(2)
 * never replaces a name). Throws E_RESTORE_EXISTS when a name appeared there after the plan,
 * leaving it as it is; the file system's error otherwise.
 */
export function placeLinkExclusively(linkTarget: Buffer, target: Buffer): void {
  try {
    symlinkSync(linkTarget, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw clashError(target);
    throw err;
  }
}

/**
 * Puts the finished temporary file `tmp` at `target` only if nothing is there, atomically:
 * link(tmp, target) fails with EEXIST when the name exists (whatever appeared since the plan),
 * then tmp is removed. Without hard links, an exclusive copy (COPYFILE_EXCL: also fails when
 * the name exists). The temporary file is removed in every case.
 * @throws E_RESTORE_EXISTS when `target` exists (nothing replaced); the fs error otherwise.
 */
export function placeExclusively(tmp: Buffer, target: Buffer): void {
  try {
    try {
      linkSync(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') throw clashError(target);
      if (!NO_HARD_LINKS.has(code)) throw err;
      try {
        copyFileSync(tmp, target, constants.COPYFILE_EXCL);
        const st = statSync(tmp);
        utimesSync(target, st.atime, st.mtime);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') throw clashError(target);
        throw copyErr;
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}
