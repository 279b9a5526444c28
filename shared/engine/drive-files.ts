/**
 * The files of a drive folder, opened as hostile input. Everything on a drive may have been
 * planted by an interceptor, and the manifest's signature covers neither extra files nor the
 * folder layout, so every file the engine reads or writes on a drive is reached here:
 * - every folder between the drive folder and the file is a real folder (lstat, never a link),
 *   and its real path (after resolution) lies inside the drive folder's real path;
 * - the file itself is opened with O_NOFOLLOW (a link is refused by the kernel) and must be a
 *   regular file (fstat), so a link, a FIFO or a device is never opened for writing or read;
 * - whole-file reads are bounded (E_FORMAT_LIMIT).
 * Windows has no O_NOFOLLOW: there the lstat of the name just before opening decides.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';

/** O_NOFOLLOW where the platform has it (0 on Windows, where lstat decides). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Why a drive entry was refused (the `reason` detail of E_FORMAT_UNSAFE_ENTRY). */
export type UnsafeReason = 'link' | 'not-a-file' | 'not-a-folder' | 'outside';

/** The error for a refused drive entry `rel` (relative to the drive folder). */
export function unsafeEntryError(rel: string, reason: UnsafeReason): ScelleError {
  const why = { link: 'is a symbolic link', 'not-a-file': 'is not a regular file', 'not-a-folder': 'is not a real folder', outside: 'resolves outside the drive folder' }[reason];
  return new ScelleError('E_FORMAT_UNSAFE_ENTRY', `${rel} on the drive ${why}; it was refused (nothing was read or written through it)`, { path: rel, reason });
}

/** What a name in the drive folder is, judged without following links. */
export type DriveEntryKind = 'missing' | 'file' | 'folder' | 'link' | 'other';

/** The kind of `rel` inside `driveDir`, by lstat (a link is never followed). Throws the fs error other than ENOENT/ENOTDIR. */
export function driveEntryKind(driveDir: string, rel: string): DriveEntryKind {
  let st;
  try {
    st = lstatSync(join(driveDir, rel));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw e;
  }
  if (st.isSymbolicLink()) return 'link';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'folder';
  return 'other';
}

/**
 * Checks that the folders leading to `rel` ('/'-separated, relative to `driveDir`) are real
 * folders inside the drive folder, and returns the absolute path of `rel`. A missing folder
 * is not an error here (opening the file then fails with ENOENT).
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY (a folder on the way is a link, not a folder, or
 *   resolves outside the drive folder).
 */
export function confinedPath(driveDir: string, rel: string): string {
  const parts = rel.split('/');
  if (rel === '' || isAbsolute(rel) || parts.some((p) => p === '' || p === '.' || p === '..')) throw unsafeEntryError(rel, 'outside');
  let at = '';
  for (const folder of parts.slice(0, -1)) {
    at = at === '' ? folder : `${at}/${folder}`;
    const kind = driveEntryKind(driveDir, at);
    if (kind === 'missing') return join(driveDir, rel);
    if (kind === 'link') throw unsafeEntryError(at, 'link');
    if (kind !== 'folder') throw unsafeEntryError(at, 'not-a-folder');
  }
  if (at !== '') {
    // Confinement after resolution: the real parent lies inside the real drive folder.
    const inside = relative(realpathSync(driveDir), realpathSync(join(driveDir, at)));
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw unsafeEntryError(at, 'outside');
  }
  return join(driveDir, rel);
}

/** An open regular file of the drive. */
export interface DriveFile {
  fd: number;
  size: number;
}

/**
 * Opens the regular file `rel` of the drive with `flags` (default read-only; never O_CREAT:
 * only files that exist are opened) without following any link.
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY (a link, not a regular file, or reached through a
 *   link or outside the drive folder); the fs error (e.g. ENOENT) when it cannot be opened,
 *   for the caller to name as missing.
 */
export function openDriveFile(driveDir: string, rel: string, flags: number = constants.O_RDONLY): DriveFile {
  const path = confinedPath(driveDir, rel);
  if (O_NOFOLLOW === 0 && driveEntryKind(driveDir, rel) === 'link') throw unsafeEntryError(rel, 'link');
  let fd: number;
  try {
    fd = openSync(path, flags | O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // O_NOFOLLOW on a link: ELOOP (Linux, macOS), EMLINK (FreeBSD), EFTYPE (some BSDs).
    if (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE') throw unsafeEntryError(rel, 'link');
    if (code === 'EISDIR' || code === 'ENXIO') throw unsafeEntryError(rel, 'not-a-file');
    throw e;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw unsafeEntryError(rel, 'not-a-file');
  }
  return { fd, size: st.size };
}

/**
 * Reads the whole regular file `rel` of the drive, refusing one larger than `maxBytes`.
 * @throws as {@link openDriveFile}, and ScelleError E_FORMAT_LIMIT (`what` names the file).
 */
export function readDriveFile(driveDir: string, rel: string, maxBytes: number): Buffer {
  const { fd, size } = openDriveFile(driveDir, rel);
  try {
    if (size > maxBytes) throw new ScelleError('E_FORMAT_LIMIT', `${rel} holds ${size} bytes, more than the ${maxBytes} allowed`, { what: rel, value: size, max: maxBytes });
    const out = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `rel` is absent or a regular file of the drive reached through real folders.
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY.
 */
export function requireFileOrAbsent(driveDir: string, rel: string): void {
  confinedPath(driveDir, rel);
  const kind = driveEntryKind(driveDir, rel);
  if (kind === 'link') throw unsafeEntryError(rel, 'link');
  if (kind === 'folder' || kind === 'other') throw unsafeEntryError(rel, 'not-a-file');
}

/**
 * Checks that `rel` is absent or a real folder of the drive (not a link to one).
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY.
 */
export function requireFolderOrAbsent(driveDir: string, rel: string): void {
  confinedPath(driveDir, rel);
  const kind = driveEntryKind(driveDir, rel);
  if (kind === 'link') throw unsafeEntryError(rel, 'link');
  if (kind === 'file' || kind === 'other') throw unsafeEntryError(rel, 'not-a-folder');
}
