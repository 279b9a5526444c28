/**
 * The provider's list of revoked station certificates: signed by a provider root, served by
 * the custody service and cached by stations and customers' machines for offline use. A newer
 * list (higher `sequence`) replaces an older one from the same root; a list is never trusted
 * unless its root is pinned.
 *
 *   { "format": "scelle-revocations/1", "issuer": "<base64 root public key>", "sequence": 7,
 *     "issuedAt": "RFC 3339 UTC",
 *     "revoked": [ { "certificateSha256": "<hex>", "revokedAt": "RFC 3339 UTC",
 *                    "reason": "key-compromise" | "superseded" | "cessation" } ],
 *     "signature": "<base64 Ed25519 over the RFC 8785 canonical JSON of the other fields>" }
 *
 * A certificate is named by {@link stationCertificateSha256}, the hash the `sealed` custody
 * event already records.
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from './curves-native.js';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { base64Bytes, nonNegativeInt, rfc3339Utc, sha256Hex } from './json-schemas.js';

/** Why a certificate was revoked. `key-compromise` also voids what was signed before, unless its time is receipt-backed. */
export type RevocationReason = 'key-compromise' | 'superseded' | 'cessation';

/** One revoked certificate. */
export interface RevokedCertificate {
  certificateSha256: string;
  revokedAt: string;
  reason: RevocationReason;
}

/** A verified revocation list. */
export interface RevocationList {
  format: 'scelle-revocations/1';
  issuer: string;
  sequence: number;
  issuedAt: string;
  revoked: RevokedCertificate[];
  signature: string;
}

/** Revoked certificates in one list, at most (a list is read whole; bounds a hostile one). */
export const MAX_REVOKED = 100_000;

const revocationListSchema = z.strictObject({
  format: z.literal('scelle-revocations/1'),
  issuer: base64Bytes(32),
  sequence: nonNegativeInt,
  issuedAt: rfc3339Utc,
  revoked: z.array(z.strictObject({ certificateSha256: sha256Hex, revokedAt: rfc3339Utc, reason: z.enum(['key-compromise', 'superseded', 'cessation']) })).max(MAX_REVOKED),
  signature: base64Bytes(64),
});

function signedBytes(list: Omit<RevocationList, 'signature'>): Uint8Array {
  const { format, issuer, sequence, issuedAt, revoked } = list;
  return new TextEncoder().encode(canonicalize({ format, issuer, sequence, issuedAt, revoked })!);
}

/**
 * Signs a revocation list with a provider root's secret key (32-byte Ed25519 seed).
 * @throws ScelleError E_KEY_INVALID for a key that is not 32 bytes; E_USAGE for a bad entry.
 */
export function signRevocationList(rootSecretKey: Uint8Array, sequence: number, revoked: readonly RevokedCertificate[], issuedAt: Date = new Date()): RevocationList {
  if (!(rootSecretKey instanceof Uint8Array) || rootSecretKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The root secret key must be 32 bytes.');
  const unsigned = {
    format: 'scelle-revocations/1' as const,
    issuer: encodeBase64(ed25519PublicKey(rootSecretKey)),
    sequence,
    issuedAt: issuedAt.toISOString(),
    revoked: [...revoked],
  };
  const parsed = revocationListSchema.omit({ signature: true }).safeParse(unsigned);
  if (!parsed.success) throw new ScelleError('E_USAGE', `the revocation list is invalid: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return { ...unsigned, signature: encodeBase64(ed25519Sign(signedBytes(unsigned), rootSecretKey)) };
}

/**
 * Parses and checks a revocation list against the pinned roots.
 * @throws ScelleError E_REVOCATION_LIST (with `problem`: malformed, unknown-root, bad-signature).
 */
export function verifyRevocationList(doc: unknown, pinnedRoots: readonly Uint8Array[]): RevocationList {
  const parsed = revocationListSchema.safeParse(doc);
  if (!parsed.success) throw revocationError('malformed', `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const list = parsed.data;
  if (!pinnedRoots.some((k) => k.length === 32 && encodeBase64(k) === list.issuer)) throw revocationError('unknown-root', 'it is not signed by a pinned provider root');
  let valid = false;
  try {
    valid = ed25519Verify(decodeBase64(list.signature, 64)!, signedBytes(list), decodeBase64(list.issuer, 32)!);
  } catch {
    valid = false;
  }
  if (!valid) throw revocationError('bad-signature', 'its signature does not verify');
  return list;
}

/**
 * The newer of a cached list and a fetched one from the same root (by sequence); a fetched list
 * older than the cache is refused, so that a replayed old list cannot un-revoke a certificate.
 * @throws ScelleError E_REVOCATION_LIST (problem `rollback`).
 */
export function newerRevocationList(cached: RevocationList | null, fetched: RevocationList): RevocationList {
  if (cached === null || cached.issuer !== fetched.issuer) return fetched;
  if (fetched.sequence < cached.sequence) throw revocationError('rollback', `it is older (sequence ${fetched.sequence}) than the list already held (${cached.sequence})`);
  return fetched;
}

/** The revocation of the certificate whose hash is `certificateSha256` in any of `lists`, or null. */
export function findRevocation(lists: readonly RevocationList[], certificateSha256: string): RevokedCertificate | null {
  for (const list of lists) {
    const hit = list.revoked.find((r) => r.certificateSha256 === certificateSha256);
    if (hit) return hit;
  }
  return null;
}

function revocationError(problem: string, why: string): ScelleError {
  return new ScelleError('E_REVOCATION_LIST', `the revocation list is unusable: ${why}`, { problem });
}
