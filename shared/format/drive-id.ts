/**
 * The drive id: names the folder `SCELLE-<driveId>/` and is bound into every associated-data
 * string of scelle/1 (`scelle/1 payload <driveId> part <n>`, keyslot AAD, index AD). It must
 * therefore be safe as a file name on every file system and contain no space.
 */
import { randomBytes } from 'node:crypto';
import { UNLOCK_CODE_ALPHABET } from './unlock-code.js';

/** 1 to 64 characters, ASCII letters, digits and '-', not starting or ending with '-'. */
export const DRIVE_ID_PATTERN = /^[0-9A-Za-z](?:[0-9A-Za-z-]{0,62}[0-9A-Za-z])?$/;

/** True when `driveId` matches {@link DRIVE_ID_PATTERN}. Never throws. */
export function isValidDriveId(driveId: unknown): driveId is string {
  return typeof driveId === 'string' && DRIVE_ID_PATTERN.test(driveId);
}

/** A new random drive id: 16 Crockford base32 characters (80 bits; the unlock codes' alphabet). */
export function newDriveId(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += UNLOCK_CODE_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
