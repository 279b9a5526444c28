import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDriveForSeal, DEFAULT_PART_PLAINTEXT_SIZE, estimateSealedBytes, largestPartFor, streamCiphertextSize } from './check.js';
import { listAttachedDrives, offerableDrives } from './discover.js';
import { FAT32_MAX_FILE_BYTES, normalizeFileSystem } from './fs-kind.js';
import { parseLsblk } from './linux.js';
import { parseDiskutilInfo, parseDiskutilList } from './macos.js';
import { parsePlist } from './plist.js';
import { findSealedFolders } from './sealed-folders.js';
import type { AttachedDrive } from './types.js';
import { parseWindowsVolumes } from './windows.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const drive = (over: Partial<AttachedDrive> = {}): AttachedDrive => ({
  id: '/dev/sdb1',
  disk: '/dev/sdb',
  label: 'X',
  model: 'M',
  mountpoint: '/media/x',
  sizeBytes: 2e12,
  freeBytes: 2e12,
  fileSystem: 'exfat',
  rawFileSystem: 'exfat',
  removable: true,
  bus: 'usb',
  readOnly: false,
  isSystem: false,
  ...over,
});

describe('Linux lsblk', () => {
  const drives = parseLsblk(fixture('lsblk-workstation.json'));
  it('finds mounted volumes, skipping loops, swap and unmounted partitions', () => {
    expect(drives.map((d) => d.id)).toEqual(['/dev/sda1', '/dev/sdb1', '/dev/sdc1', '/dev/nvme0n1p1', '/dev/mapper/vg-root']);
  });
  it('marks the disk holding / (through LUKS and LVM) as system', () => {
    expect(drives.filter((d) => d.isSystem).map((d) => d.id)).toEqual(['/dev/nvme0n1p1', '/dev/mapper/vg-root']);
  });
  it('offers only removable, non-system volumes by default', () => {
    expect(offerableDrives(drives).map((d) => d.id)).toEqual(['/dev/sdb1', '/dev/sdc1']);
    expect(offerableDrives(drives, true).map((d) => d.id)).toEqual(['/dev/sda1', '/dev/sdb1', '/dev/sdc1']);
  });
  it('reads labels, file systems and sizes', () => {
    const usb = drives.find((d) => d.id === '/dev/sdc1')!;
    expect(usb).toMatchObject({
      label: 'CLE USB',
      fileSystem: 'fat32',
      sizeBytes: 31913934848,
      removable: true,
      bus: 'usb',
      model: 'Ultra Fit',
      mountpoint: '/media/tech/CLE USB',
    });
  });
  it('accepts older lsblk output with strings for numbers and flags', () => {
    const old = parseLsblk(fixture('lsblk-old-strings.json'));
    expect(old.map((d) => [d.id, d.isSystem, d.removable, d.sizeBytes])).toEqual([
      ['/dev/sda1', true, false, 250058301440],
      ['/dev/sdb', false, true, 8053063680],
    ]);
  });
  it('throws on garbage', () => expect(() => parseLsblk('not json')).toThrow(SyntaxError));
});

describe('macOS diskutil', () => {
  it('parses plists with entities', () => {
    expect(parsePlist('<plist><dict><key>a</key><string>x &amp; &#xC9;</string><key>b</key><array><integer>3</integer><true/></array><key>c</key><dict/></dict></plist>')).toEqual({
      a: 'x & É',
      b: [3, true],
      c: {},
    });
    expect(() => parsePlist('<plist><dict><string>x</string></dict></plist>')).toThrow(SyntaxError);
  });
  it('lists mounted volumes only', () => {
    expect(parseDiskutilList(fixture('diskutil-list-external.plist'))).toEqual(['disk4s2', 'disk6s1']);
  });
  it('reads an exFAT USB volume', () => {
    expect(parseDiskutilInfo(fixture('diskutil-info-disk4s2.plist'))).toMatchObject({
      id: 'disk4s2',
      disk: 'disk4',
      label: 'LIVRAISON',
      mountpoint: '/Volumes/LIVRAISON',
      fileSystem: 'exfat',
      freeBytes: 1999700000000,
      removable: true,
      bus: 'usb',
      isSystem: false,
      readOnly: false,
    });
  });
  it('reads a FAT32 stick', () => {
    expect(parseDiskutilInfo(fixture('diskutil-info-disk6s1.plist'))).toMatchObject({ fileSystem: 'fat32', label: 'CLÉ & CO', mountpoint: '/Volumes/CLÉ & CO' });
  });
  it('recognizes the system volume', () => {
    expect(parseDiskutilInfo(fixture('diskutil-info-system.plist'))).toMatchObject({ isSystem: true, removable: false, fileSystem: 'apfs', freeBytes: 201234567168 });
  });
  it('runs list then info through the seam', async () => {
    const calls: string[] = [];
    const run = async (_f: string, args: readonly string[]) => {
      calls.push(args.join(' '));
      if (args[0] === 'list') return fixture('diskutil-list-external.plist');
      return fixture(args[2] === 'disk4s2' ? 'diskutil-info-disk4s2.plist' : 'diskutil-info-disk6s1.plist');
    };
    const found = await listAttachedDrives({ platform: 'darwin', run, freeBytes: async () => null });
    expect(found.map((d) => d.id)).toEqual(['disk4s2', 'disk6s1']);
    expect(found[0]!.freeBytes).toBe(1999700000000);
    expect(calls).toEqual(['list -plist external', 'info -plist disk4s2', 'info -plist disk6s1']);
  });
});

