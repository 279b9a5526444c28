/** Checks on the folder a seal writes into: existence, writability, free space, file-size limit. */
import { accessSync, constants, statSync, statfsSync } from 'node:fs';
import { ScelleError } from '../../errors/scelle-error.js';
import { DEFAULT_PART_PLAINTEXT_SIZE, largestPartFor, MIN_PART_PLAINTEXT_SIZE } from '../../format/payload-size.js';

export { DEFAULT_PART_PLAINTEXT_SIZE, MIN_PART_PLAINTEXT_SIZE };

/** Largest file FAT32 holds. */
export const FAT32_MAX_FILE = 2 ** 32 - 1;
const MSDOS_SUPER_MAGIC = 0x4d44;

/** What a seal needs to know of its target. */
export interface TargetInfo {
  freeBytes: number;
  /** Largest file the file system accepts, or null when effectively unlimited. */
  maxFileSize: number | null;
  fileSystem: string;
}

/**
 * Inspects `target`. Throws E_TARGET_NOT_FOUND (missing or not a folder) and
 * E_TARGET_READ_ONLY (not writable).
 */
export function inspectTarget(target: string): TargetInfo {
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ScelleError('E_TARGET_NOT_FOUND', `target folder ${target} does not exist`, { path: target });
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw new ScelleError('E_TARGET_READ_ONLY', `target folder ${target} is not writable`, { path: target });
  }
  const fs = statfsSync(target);
  const fat = fs.type === MSDOS_SUPER_MAGIC;
  return { freeBytes: fs.bavail * fs.bsize, maxFileSize: fat ? FAT32_MAX_FILE : null, fileSystem: fat ? 'vfat' : `0x${fs.type.toString(16)}` };
}

/**
 * The part size to use: the requested one (or 1 GiB), lowered when the target's file system
 * cannot hold a part that large. Throws E_USAGE for a size below one segment.
 */
export function choosePartPlaintextSize(requested: number | undefined, info: Pick<TargetInfo, 'maxFileSize'>): number {
  const size = requested ?? DEFAULT_PART_PLAINTEXT_SIZE;
  if (!Number.isSafeInteger(size) || size < MIN_PART_PLAINTEXT_SIZE) {
    throw new ScelleError('E_USAGE', `part size must be at least ${MIN_PART_PLAINTEXT_SIZE} bytes`, { reason: '--part-size' });
  }
  return info.maxFileSize === null ? size : Math.min(size, largestPartFor(info.maxFileSize));
}
