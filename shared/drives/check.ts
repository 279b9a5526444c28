/**
 * Whether a drive can receive a seal: enough free space for the estimated sealed size, a
 * writable volume, and a part size the file system can hold (FAT32: 4 GiB − 1 per file).
 */
import { maxFileBytes } from './fs-kind.js';
import { DEFAULT_PART_PLAINTEXT_SIZE, estimateTarSize, largestPartFor, sealedBytes, streamCiphertextSize } from '../format/payload-size.js';
import type { AttachedDrive } from './types.js';

export { DEFAULT_PART_PLAINTEXT_SIZE, largestPartFor, streamCiphertextSize } from '../format/payload-size.js';

/** Estimated bytes a seal of `bytes` in `files` entries takes on the drive (see shared/format/payload-size.ts). */
export function estimateSealedBytes(bytes: number, files: number, partPlaintextSize = DEFAULT_PART_PLAINTEXT_SIZE): number {
  return sealedBytes(estimateTarSize(bytes, files), files, partPlaintextSize);
}

/** Stable codes of drive-check findings: E_* block the seal, W_* are notes. */
export type DriveCheckCode = 'E_TARGET_TOO_SMALL' | 'E_TARGET_READ_ONLY' | 'E_TARGET_NOT_FOUND' | 'W_FS_PART_LIMIT' | 'W_FS_UNKNOWN';

/** The verdict of checkDriveForSeal. */
export interface DriveCheck {
  ok: boolean;
  /** The part size to seal with (lowered for file systems with a small file limit). */
  partPlaintextSize: number;
  problems: { code: DriveCheckCode; details: Record<string, string | number | boolean> }[];
}

/**
 * Checks a drive before sealing `bytesNeeded` plaintext bytes in `files` entries.
 * Never throws: every finding is a coded problem. `ok` is false only for E_* problems.
 */
export function checkDriveForSeal(drive: AttachedDrive, opts: { bytesNeeded: number; files?: number; partPlaintextSize?: number }): DriveCheck {
  const problems: DriveCheck['problems'] = [];
  let part = opts.partPlaintextSize ?? DEFAULT_PART_PLAINTEXT_SIZE;
  const limit = maxFileBytes(drive.fileSystem);
  if (limit !== null && streamCiphertextSize(part) > limit) {
    const lowered = largestPartFor(limit);
    problems.push({ code: 'W_FS_PART_LIMIT', details: { fileSystem: drive.fileSystem, maxFileBytes: limit, partPlaintextSize: lowered, asked: part } });
    part = lowered;
  }
  if (drive.fileSystem === 'other') problems.push({ code: 'W_FS_UNKNOWN', details: { fileSystem: drive.rawFileSystem } });
  if (drive.readOnly) problems.push({ code: 'E_TARGET_READ_ONLY', details: { mountpoint: drive.mountpoint } });
  const needed = estimateSealedBytes(opts.bytesNeeded, opts.files ?? 1, part);
  if (drive.freeBytes !== null && drive.freeBytes < needed) {
    problems.push({ code: 'E_TARGET_TOO_SMALL', details: { freeBytes: drive.freeBytes, bytesNeeded: needed, missingBytes: needed - drive.freeBytes } });
  } else if (drive.freeBytes === null && drive.sizeBytes < needed) {
    problems.push({ code: 'E_TARGET_TOO_SMALL', details: { sizeBytes: drive.sizeBytes, bytesNeeded: needed, missingBytes: needed - drive.sizeBytes } });
  }
  return { ok: !problems.some((p) => p.code.startsWith('E_')), partPlaintextSize: part, problems };
}
