/**
 * erase: cryptographic erase of a sealed drive folder (NIST SP 800-88 Rev. 1 "cryptographic
 * erase"): the files that hold or protect the data key — manifest.json (keyslots),
 * manifest.sig, index.scx and an unfinished seal's .seal-state.json — are overwritten in place
 * with random bytes, fsync'd and deleted, so the data key can no longer be unwrapped and the
 * payload is ciphertext under a key nobody has. With `overwritePayload`, every payload part is
 * also overwritten with random bytes (fsync'd) before it is deleted. Then the remaining known
 * files (payload parts, the README) are deleted and the folders removed when empty.
 * Finally the result is verified: no key file remains and the folder no longer opens.
 *
 * Limits: this works at the file level. On flash
 * media with wear levelling, or on a copy-on-write or journaling file system, older copies of
 * the overwritten blocks may survive outside the file system's view; a sanitization of the
 * whole device is the device's own purge command or its destruction.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, constants, fsyncSync, lstatSync, readdirSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isScelleError } from '../errors/scelle-error.js';
import type { EventDataMap } from '../custody/event-data.js';
import { throwIfCancelled } from './abort.js';
import { loadDrive } from './drive.js';
import { driveEntryKind, openDriveFile, requireFileOrAbsent, requireFolderOrAbsent } from './drive-files.js';
import { DRIVE_DIR_PREFIX, INDEX_FILE, MANIFEST_FILE, PAYLOAD_DIR, README_FILE, SEAL_STATE_FILE, SIGNATURE_FILE } from './drive-layout.js';
import { fsyncDir } from './durable-fs.js';
import { targetError } from './target-errors.js';

/** Options of {@link eraseDrive}. */
export interface EraseOptions {
  /** The drive folder `SCELLE-<driveId>`, or a folder (mount point) holding exactly one. */
  driveDir: string;
  /** Also overwrite every payload part with random bytes before deleting it (slower: writes the whole payload once). */
  overwritePayload?: boolean;
  /** Checked once before anything is destroyed; an erase that started always runs to its end. */
  signal?: AbortSignal;
}

/** What {@link eraseDrive} did and how it checked the result. */
export interface EraseReport {
  driveId: string;
  /** The resolved drive folder (it no longer exists when the erase removed everything). */
  driveDir: string;
  /** hex SHA-256 of manifest.json before the erase (the custody anchor of the drive). */
  manifestSha256: string;
  /** Key files overwritten with random bytes, fsync'd and deleted (names relative to the drive folder). */
  keyFilesDestroyed: string[];
  /** True when payload parts were overwritten before deletion. */
  payloadOverwritten: boolean;
  /** Payload parts deleted (and overwritten when payloadOverwritten). */
  partsDeleted: number;
  /** Bytes overwritten with random data (key files, plus parts when payloadOverwritten). */
  bytesOverwritten: number;
  /** Files left in the folder that are not part of the scelle/1 layout (never deleted by erase). */
  leftovers: string[];
  /** Post-erase check: every key file is gone and the folder no longer loads as a drive. */
  verification: { method: 'full'; result: 'pass' | 'fail'; failures: string[] };
  /** When the erase finished (RFC 3339 UTC). */
  completedAt: string;
}

const CHUNK = 1 << 20;

/**
 * Overwrites the whole regular file `rel` of the drive with random bytes and fsyncs it.
 * Returns the bytes written. Never follows a link (drive-files.ts): throws E_FORMAT_UNSAFE_ENTRY.
 */
