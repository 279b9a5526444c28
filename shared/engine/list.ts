/** list: the entries of a drive, from its encrypted index (needs a secret). */
import type { DriveSecret, IndexEntry } from './api.js';
import { loadDrive, unlockDrive } from './drive.js';

/**
 * Lists the drive's entries in tar order. Errors as {@link unlockDrive}:
 * E_FORMAT_MANIFEST, E_FORMAT_SIGNATURE, E_KEY_*, E_FORMAT_INDEX.
 */
export async function list(opts: { driveDir: string; secret: DriveSecret; pinnedRoots: readonly Uint8Array[] }): Promise<{ driveId: string; entries: IndexEntry[]; files: number; bytes: number }> {
  const drive = await unlockDrive(loadDrive(opts.driveDir, opts.pinnedRoots), opts.secret);
  drive.dataKey.fill(0);
  return { driveId: drive.manifest.driveId, entries: drive.entries, files: drive.indexHeader.files, bytes: drive.indexHeader.bytes };
}
