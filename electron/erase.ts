/**
 * Erasing a sealed-drive folder after the customer restored it: a cryptographic erase (the
 * keyslots in manifest.json are overwritten with random bytes and flushed, so the data key can
 * no longer be recovered), then the folder is removed.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SEALED_FOLDER_RE } from '../shared/drives/sealed-folders.js';
import { ScelleError } from '../shared/errors/scelle-error.js';

/**
 * Erases `driveDir` (must be named `SCELLE-<driveId>` and hold manifest.json).
 * Errors: E_USAGE when it is not a sealed folder; E_TARGET_READ_ONLY when it cannot be written.
 */
export async function cryptoEraseSealedFolder(driveDir: string): Promise<void> {
  if (!SEALED_FOLDER_RE.test(basename(driveDir))) throw new ScelleError('E_USAGE', 'this folder is not a sealed drive', {});
  const manifest = join(driveDir, 'manifest.json');
  let size: number;
  try {
    size = (await stat(manifest)).size;
  } catch (e) {
    throw new ScelleError('E_USAGE', 'this folder is not a sealed drive', {}, { cause: e });
  }
  try {
    const fh = await open(manifest, 'r+');
    try {
      await fh.write(randomBytes(Math.max(size, 1)), 0, Math.max(size, 1), 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rm(driveDir, { recursive: true, force: false });
  } catch (e) {
    throw new ScelleError('E_TARGET_READ_ONLY', 'the sealed folder could not be erased', {}, { cause: e });
  }
}
