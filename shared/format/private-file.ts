/**
 * The ssh rule for files that hold secrets (secret key files, the CLI's custody token file):
 * on POSIX systems such a file must belong to the user reading it and be readable and writable
 * by that user only, or it is refused before its content is used. Windows has no such modes;
 * the check is skipped there.
 */
import { ScelleError } from '../errors/scelle-error.js';

/** The part of fs.Stats the check reads. */
export interface FileModeInfo {
  mode: number;
  uid: number;
}

/**
 * Refuses a secret file that others could read or change.
 * @param currentUid the reading user's id (default: process.getuid(); the check is skipped when
 *   the platform has none, i.e. Windows).
 * @throws ScelleError E_KEY_FILE, `details.problem` saying what is wrong and `details.fix` the
 *   command that fixes it: `too-open` (group or other bits set: `chmod 600 <file>`) or
 *   `wrong-owner` (owned by another user: `chown` it, or use a file of your own).
 */
export function checkPrivateFile(path: string, info: FileModeInfo, currentUid: number | null = process.getuid?.() ?? null): void {
  if (currentUid === null || process.platform === 'win32') return;
  if (info.uid !== currentUid && currentUid !== 0) {
    throw new ScelleError('E_KEY_FILE', `${path} holds a secret but belongs to another user (uid ${info.uid}): use a file of your own`, {
      path,
      problem: `belongs to another user (uid ${info.uid})`,
      reason: 'wrong-owner',
      fix: `chown ${currentUid} ${path}`,
    });
  }
  const open = info.mode & 0o077;
  if (open !== 0) {
    throw new ScelleError(
      'E_KEY_FILE',
      `${path} holds a secret but group or others may access it (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${path}`,
      {
        path,
        problem: `group or others may access it (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
        reason: 'too-open',
        fix: `chmod 600 ${path}`,
      },
    );
  }
}