describe('Windows PowerShell', () => {
  const drives = parseWindowsVolumes(fixture('windows-volumes.json'));
  it('never offers the boot disk and offers fixed disks only when asked', () => {
    expect(drives.find((d) => d.mountpoint === 'C:\\')!.isSystem).toBe(true);
    expect(offerableDrives(drives).map((d) => d.mountpoint)).toEqual(['E:\\', 'F:\\']);
    expect(offerableDrives(drives, true).map((d) => d.mountpoint)).toEqual(['D:\\', 'E:\\', 'F:\\']);
  });
  it('reads file systems, read-only and free space', () => {
    expect(drives.find((d) => d.mountpoint === 'F:\\')).toMatchObject({ fileSystem: 'fat32', readOnly: true, removable: true, freeBytes: 31900000000 });
  });
  it('accepts a single object and empty output', () => {
    expect(parseWindowsVolumes(fixture('windows-single.json'))).toHaveLength(1);
    expect(parseWindowsVolumes('  ')).toEqual([]);
  });
});

describe('listAttachedDrives', () => {
  it('fills free space from statfs and wraps tool failures in E_TARGET_NOT_FOUND', async () => {
    const found = await listAttachedDrives({ platform: 'linux', run: async () => fixture('lsblk-workstation.json'), freeBytes: async (m) => (m.includes('CLE') ? 123 : null) });
    expect(found.map((d) => d.freeBytes)).toEqual([null, 123]);
    await expect(
      listAttachedDrives({
        platform: 'linux',
        run: async () => {
          throw new Error('ENOENT lsblk');
        },
      }),
    ).rejects.toMatchObject({ code: 'E_TARGET_NOT_FOUND' });
    await expect(listAttachedDrives({ platform: 'aix', run: async () => '' })).rejects.toMatchObject({ code: 'E_TARGET_NOT_FOUND' });
  });
});

describe('checkDriveForSeal', () => {
  it('computes Tink ciphertext sizes', () => {
    expect(streamCiphertextSize(0)).toBe(56);
    expect(streamCiphertextSize(1_048_520)).toBe(1_048_576);
    expect(streamCiphertextSize(1_048_521)).toBe(1_048_576 + 1 + 40 + 16 - 40);
  });
  it('accepts a large exFAT drive with the default part size', () => {
    expect(checkDriveForSeal(drive(), { bytesNeeded: 10e9, files: 1000 })).toEqual({ ok: true, partPlaintextSize: DEFAULT_PART_PLAINTEXT_SIZE, problems: [] });
  });
  it('explains a drive that is too small', () => {
    const r = checkDriveForSeal(drive({ freeBytes: 1e9 }), { bytesNeeded: 2e9, files: 10 });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'E_TARGET_TOO_SMALL', details: { freeBytes: 1e9 } });
    expect(r.problems[0]!.details['missingBytes']).toBeGreaterThan(1e9);
  });
  it('lowers the part size on FAT32 so each part file stays under 4 GiB − 1', () => {
    const r = checkDriveForSeal(drive({ fileSystem: 'fat32' }), { bytesNeeded: 1e9, partPlaintextSize: 8 * 1024 ** 3 });
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => p.code)).toEqual(['W_FS_PART_LIMIT']);
    expect(streamCiphertextSize(r.partPlaintextSize)).toBeLessThanOrEqual(FAT32_MAX_FILE_BYTES);
    expect(streamCiphertextSize(r.partPlaintextSize + 1024 * 1024)).toBeGreaterThan(FAT32_MAX_FILE_BYTES);
    expect(largestPartFor(FAT32_MAX_FILE_BYTES)).toBe(r.partPlaintextSize);
    expect(checkDriveForSeal(drive({ fileSystem: 'fat32' }), { bytesNeeded: 1e9 }).problems).toEqual([]);
  });
  it('refuses a read-only drive and notes an unknown file system', () => {
    const r = checkDriveForSeal(drive({ readOnly: true, fileSystem: 'other', rawFileSystem: 'zfs' }), { bytesNeeded: 1 });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.code).sort()).toEqual(['E_TARGET_READ_ONLY', 'W_FS_UNKNOWN']);
  });
  it('estimates more than the plaintext', () => expect(estimateSealedBytes(1e9, 100)).toBeGreaterThan(1e9));
});

describe('helpers', () => {
  it('normalizes file-system names', () => {
    expect(['vfat', 'MS-DOS FAT32', 'FAT32', 'msdos', 'ExFAT', 'NTFS', 'apfs', 'Mac OS Extended (Journaled)', 'ext4', '', 'zfs'].map(normalizeFileSystem)).toEqual([
      'fat32',
      'fat32',
      'fat32',
      'fat32',
      'exfat',
      'ntfs',
      'apfs',
      'hfs+',
      'ext4',
      'other',
      'other',
    ]);
  });
  it('finds sealed folders with a manifest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scelle-drives-'));
    await mkdir(join(root, 'SCELLE-abcd1234'));
    await writeFile(join(root, 'SCELLE-abcd1234', 'manifest.json'), '{}');
    await mkdir(join(root, 'SCELLE-empty123'));
    await mkdir(join(root, 'other'));
    expect(await findSealedFolders(root)).toEqual([{ driveId: 'abcd1234', driveDir: join(root, 'SCELLE-abcd1234') }]);
    expect(await findSealedFolders(join(root, 'missing'))).toEqual([]);
  });
});
