/**
 * Ed25519 and X25519 through node:crypto (OpenSSL), with the outcomes of @noble/curves as the
 * rest of the code uses it. A command line opening a drive signs, verifies and derives a few
 * keys once each; @noble/curves spends ≈ 40–60 ms building its base-point tables on the first
 * use of each, OpenSSL well under a millisecond.
 *
 * - Signing and public keys are deterministic (RFC 8032, RFC 7748): the bytes are those
 *   @noble/curves gives for the same secret.
 * - Verification gives noble's strict outcome (`zip215: false`, RFC 8032): OpenSSL accepts
 *   only when s < L and the encoding of sB − kA equals the R bytes, which makes R canonical;
 *   the public key is first checked with @noble/curves (no base-point table) to be a canonical
 *   point, not of small order, and torsion-free, so that noble's cofactored check accepts too.
 *   The other way, OpenSSL is at most stricter (an R carrying a torsion component, or a key
 *   with one, which only a key holder crafting them on purpose produces): rejecting them is the
 *   safe side. The custody service checks every event signature this way (verifyEventSignature).
 * Where node:crypto lacks either curve (a build without them), @noble/curves is used instead.
 */
import { createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/** Public keys checked and imported, by hex (null: not a usable key), at most MAX_CACHED_KEYS. */
const keyCache = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 1024;

let nativeOk: boolean | undefined;
/** True when node:crypto signs with Ed25519 and derives X25519 keys here. */
function native(): boolean {
  if (nativeOk === undefined) {
    try {
      const seed = new Uint8Array(32);
      seed[0] = 1;
      nativeOk = ed25519Pub(seed).length === 32 && x25519Pub(seed).length === 32;
    } catch {
      nativeOk = false;
    }
  }
  return nativeOk;
}

function privateKey(prefix: Buffer, secretKey: Uint8Array): KeyObject {
  const der = Buffer.concat([prefix, secretKey]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

function rawPublic(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

function ed25519Pub(secretKey: Uint8Array): Uint8Array {
  return rawPublic(privateKey(PKCS8_ED25519, secretKey));
}

function x25519Pub(secretKey: Uint8Array): Uint8Array {
  return rawPublic(privateKey(PKCS8_X25519, secretKey));
}

function checkSecret(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new Error('the secret key must be 32 bytes');
}

/** The Ed25519 public key of a 32-byte secret key (seed). Throws Error on another length. */
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  checkSecret(secretKey);
  return native() ? ed25519Pub(secretKey) : ed25519.getPublicKey(secretKey);
}

/** The X25519 public key of a 32-byte secret key (clamped as RFC 7748 says). Throws Error on another length. */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  checkSecret(secretKey);
  return native() ? x25519Pub(secretKey) : x25519.getPublicKey(secretKey);
}

/**
 * The X25519 shared secret of a 32-byte secret key and a peer's 32-byte public key (RFC 7748).
 * Throws Error on other lengths and when the result is all zeros (a peer key of small order),
 * as @noble/curves does.
 */
export function x25519SharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  checkSecret(secretKey);
  if (!(peerPublicKey instanceof Uint8Array) || peerPublicKey.length !== 32) throw new Error('the public key must be 32 bytes');
  if (!native()) return x25519.getSharedSecret(secretKey, peerPublicKey);
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, peerPublicKey]), format: 'der', type: 'spki' });
  const shared = new Uint8Array(diffieHellman({ privateKey: privateKey(PKCS8_X25519, secretKey), publicKey }));
  if (shared.every((b) => b === 0)) throw new Error('the shared secret is all zeros (a public key of small order)');
  return shared;
}

/** The 64-byte Ed25519 signature of `message` by a 32-byte secret key (seed). Throws Error on another length. */
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkSecret(secretKey);
  if (!native()) return ed25519.sign(message, secretKey);
  return new Uint8Array(sign(null, message, privateKey(PKCS8_ED25519, secretKey)));
}

/** The checked, imported public key (see module doc); null when it is not a usable key. */
function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey).toString('hex');
  const cached = keyCache.get(id);
  if (cached !== undefined) return cached;
  let result: KeyObject | null = null;
  try {
    const point = ed25519.Point.fromBytes(publicKey, false);
    if (!point.isSmallOrder() && point.isTorsionFree()) result = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
  } catch {
    result = null;
  }
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(id, result);
  return result;
}

/**
 * True iff `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey`
 * (32 bytes), with strict RFC 8032 verification (see module doc). Never throws.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    if (!native()) return ed25519.verify(signature, message, publicKey, { zip215: false });
    const key = publicKeyObject(publicKey);
    return key !== null && verify(null, message, key, signature);
  } catch {
    return false;
  }
}
