/**
 * macOS drive discovery from `diskutil list -plist external` (which volumes exist) and
 * `diskutil info -plist <id>` (the facts about each).
 */
import { normalizeFileSystem } from './fs-kind.js';
import { parsePlist, type PlistValue } from './plist.js';
import type { AttachedDrive } from './types.js';

type Dict = { [key: string]: PlistValue };
const isDict = (v: PlistValue | undefined): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (d: Dict, k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
const int = (d: Dict, k: string): number | null => (typeof d[k] === 'number' ? (d[k] as number) : null);
const bool = (d: Dict, k: string): boolean => d[k] === true;

/** Mount points of the running macOS system (never offered). */
export const MACOS_SYSTEM_MOUNTPOINTS = ['/', '/System/Volumes/Data', '/System/Volumes/Preboot', '/System/Volumes/VM', '/System/Volumes/Update'];

/**
 * Returns the identifiers of mounted volumes (partitions and APFS volumes) in the output of
 * `diskutil list -plist [external]`. Throws a SyntaxError on a malformed plist.
 */
export function parseDiskutilList(xml: string): string[] {
  const doc = parsePlist(xml);
  if (!isDict(doc)) throw new SyntaxError('diskutil list: expected a dict');
  const ids: string[] = [];
  const visit = (v: PlistValue | undefined) => {
    if (!Array.isArray(v)) return;
    for (const item of v) {
      if (!isDict(item)) continue;
      if (str(item, 'MountPoint') !== '' && str(item, 'DeviceIdentifier') !== '') ids.push(str(item, 'DeviceIdentifier'));
      visit(item['Partitions']);
      visit(item['APFSVolumes']);
    }
  };
  visit(doc['AllDisksAndPartitions']);
  return [...new Set(ids)];
}

/**
 * Turns `diskutil info -plist <id>` into an AttachedDrive, or null when the volume is not
 * mounted. A volume is removable when diskutil says Removable/RemovableMedia/Ejectable or
 * not Internal; it is the system when mounted at a system mount point.
 */
export function parseDiskutilInfo(xml: string): AttachedDrive | null {
  const d = parsePlist(xml);
  if (!isDict(d)) throw new SyntaxError('diskutil info: expected a dict');
  const mountpoint = str(d, 'MountPoint');
  if (mountpoint === '') return null;
  const raw = str(d, 'FilesystemType') || str(d, 'FilesystemName');
  const personality = str(d, 'FilesystemName');
  let fs = normalizeFileSystem(raw);
  if (fs === 'other' || raw === 'msdos') fs = normalizeFileSystem(personality.includes('FAT32') || raw === 'msdos' ? 'fat32' : personality);
  const free = int(d, 'APFSContainerFree') ?? int(d, 'FreeSpace') ?? int(d, 'AvailableSpace');
  const internal = d['Internal'] === true;
  return {
    id: str(d, 'DeviceIdentifier'),
    disk: str(d, 'ParentWholeDisk') || str(d, 'DeviceIdentifier'),
    label: str(d, 'VolumeName'),
    model: str(d, 'MediaName'),
    mountpoint,
    sizeBytes: int(d, 'TotalSize') ?? int(d, 'Size') ?? 0,
    freeBytes: free,
    fileSystem: fs,
    rawFileSystem: personality || raw,
    removable: bool(d, 'Removable') || bool(d, 'RemovableMedia') || bool(d, 'Ejectable') || !internal,
    bus: str(d, 'BusProtocol').toLowerCase(),
    readOnly: d['WritableVolume'] === false,
    isSystem: MACOS_SYSTEM_MOUNTPOINTS.includes(mountpoint) || bool(d, 'SystemImage'),
  };
}
