/**
 * Typed errors with stable codes. Every failure that crosses a module boundary in shared/
 * is a ScelleError whose `code` never changes once published: the CLI and the UI map codes
 * to sentences (fr-CA and en) with a next step. Messages here are English, for developers and
 * logs, and must never contain a secret (data key, unlock code, private key).
 */
export class ScelleError extends Error {
  /** Stable, machine-readable code, e.g. `E_UNLOCK_CODE_TYPO`. */
  readonly code: ScelleErrorCode;
  /** Non-secret facts for the UI/CLI sentence (paths, counts, part numbers). */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(code: ScelleErrorCode, message: string, details: Record<string, string | number | boolean> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScelleError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

/** True when `e` is a ScelleError, optionally with the given code. */
export function isScelleError(e: unknown, code?: ScelleErrorCode): e is ScelleError {
  return e instanceof ScelleError && (code === undefined || e.code === code);
}

/**
 * The plain-data form of a ScelleError: what crosses a thread, a process or the IPC bridge,
 * and what a verify report lists. Holds nothing a ScelleError would not (no secret).
 */
export interface ScelleErrorData {
  code: ScelleErrorCode;
  message: string;
  details: Record<string, string | number | boolean>;
}

/**
 * Any error as plain data: a ScelleError keeps its code, an AbortError becomes E_CANCELLED,
 * anything else E_INTERNAL — with its own text, or (`revealUnknown: false`, for what crosses to
 * the renderer) a generic one, since an unexpected error's text was never checked for secrets.
 */
export function toErrorData(e: unknown, opts: { revealUnknown?: boolean } = {}): ScelleErrorData {
  if (e instanceof ScelleError) return { code: e.code, message: e.message, details: { ...e.details } };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'E_CANCELLED', message: 'cancelled', details: {} };
  const reveal = opts.revealUnknown ?? true;
  return { code: 'E_INTERNAL', message: reveal ? (e instanceof Error ? e.message : String(e)) : 'an unexpected error occurred in the engine', details: {} };
}

/** The ScelleError that plain data stands for (a code this build does not know becomes E_INTERNAL). */
export function fromErrorData(d: { code: string; message: string; details: Record<string, string | number | boolean> }): ScelleError {
  const code = (ERROR_CODES as readonly string[]).includes(d.code) ? (d.code as ScelleErrorCode) : 'E_INTERNAL';
  return new ScelleError(code, d.message, d.details);
}

/**
 * The registry of codes. Adding a code is fine; renaming or reusing one is not.
 * Grouped by layer: E_FORMAT_* (on-disk data), E_KEY_* (keys and unlock codes),
 * E_SOURCE_* / E_TARGET_* (file system), E_RESTORE_*, E_CUSTODY_*, E_CARRIER_*, E_IPC_*.
 */
export const ERROR_CODES = [
  // streaming AEAD and on-disk format
  'E_FORMAT_HEADER', // stream header missing, short or with a bad length byte
  'E_FORMAT_AUTH', // a segment failed authentication (tampered or wrong key)
  'E_FORMAT_TRUNCATED', // a stream ends without its final segment
  'E_FORMAT_TRAILING', // bytes after the final segment
  'E_FORMAT_MANIFEST', // manifest.json unreadable or not scelle/1
  'E_FORMAT_SIGNATURE', // manifest.sig does not verify
  'E_FORMAT_CERTIFICATE', // station certificate invalid or not chained to the pinned root
  'E_FORMAT_INDEX', // index unreadable or inconsistent
  'E_FORMAT_PART_MISSING', // a payload part file is missing
  'E_FORMAT_PART_SIZE', // a part's size differs from the manifest
  'E_FORMAT_PART_HASH', // a part's ciphertext hash differs from the manifest
  'E_FORMAT_PART_EXTRA', // unexpected files in payload/
  'E_FORMAT_TAR', // the decrypted tar stream is malformed
  'E_FORMAT_CONTENT_HASH', // a restored file's SHA-256 differs from the index
  'E_FORMAT_UNSUPPORTED', // a valid but unsupported feature (format version, keyslot type)
  'E_FORMAT_UNSAFE_ENTRY', // a file or folder of the drive is a symbolic link, not a regular file or real folder, or lies outside the drive folder
  'E_FORMAT_LIMIT', // a count or size on the drive is beyond the format's bounds (keyslots, KDF parameters, manifest, index, parts)
  // keys and unlock codes
  'E_KEY_UNLOCK_CODE_TYPO', // the unlock code's check characters do not match (typo)
  'E_KEY_UNLOCK_CODE_FORMAT', // not an unlock code at all (length, alphabet)
  'E_KEY_WRONG', // no keyslot opens with the given secret
  'E_KEY_FILE', // a key file is missing, unreadable or malformed
  'E_KEY_NO_RECIPIENT', // seal asked with no recipient at all
  'E_KEY_INVALID', // a public or secret key has the wrong length or is unusable (e.g. a low-order X25519 point)
  'E_KEY_CUSTOMER_NEEDED', // the drive was sealed for a customer key: the customer's events must be signed with it, and it is not held here
  // source and target file systems
  'E_SOURCE_NOT_FOUND',
  'E_SOURCE_UNREADABLE',
  'E_SOURCE_CHANGED', // a source file changed size/mtime or vanished while being read
  'E_SOURCE_UNSUPPORTED', // device, socket or FIFO
  'E_TARGET_NOT_FOUND',
  'E_TARGET_READ_ONLY',
  'E_TARGET_FULL',
  'E_TARGET_NOT_EMPTY', // a drive folder already exists (and is not resumable)
  'E_TARGET_TOO_SMALL',
  'E_TARGET_IO', // the target failed (cable pulled, I/O error)
  'E_TARGET_UNSUPPORTED', // the target's file system cannot hold the parts
  'E_RESUME_MISMATCH', // a resume was asked but the sources or settings changed
  'E_CANCELLED',
  // restore
  'E_RESTORE_EXISTS', // a file to restore already exists and overwrite was not asked
  'E_RESTORE_UNSAFE_PATH', // an entry would escape the restore folder
  'E_RESTORE_NOT_IN_INDEX', // a chosen path is not on the drive
  'E_RESTORE_UNSAFE_LINK', // a link on the drive is absolute or leads outside the restore folder (refused unless allowed)
  // sealed sets (several member drives)
  'E_SET_MISMATCH', // the drives given are not members of one set (another set, a drive sealed alone, a member given twice, members that disagree)
  'E_SET_MEMBER_MISSING', // the bytes needed are on a member of the set that is not attached
  // custody, carriers, ipc, generic
  'E_CUSTODY_CHAIN',
  'E_CUSTODY_SIGNATURE',
  'E_CUSTODY_JOURNAL',
  'E_CUSTODY_SYNC',
  'E_CARRIER_INVALID',
  'E_IPC_INVALID',
  'E_USAGE',
  'E_INTERNAL',
  // custody Merkle tree and custody service (server/)
  'E_CUSTODY_MERKLE', // a Merkle tree argument is out of range or malformed
  'E_SERVER_CONFIG', // the custody service's configuration is invalid or incomplete
  'E_SERVER_DATABASE', // the custody service's database refused or failed an operation
  // custody command line (cli/)
  'E_CUSTODY_OFFLINE', // the custody service could not be reached after retries; events stay queued
  // build-time provider configuration (shared/provider)
  'E_PROVIDER_CONFIG', // the provider configuration a build carries is missing or invalid
  'E_UPDATE_SIGNATURE', // an app update is not signed by a pinned update key, or does not match what the feed offers
  'E_REVOCATION_LIST', // a revocation list is malformed, not from a pinned root, or older than the one held
  'E_STATION_CERTIFICATE_EXPIRED', // the station's certificate (or its issuing certificate) has expired: a seal is refused until it is renewed
  'E_STATION_RENEWAL', // the custody service refused to renew the station's certificate, or answered one that does not chain to a pinned root
] as const;

/** One of the stable error codes. */
export type ScelleErrorCode = (typeof ERROR_CODES)[number];