function overwriteWithRandom(driveDir: string, rel: string): number {
  const { fd, size } = openDriveFile(driveDir, rel, constants.O_RDWR);
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
    for (let pos = 0; pos < size;) {
      const n = Math.min(buf.length, size - pos);
      randomFillSync(buf, 0, n);
      let off = 0;
      while (off < n) off += writeSync(fd, buf, off, n - off, pos + off);
      pos += n;
    }
    fsyncSync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** True when `path` exists in any form (a link counts: it is judged, never followed). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeIfPresent(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Every name below `dir`, relative to it (an empty folder as `name/`); links are listed, never followed. */
function listRecursive(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    let isDir = false;
    try {
      isDir = lstatSync(p).isDirectory();
    } catch {
      /* vanished */
    }
    if (isDir) {
      const below = listRecursive(p, `${prefix}${n}/`);
      out.push(...(below.length > 0 ? below : [`${prefix}${n}/`]));
    } else out.push(`${prefix}${n}`);
  }
  return out;
}

/**
 * Before anything is destroyed: every name erase will open or delete is absent or a regular
 * file, payload/ absent or a real folder, all inside the drive folder. A planted link (e.g.
 * `.seal-state.json -> ~/victim`) stops the erase here with nothing touched.
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY naming the first such entry.
 */
function checkErasable(driveDir: string, names: readonly string[]): void {
  requireFolderOrAbsent(driveDir, PAYLOAD_DIR);
  for (const name of names) requireFileOrAbsent(driveDir, name);
}

/**
 * Crypto-erases the drive at `opts.driveDir` (see module doc) and verifies the result.
 * Extra files that are not part of the scelle/1 layout are never deleted; they are listed in
 * `leftovers` (and the folder is then kept). Only regular files and real folders inside the
 * drive folder are ever opened or deleted: links are never followed.
 * @throws ScelleError E_FORMAT_MANIFEST / E_FORMAT_SIGNATURE when the folder is not a sealed
 *   drive whose manifest verifies (nothing is touched then); E_FORMAT_UNSAFE_ENTRY when a
 *   file or folder erase would open is a symbolic link, not a regular file / real folder, or
 *   lies outside the drive folder (nothing is touched then: delete that entry and erase
 *   again); E_CANCELLED when `signal` is already aborted; E_TARGET_READ_ONLY / E_TARGET_IO when
 *   a file cannot be overwritten or deleted (the erase stops; key files are always handled
 *   first, so a failure on the payload leaves the data already unreadable).
 */
export function eraseDrive(opts: EraseOptions): EraseReport {
  const drive = loadDrive(opts.driveDir, []);
  const { driveDir, manifest } = drive;
  const driveId = manifest.driveId;
  const keyFiles = [MANIFEST_FILE, SEAL_STATE_FILE, INDEX_FILE, SIGNATURE_FILE];
  const partFiles = manifest.payload.parts.map((p) => p.file);
  checkErasable(driveDir, [...keyFiles, README_FILE, ...partFiles]);
  throwIfCancelled(opts.signal);
  const destroyed: string[] = [];
  let bytesOverwritten = 0;
  let partsDeleted = 0;
  const step = (path: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      if (isScelleError(e)) throw e;
      throw targetError(e, path);
    }
  };

  // 1. Key material first: once manifest.json is gone, nobody can unwrap the data key.
  for (const name of keyFiles) {
    const p = join(driveDir, name);
    if (driveEntryKind(driveDir, name) === 'missing') continue;
    step(p, () => {
      bytesOverwritten += overwriteWithRandom(driveDir, name);
      unlinkSync(p);
    });
    destroyed.push(name);
  }
  step(driveDir, () => fsyncDir(driveDir));

  // 2. The payload: overwritten when asked, then deleted.
  for (const file of partFiles) {
    const p = join(driveDir, file);
    step(p, () => {
      if (driveEntryKind(driveDir, file) === 'missing') return;
      if (opts.overwritePayload) bytesOverwritten += overwriteWithRandom(driveDir, file);
      if (removeIfPresent(p)) partsDeleted++;
    });
  }
  step(driveDir, () => removeIfPresent(join(driveDir, README_FILE)));
  const payloadDir = join(driveDir, PAYLOAD_DIR);
  if (driveEntryKind(driveDir, PAYLOAD_DIR) === 'folder') {
    step(payloadDir, () => fsyncDir(payloadDir));
    if (readdirSync(payloadDir).length === 0) step(payloadDir, () => rmdirSync(payloadDir));
  }
  const leftovers = listRecursive(driveDir);
  if (leftovers.length === 0 && basename(driveDir) === `${DRIVE_DIR_PREFIX}${driveId}`) {
    step(driveDir, () => rmdirSync(driveDir));
    step(driveDir, () => fsyncDir(join(driveDir, '..')));
  } else if (present(driveDir)) {
    step(driveDir, () => fsyncDir(driveDir));
  }

  // 3. Verification: no key file remains and the folder does not open as a drive any more.
  const failures: string[] = [];
  for (const name of keyFiles) if (present(join(driveDir, name))) failures.push(`${name} still exists`);
  for (const file of partFiles) if (present(join(driveDir, file))) failures.push(`${file} still exists`);
  try {
    loadDrive(driveDir, []);
    failures.push('the folder still opens as a sealed drive');
  } catch (e) {
    if (!isScelleError(e, 'E_FORMAT_MANIFEST')) failures.push(`unexpected check result ${isScelleError(e) ? e.code : 'error'}`);
  }
  return {
    driveId,
    driveDir,
    manifestSha256: drive.info.manifestSha256,
    keyFilesDestroyed: destroyed,
    payloadOverwritten: opts.overwritePayload === true,
    partsDeleted,
    bytesOverwritten,
    leftovers,
    verification: { method: 'full', result: failures.length === 0 ? 'pass' : 'fail', failures },
    completedAt: new Date().toISOString(),
  };
}

/** Kinds of media a sanitization record names. */
export type ErasedMediaType = EventDataMap['erased']['media']['type'];

/**
 * The NIST SP 800-88 Rev. 1 fields of the `erased` custody event for an erase report
 * (shared by the command line and the desktop app). `performedBy` is a role id, never a name.
 */
export function sanitizationData(
  report: EraseReport,
  opts: { mediaType: ErasedMediaType; mediaDescription: string; performedBy: string; tool: { name: string; version: string } },
): EventDataMap['erased'] {
  return {
    ...(report.payloadOverwritten ? { method: 'clear' as const, technique: 'overwrite' as const } : { method: 'purge' as const, technique: 'cryptographic-erase' as const }),
    media: { type: opts.mediaType, description: opts.mediaDescription },
    tool: opts.tool,
    verification: { method: 'full', result: report.verification.result },
    performedBy: opts.performedBy,
    performedAt: report.completedAt,
  };
}
