/**
 * The customer's own key on this machine (docs/CUSTODY.md §2, "Customer keys"): where it lives
 * (`<scelleHome>/customer.key`, mode 0600, or `--customer-key <file>`), whether a drive was
 * sealed for it, and which key signs the customer's custody events of a drive.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  customerIdentityAuthor,
  customerSignerKind,
  customerUnwrapKey,
  driveHasCustomerKeyslot,
  driveSealedForCustomerKey,
  type CustomerIdentity,
} from '../shared/custody/customer-identity.js';
import type { CustodyEvent } from '../shared/custody/event.js';
import type { CustomerCustodyKey, DriveSecret } from '../shared/engine/api.js';
import type { Keyslot } from '../shared/format/keyslot.js';
import { readCustomerKeyFile } from '../shared/format/key-files.js';
import { scelleHome } from './config.js';
import { customerAuthor } from './custody.js';

/** Default path of this machine's customer key: `<home>/customer.key`. */
export function customerKeyPath(home: string = scelleHome()): string {
  return join(home, 'customer.key');
}

/**
 * The customer key named by `--customer-key`, else the default one when it exists, else null.
 * @throws ScelleError E_KEY_FILE when the file is missing (explicit path), malformed or readable by others.
 */
export async function loadCustomerIdentity(explicitPath: string | undefined, home: string = scelleHome()): Promise<CustomerIdentity | null> {
  const path = explicitPath ?? customerKeyPath(home);
  if (explicitPath === undefined && !existsSync(path)) return null;
  return readCustomerKeyFile(path);
}

/** True when one of the drive's x25519 keyslots is addressed to this customer key. */
export function driveSealedFor(keyslots: readonly Keyslot[], identity: CustomerIdentity): boolean {
  return driveSealedForCustomerKey(keyslots, identity.publicKey);
}

export { driveHasCustomerKeyslot };

/** The secret that opens a drive with the customer key (an X25519 secret: zero it after use). */
export function customerDriveSecret(identity: CustomerIdentity): DriveSecret {
  return { kind: 'x25519', secretKey: customerUnwrapKey(identity) };
}

/** Who signs the customer's events of one drive: the customer's own key, the data-key key, or nobody. */
export type CustomerSigner = { kind: 'customer-key' | 'data-key'; author: CustodyEvent['author']; secretKey: Uint8Array } | { kind: 'needs-customer-key' } | { kind: 'none' };

/**
 * Chooses the signer of the customer's events: the customer's own key when the drive was
 * sealed for it; nobody (`needs-customer-key`) when the drive was sealed for a customer key this
 * machine does not hold, because a data-key signature would only be flagged as not the
 * customer's; else the key derived from the data key when the drive was unlocked; else none.
 */
export function chooseCustomerSigner(driveId: string, keyslots: readonly Keyslot[], identity: CustomerIdentity | null, derived: CustomerCustodyKey | undefined): CustomerSigner {
  const kind = customerSignerKind(keyslots, identity?.publicKey ?? null);
  if (kind === 'customer-key') return { kind, author: customerIdentityAuthor(driveId, identity!.publicKey), secretKey: identity!.secretKey };
  if (kind === 'needs-customer-key') return { kind };
  if (derived) return { kind: 'data-key', author: customerAuthor(derived), secretKey: derived.secretKey };
  return { kind: 'none' };
}
