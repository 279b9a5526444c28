/**
 * Lists attached drives on the running platform, with free space, never offering the system
 * disk (and offering non-removable disks only when explicitly allowed).
 */
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { ScelleError } from '../errors/scelle-error.js';
import { LSBLK_ARGS, parseLsblk } from './linux.js';
import { parseDiskutilInfo, parseDiskutilList } from './macos.js';
import type { AttachedDrive, CommandRunner } from './types.js';
import { parseWindowsVolumes, WINDOWS_VOLUME_SCRIPT } from './windows.js';

/** Options of listAttachedDrives; the seams (`run`, `freeBytes`, `platform`) exist for tests. */
export interface ListDrivesOptions {
  /** Also offer fixed (non-removable) disks; the system disk is never offered. */
  includeNonRemovable?: boolean;
  platform?: NodeJS.Platform;
  run?: CommandRunner;
  /** Free bytes of a mounted folder, or null when unknown. */
  freeBytes?: (mountpoint: string) => Promise<number | null>;
}

/** Runs a program without a shell (10 s timeout, 16 MiB of output at most). */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/** Free bytes available to an unprivileged writer on the volume holding `dir`, or null. */
export async function statfsFreeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Runs the platform's tools and parses their output (system disk included, for filtering). */
export async function probeDrives(platform: NodeJS.Platform, run: CommandRunner, all: boolean): Promise<AttachedDrive[]> {
  if (platform === 'linux') return parseLsblk(await run('lsblk', LSBLK_ARGS));
  if (platform === 'darwin') {
    const ids = parseDiskutilList(await run('diskutil', all ? ['list', '-plist'] : ['list', '-plist', 'external']));
    const drives: AttachedDrive[] = [];
    for (const id of ids) {
      const d = parseDiskutilInfo(await run('diskutil', ['info', '-plist', id]));
      if (d) drives.push(d);
    }
    return drives;
  }
  if (platform === 'win32') return parseWindowsVolumes(await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_VOLUME_SCRIPT]));
  throw new ScelleError('E_TARGET_NOT_FOUND', `drive discovery is not supported on ${platform}`, { platform });
}

/** Keeps what may be offered: never the system disk, nor a fixed disk unless allowed. */
export function offerableDrives(drives: readonly AttachedDrive[], includeNonRemovable = false): AttachedDrive[] {
  const systemDisks = new Set(drives.filter((d) => d.isSystem).map((d) => d.disk));
  return drives.filter((d) => !d.isSystem && !systemDisks.has(d.disk) && (includeNonRemovable || d.removable));
}

/**
 * Lists the attached drives that may be offered to the user, with free space filled in.
 * Errors: E_TARGET_NOT_FOUND when the platform's tool is missing, fails or prints nonsense.
 */
export async function listAttachedDrives(options: ListDrivesOptions = {}): Promise<AttachedDrive[]> {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runCommand;
  const free = options.freeBytes ?? statfsFreeBytes;
  let drives: AttachedDrive[];
  try {
    drives = await probeDrives(platform, run, options.includeNonRemovable === true);
  } catch (e) {
    if (e instanceof ScelleError) throw e;
    throw new ScelleError('E_TARGET_NOT_FOUND', `could not list drives: ${(e as Error).message}`, { platform }, { cause: e });
  }
  const offered = offerableDrives(drives, options.includeNonRemovable === true);
  return Promise.all(offered.map(async (d) => ({ ...d, freeBytes: (await free(d.mountpoint)) ?? d.freeBytes })));
}
