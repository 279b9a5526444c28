/**
 * Finds sealed-drive folders (`SCELLE-<driveId>/` holding a manifest.json) at the root of a volume.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The folder-name pattern of a sealed drive; group 1 is the drive id. */
export const SEALED_FOLDER_RE = /^SCELLE-([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;

/**
 * Lists `SCELLE-*` folders with a manifest.json directly under `root`; an unreadable root gives [].
 * A drive is hostile input: a folder or manifest that is a symbolic link (or not a real folder /
 * regular file) is never offered; reading it would later fail with E_FORMAT_UNSAFE_ENTRY.
 */
export async function findSealedFolders(root: string): Promise<{ driveId: string; driveDir: string }[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const found: { driveId: string; driveDir: string }[] = [];
  for (const name of names.sort()) {
    const m = SEALED_FOLDER_RE.exec(name);
    if (!m) continue;
    const driveDir = join(root, name);
    try {
      if ((await lstat(driveDir)).isDirectory() && (await lstat(join(driveDir, 'manifest.json'))).isFile()) found.push({ driveId: m[1]!, driveDir });
    } catch {
      // not a sealed drive folder (yet): skip
    }
  }
  return found;
}
