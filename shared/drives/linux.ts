/**
 * Linux drive discovery from `lsblk -J -b -o NAME,PATH,SIZE,FSTYPE,MOUNTPOINT,LABEL,RM,HOTPLUG,TRAN,MODEL,TYPE,PKNAME,RO`.
 */
import { normalizeFileSystem } from './fs-kind.js';
import type { AttachedDrive } from './types.js';

/** The lsblk arguments this parser expects. */
export const LSBLK_ARGS = ['-J', '-b', '-o', 'NAME,PATH,SIZE,FSTYPE,MOUNTPOINT,LABEL,RM,HOTPLUG,TRAN,MODEL,TYPE,PKNAME,RO'] as const;

/** Mount points that mark a disk as the system disk. */
export const LINUX_SYSTEM_MOUNTPOINTS = ['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '/home', '/opt', '/srv', '/tmp', '[SWAP]'];

interface LsblkNode {
  name?: string;
  path?: string;
  size?: number | string | null;
  fstype?: string | null;
  mountpoint?: string | null;
  label?: string | null;
  rm?: boolean | string | number | null;
  hotplug?: boolean | string | number | null;
  tran?: string | null;
  model?: string | null;
  type?: string | null;
  pkname?: string | null;
  ro?: boolean | string | number | null;
  children?: LsblkNode[];
}

const flag = (v: LsblkNode['rm']): boolean => v === true || v === 1 || v === '1' || v === 'true';
const num = (v: LsblkNode['size']): number => (typeof v === 'number' ? v : Number.parseInt(v ?? '0', 10) || 0);
const EXTERNAL_BUSES = new Set(['usb', 'ieee1394', 'firewire', 'thunderbolt', 'mmc', 'sd']);

/**
 * Parses lsblk's JSON into mounted volumes. A disk is the system disk when any volume on it
 * (through partitions, LUKS or LVM) is mounted at one of `systemMountpoints`. Loop, rom and
 * zram devices are skipped. Throws a SyntaxError on malformed JSON.
 */
export function parseLsblk(json: string, systemMountpoints: readonly string[] = LINUX_SYSTEM_MOUNTPOINTS): AttachedDrive[] {
  const doc = JSON.parse(json) as { blockdevices?: LsblkNode[] };
  const out: AttachedDrive[] = [];
  for (const disk of doc.blockdevices ?? []) {
    if (disk.type === 'loop' || disk.type === 'rom' || (disk.name ?? '').startsWith('zram')) continue;
    const all: LsblkNode[] = [];
    const walk = (n: LsblkNode) => {
      all.push(n);
      for (const c of n.children ?? []) walk(c);
    };
    walk(disk);
    const isSystem = all.some((n) => n.mountpoint != null && systemMountpoints.includes(n.mountpoint));
    const bus = (disk.tran ?? '').toLowerCase();
    const removable = flag(disk.rm) || flag(disk.hotplug) || EXTERNAL_BUSES.has(bus);
    const diskPath = disk.path ?? `/dev/${disk.name ?? ''}`;
    for (const n of all) {
      if (!n.mountpoint || n.mountpoint === '[SWAP]') continue;
      out.push({
        id: n.path ?? `/dev/${n.name ?? ''}`,
        disk: diskPath,
        label: n.label ?? '',
        model: (disk.model ?? '').trim(),
        mountpoint: n.mountpoint,
        sizeBytes: num(n.size),
        freeBytes: null,
        fileSystem: normalizeFileSystem(n.fstype),
        rawFileSystem: n.fstype ?? '',
        removable: removable || flag(n.rm) || flag(n.hotplug),
        bus,
        readOnly: flag(n.ro),
        isSystem,
      });
    }
  }
  return out;
}
