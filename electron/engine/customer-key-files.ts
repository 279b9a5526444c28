/**
 * The customer's own key files as the desktop app uses them, in the engine process (the
 * secret is read and used there and never leaves it): creating a key pair (the secret file,
 * mode 0600, and its public part beside it as `<file>.pub`), reading a chosen key file, and
 * reading only its public part for the Client to show. Key files follow shared/format/key-files.ts
 * (`scelle-customer-secret-key/1`, the same files `scelle keygen customer` writes).
 */
import { existsSync } from 'node:fs';
import { generateCustomerIdentity, type CustomerIdentity } from '../../shared/custody/customer-identity.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { encodeBase64 } from '../../shared/format/base64.js';
import { readCustomerKeyFile, writeCustomerKeyFile, writePublicKeyFile } from '../../shared/format/key-files.js';

/** A customer key file's public facts: what the Client shows and the provider is given. */
export interface CustomerKeyFacts {
  /** base64 Ed25519 public key (44 characters). */
  publicKey: string;
}

/**
 * Creates a new customer key at `path` (mode 0600) and its public part at `<path>.pub` (0644).
 * Neither file is ever overwritten. The secret is wiped from memory once written.
 * @throws ScelleError E_KEY_FILE when either file exists (`details.reason` `exists`) or cannot be written (a failed public
 *   file leaves the secret file in place: it is complete and usable).
 */
export async function createCustomerKeyFile(path: string): Promise<CustomerKeyFacts & { publicKeyFile: string }> {
  const publicKeyFile = `${path}.pub`;
  for (const file of [path, publicKeyFile]) {
    if (existsSync(file)) {
      throw new ScelleError('E_KEY_FILE', `Key file ${file}: already exists; a key file is never overwritten (move it away first).`, {
        path: file,
        problem: 'already exists',
        reason: 'exists',
      });
    }
  }
  const pair = generateCustomerIdentity();
  try {
    await writeCustomerKeyFile(path, pair);
  } finally {
    pair.secretKey.fill(0);
  }
  await writePublicKeyFile(publicKeyFile, 'customer', pair.publicKey);
  return { publicKey: encodeBase64(pair.publicKey), publicKeyFile };
}

/**
 * Reads a customer key file (refused when group or others may read it, as ssh does).
 * The caller owns the returned secret and must wipe it (`secretKey.fill(0)`).
 * @throws ScelleError E_KEY_FILE naming the path and the problem (`details.reason` `missing`,
 *   or `too-open` / `wrong-owner` for a file others may access).
 */
export function loadCustomerKey(path: string): Promise<CustomerIdentity> {
  if (!existsSync(path)) {
    return Promise.reject(new ScelleError('E_KEY_FILE', `Key file ${path}: does not exist.`, { path, problem: 'does not exist', reason: 'missing' }));
  }
  return readCustomerKeyFile(path);
}

/**
 * Checks a customer key file as {@link loadCustomerKey} does and answers its public part only.
 * @throws ScelleError E_KEY_FILE as loadCustomerKey.
 */
export async function inspectCustomerKeyFile(path: string): Promise<CustomerKeyFacts> {
  const identity = await loadCustomerKey(path);
  identity.secretKey.fill(0);
  return { publicKey: encodeBase64(identity.publicKey) };
}
