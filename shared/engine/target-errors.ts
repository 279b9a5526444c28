/** Maps file-system errors on the target (the drive being written) to ScelleErrors. */
import { ScelleError } from '../errors/scelle-error.js';

/** Converts an errno error raised while writing `path` on the target into a ScelleError. */
export function targetError(e: unknown, path: string): ScelleError {
  if (e instanceof ScelleError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'UNKNOWN';
  const details = { path, errno: code };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ScelleError('E_TARGET_FULL', `the target is full while writing ${path}`, details, { cause: e });
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new ScelleError('E_TARGET_READ_ONLY', `the target cannot be written (${code}) at ${path}`, details, { cause: e });
    case 'EFBIG':
      return new ScelleError('E_TARGET_UNSUPPORTED', `the target's file system refused a file this large at ${path}`, details, { cause: e });
    case 'ENOENT':
      return new ScelleError('E_TARGET_NOT_FOUND', `${path} disappeared from the target (was the drive removed?)`, details, { cause: e });
    default:
      return new ScelleError('E_TARGET_IO', `writing ${path} failed (${code}); check the drive and its cable`, details, { cause: e });
  }
}
