/**
 * Server-side event signature check, equivalent in outcome to `verifyEventSignature` of
 * shared/custody/event.ts (strict RFC 8032, @noble/curves with zip215 = false) but about ten
 * times faster: it verifies with node:crypto (OpenSSL) after checking, once per key with
 * @noble/curves, that the public key is a canonical, torsion-free point.
 *
 * Why the outcomes agree: OpenSSL accepts only when s < L and the encoding of sB − kA equals
 * the R bytes, which makes R canonical and A's k identical; with A canonical and torsion-free
 * (checked here), noble's strict cofactored check then accepts too. In the other direction,
 * OpenSSL is at most stricter (it rejects an R carrying a torsion component that noble's
 * cofactored equation would tolerate): such signatures can only be crafted on purpose by the
 * key holder, and the service rejecting them is the safe side.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { decodeBase64Strict, eventSigningBytes, type SignedEvent } from '../../shared/custody/event.js';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 10_000;

function keyObject(publicKeyB64: string): KeyObject | null {
  const cached = keyCache.get(publicKeyB64);
  if (cached !== undefined) return cached;
  let result: KeyObject | null = null;
  const raw = decodeBase64Strict(publicKeyB64, 32);
  if (raw) {
    try {
      const point = ed25519.Point.fromBytes(raw, false);
      if (!point.isSmallOrder() && point.isTorsionFree()) {
        result = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
      }
    } catch {
      result = null;
    }
  }
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(publicKeyB64, result);
  return result;
}

/**
 * True iff `e.sig` is a valid Ed25519 signature by `e.author.publicKey` over the event's
 * signing bytes (RFC 8785 canonical JSON without `sig`). Never throws.
 */
export function verifyEventSignatureFast(e: SignedEvent): boolean {
  try {
    const key = keyObject(e.author.publicKey);
    const sig = decodeBase64Strict(e.sig, 64);
    if (!key || !sig) return false;
    return verify(null, eventSigningBytes(e), key, sig);
  } catch {
    return false;
  }
}
