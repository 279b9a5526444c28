/**
 * The customer's custody signing key, derived from the drive's data key so that only someone
 * who unlocked the drive can author customer events ("received and opened" is provable).
 * See docs/CUSTODY.md §2.
 */
import { hkdfSync } from 'node:crypto';
import { ScelleError } from '../errors/scelle-error.js';
import { DRIVE_ID_RE, publicKeyOf } from './event.js';

/** HKDF info string for the customer custody key of `driveId`. */
export function customerKeyInfo(driveId: string): string {
  return `scelle/1 custody customer ${driveId}`;
}

/** The customer's author id in custody events for `driveId`. */
export function customerAuthorId(driveId: string): string {
  return `customer:${driveId}`;
}

/** A derived customer signing key pair. `secretKey` is secret: never log or persist it. */
export interface CustomerKey {
  /** 32-byte Ed25519 seed. */
  secretKey: Uint8Array;
  /** base64 Ed25519 public key, as recorded in the sealed event's data.customerPublicKey. */
  publicKey: string;
  /** `customer:<driveId>` */
  authorId: string;
}

/**
 * Derives the customer's Ed25519 key for `driveId` from the 32-byte data key:
 * seed = HKDF-SHA256(ikm = dataKey, salt = empty, info = "scelle/1 custody customer <driveId>", 32).
 * @throws ScelleError E_USAGE when the data key is not 32 bytes or the drive id is malformed.
 */
export function deriveCustomerKey(dataKey: Uint8Array, driveId: string): CustomerKey {
  if (dataKey.length !== 32) throw new ScelleError('E_USAGE', 'data key must be 32 bytes', { length: dataKey.length });
  if (!DRIVE_ID_RE.test(driveId)) throw new ScelleError('E_USAGE', 'malformed drive id');
  const secretKey = new Uint8Array(hkdfSync('sha256', dataKey, new Uint8Array(0), new TextEncoder().encode(customerKeyInfo(driveId)), 32));
  return { secretKey, publicKey: publicKeyOf(secretKey), authorId: customerAuthorId(driveId) };
}

/**
 * The base64 public half only (what the station puts into sealed.data.customerPublicKey).
 * @throws ScelleError E_USAGE as deriveCustomerKey.
 */
export function customerPublicKey(dataKey: Uint8Array, driveId: string): string {
  const k = deriveCustomerKey(dataKey, driveId);
  k.secretKey.fill(0);
  return k.publicKey;
}
