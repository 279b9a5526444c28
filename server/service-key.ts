/**
 * The custody service's Ed25519 signing key: it signs receipts and checkpoints
 * (docs/CUSTODY.md §5). Signatures use node:crypto (OpenSSL), which produces the same
 * deterministic RFC 8032 signatures as @noble/curves, much faster.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { canonicalBytes, decodeBase64Strict, encodeBase64 } from '../shared/custody/event.js';
import { ScelleError } from '../shared/errors/scelle-error.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A loaded service key. The secret never leaves this object. */
export interface ServiceKey {
  /** base64 of the raw 32-byte public key. */
  readonly publicKey: string;
  /** First 16 hex characters of SHA-256 of the raw public key. */
  readonly keyId: string;
  /** Signs `JCS(payload)` and returns `{ ...payload, signature }` (base64). @throws E_CUSTODY_CHAIN if not canonicalizable. */
  signObject<T extends object>(payload: T): T & { signature: string };
  /** The 64-byte Ed25519 signature of raw `message` bytes (signed notes, server/custody/checkpoint-note.ts). Never throws. */
  signBytes(message: Uint8Array): Uint8Array;
}

/** Key id of a raw Ed25519 public key: first 16 hex digits of its SHA-256. */
export function serviceKeyId(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** Node KeyObject of a 32-byte Ed25519 seed. @throws ScelleError E_KEY_FILE on a bad length. */
export function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new ScelleError('E_KEY_FILE', 'Ed25519 secret key must be 32 bytes', { length: seed.length });
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Raw 32-byte public key of a Node Ed25519 key object. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
}

/**
 * Builds the service key from its 32-byte seed.
 * @throws ScelleError E_KEY_FILE when the seed is not 32 bytes.
 */
export function serviceKeyFromSeed(seed: Uint8Array): ServiceKey {
  const key = ed25519PrivateKeyObject(seed);
  const pub = rawPublicKey(key);
  return {
    publicKey: encodeBase64(pub),
    keyId: serviceKeyId(pub),
    signObject<T extends object>(payload: T): T & { signature: string } {
      const sig = sign(null, canonicalBytes(payload), key);
      return { ...payload, signature: encodeBase64(new Uint8Array(sig)) };
    },
    signBytes(message: Uint8Array): Uint8Array {
      return new Uint8Array(sign(null, message, key));
    },
  };
}

/**
 * Loads the service key seed from `file` (base64 of 32 bytes, one line). When the file does
 * not exist and `createIfMissing` is set, a fresh key is generated and written with mode 0600.
 * @throws ScelleError E_KEY_FILE when the file is unreadable or not base64 of 32 bytes.
 */
export function loadServiceKeyFile(file: string, createIfMissing: boolean, random: (n: number) => Uint8Array): ServiceKey {
  if (!existsSync(file)) {
    if (!createIfMissing) throw new ScelleError('E_KEY_FILE', 'service key file not found', { file });
    const seed = random(32);
    writeFileSync(file, `${encodeBase64(seed)}\n`, { mode: 0o600, flag: 'wx' });
    return serviceKeyFromSeed(seed);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new ScelleError('E_KEY_FILE', 'service key file unreadable', { file }, { cause });
  }
  const seed = decodeBase64Strict(text, 32);
  if (!seed) throw new ScelleError('E_KEY_FILE', 'service key file must hold base64 of 32 bytes', { file });
  return serviceKeyFromSeed(seed);
}
