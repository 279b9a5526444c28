/** Unfinished seals (a state file, no manifest): finding them in a target, and checking one before a resume writes into it. */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVE_DIR_PREFIX, INDEX_FILE, MANIFEST_FILE, PAYLOAD_DIR, README_FILE, SEAL_STATE_FILE, SIGNATURE_FILE } from '../drive-layout.js';
import { requireFileOrAbsent, requireFolderOrAbsent } from '../drive-files.js';
import { partFileName } from '../../format/layout.js';

/** Unfinished seals (a state file, no manifest) found in `target`. */
export function findUnfinishedSeals(target: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(target);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(DRIVE_DIR_PREFIX))
    .map((n) => join(target, n))
    .filter((d) => kindOf(d) === 'folder' && kindOf(join(d, SEAL_STATE_FILE)) !== 'missing' && kindOf(join(d, MANIFEST_FILE)) === 'missing');
}

/** What `path` is, without following a link. */
function kindOf(path: string): 'missing' | 'folder' | 'other' {
  try {
    return lstatSync(path).isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * Before a resume writes into an unfinished drive folder (hostile: it was out of the station's
 * hands): payload/ is a real folder, and every name the seal writes is absent or a regular file.
 * @throws ScelleError E_FORMAT_UNSAFE_ENTRY.
 */
export function checkResumable(driveDir: string, partCount: number): void {
  requireFolderOrAbsent(driveDir, PAYLOAD_DIR);
  for (const name of [SEAL_STATE_FILE, INDEX_FILE, MANIFEST_FILE, SIGNATURE_FILE, README_FILE]) {
    requireFileOrAbsent(driveDir, name);
    requireFileOrAbsent(driveDir, `.${name}.tmp`); // writeFileDurable's temporary name
  }
  for (let n = 0; n < partCount; n++) requireFileOrAbsent(driveDir, partFileName(n));
}
