/**
 * A customer's own key (docs/CUSTODY.md §2, "Customer keys"): one Ed25519 key that only the
 * customer holds. It signs the customer's custody events, and its birational X25519 image
 * (RFC 7748 §4.1, the conversion age and libsodium use) is the drive's recipient, so the
 * customer gives the provider a single 44-character public key at order time. The station
 * records the Ed25519 half in the `sealed` event (`customerPublicKey`, with
 * `customerAttestation: "customer-key"`), so a verifier knows which key the customer's events
 * must carry; nobody who only knows the data key (station, escrow holder) can sign with it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKey } from '../format/curves-native.js';
import { ScelleError } from '../errors/scelle-error.js';
import { encodeBase64 } from '../format/base64.js';
import { customerAuthorId } from './customer-key.js';
import type { CustodyEvent } from './event.js';

/** The keyslot label a station gives the x25519 slot made for a customer key. */
export const CUSTOMER_KEYSLOT_LABEL = 'customer-key';

/** A customer key pair. `secretKey` (the Ed25519 seed) is secret: never log or persist it outside its 0600 key file. */
export interface CustomerIdentity {
  /** 32-byte Ed25519 seed */
  secretKey: Uint8Array;
  /** 32-byte Ed25519 public key: what the customer gives the provider */
  publicKey: Uint8Array;
}

/** A new random customer key pair. */
export function generateCustomerIdentity(): CustomerIdentity {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519PublicKey(secretKey) };
}

/**
 * The X25519 recipient key (for the drive's keyslot) of a customer's Ed25519 public key.
 * @throws ScelleError E_USAGE when the bytes are not a valid Ed25519 public key.
 */
export function customerRecipientKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32 || !ed25519.utils.isValidPublicKey(publicKey)) {
    throw new ScelleError('E_USAGE', 'not a customer public key (expected an Ed25519 public key of 32 bytes)', { reason: 'customer public key' });
  }
  return ed25519.utils.toMontgomery(publicKey);
}

/** The X25519 secret that opens the customer's keyslot (a new array: zero it after use). */
export function customerUnwrapKey(identity: CustomerIdentity): Uint8Array {
  return ed25519.utils.toMontgomerySecret(identity.secretKey);
}

/** The author block of the customer's events on `driveId`, signed with the customer's own key. */
export function customerIdentityAuthor(driveId: string, publicKey: Uint8Array): CustodyEvent['author'] {
  return { kind: 'customer', id: customerAuthorId(driveId), publicKey: encodeBase64(publicKey) };
}

/** The x25519 keyslots as the manifest lists them (only what the signer choice reads). */
type SlotView = { type: string; label?: string; recipient?: string };

/** True when one of the drive's x25519 keyslots is addressed to the customer key `publicKey` (Ed25519). */
export function driveSealedForCustomerKey(keyslots: readonly SlotView[], publicKey: Uint8Array): boolean {
  const recipient = encodeBase64(customerRecipientKey(publicKey));
  return keyslots.some((k) => k.type === 'x25519' && k.recipient === recipient);
}

/** True when the drive was sealed for some customer key (a keyslot labelled `customer-key`). */
export function driveHasCustomerKeyslot(keyslots: readonly SlotView[]): boolean {
  return keyslots.some((k) => k.type === 'x25519' && k.label === CUSTOMER_KEYSLOT_LABEL);
}

/**
 * Which key signs the customer's events of a drive (docs/CUSTODY.md §2): `customer-key` when
 * the drive was sealed for the customer key held (`publicKey`, null when none), since the
 * station that sealed it for that key names it in the `sealed` event; `needs-customer-key` when
 * it was sealed for a customer key not held here, because a data-key signature would only be
 * reported `wrong-author`; otherwise `data-key` (the key derived from the data key).
 */
export type CustomerSignerKind = 'customer-key' | 'data-key' | 'needs-customer-key';

/** Chooses the {@link CustomerSignerKind} of a drive from its keyslots and the customer key held. */
export function customerSignerKind(keyslots: readonly SlotView[], publicKey: Uint8Array | null): CustomerSignerKind {
  if (publicKey && driveSealedForCustomerKey(keyslots, publicKey)) return 'customer-key';
  if (driveHasCustomerKeyslot(keyslots)) return 'needs-customer-key';
  return 'data-key';
}
