/**
 * File-system names, normalized across lsblk, diskutil and PowerShell, and the largest file
 * each one can hold (which bounds the size of a payload part).
 */

/** The file systems Scellé distinguishes; anything else is `other`. */
export const FILE_SYSTEMS = ['fat32', 'exfat', 'ntfs', 'ext4', 'ext3', 'ext2', 'apfs', 'hfs+', 'btrfs', 'xfs', 'other'] as const;
/** A normalized file-system name. */
export type FileSystemKind = (typeof FILE_SYSTEMS)[number];

/** FAT32's largest file: 4 GiB − 1 byte. */
export const FAT32_MAX_FILE_BYTES = 4 * 1024 ** 3 - 1;

/**
 * Maps a raw file-system name from any platform tool (`vfat`, `msdos`, `MS-DOS FAT32`,
 * `FAT32`, `exfat`, `ExFAT`, `NTFS`, `apfs`, `hfs`, `ext4`...) to a FileSystemKind.
 * Unknown or empty names give `other`; never throws.
 */
export function normalizeFileSystem(raw: string | null | undefined): FileSystemKind {
  const s = (raw ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '');
  if (s === '') return 'other';
  if (s === 'vfat' || s === 'fat32' || s === 'msdos' || s === 'ms-dosfat32' || s === 'fat') return 'fat32';
  if (s === 'exfat') return 'exfat';
  if (s === 'ntfs' || s === 'ntfs3' || s === 'fuseblk') return s === 'fuseblk' ? 'other' : 'ntfs';
  if (s === 'ext4' || s === 'ext3' || s === 'ext2') return s;
  if (s === 'apfs') return 'apfs';
  if (s === 'hfs' || s === 'hfs+' || s === 'hfsplus' || s === 'machfs' || s.startsWith('macosextended') || s === 'journaledhfs+') return 'hfs+';
  if (s === 'btrfs' || s === 'xfs') return s;
  return 'other';
}

/** The largest single file the file system holds, or null when it is not a practical limit. */
export function maxFileBytes(fs: FileSystemKind): number | null {
  return fs === 'fat32' ? FAT32_MAX_FILE_BYTES : null;
}
