/** Finding unfinished seals (a state file, no manifest) in a target folder. */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVE_DIR_PREFIX, MANIFEST_FILE, SEAL_STATE_FILE } from '../drive-layout.js';

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
