/**
 * Issuing certificates: the provider root (an offline key) certifies an issuing key, which the
 * custody service holds to sign short-lived station certificates. The root signs the RFC 8785
 * canonical JSON of the certificate without `signature`; `usage` is signed, so a station
 * certificate can never pass for an issuing one (their signed fields differ too).
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from './curves-native.js';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { printableId } from './json-schemas.js';
import { type IssuingCertificate, issuingCertificateSchema, ISSUING_USAGE, MAX_STATION_VALIDITY_DAYS } from './station.js';

/** Longest life of an issuing certificate, in days (`scelle certify-issuing --days`). */
export const MAX_ISSUING_VALIDITY_DAYS = 1830;

/** The bytes the root signs: RFC 8785 canonical JSON of every issuing certificate field but `signature`. */
export function issuingCertificateSignedBytes(cert: Omit<IssuingCertificate, 'signature'>): Uint8Array {
  const { version, usage, issuingId, publicKey, issuedAt, expiresAt, maxStationValidityDays, issuer } = cert;
  const json = canonicalize({ version, usage, issuingId, publicKey, issuedAt, expiresAt, maxStationValidityDays, issuer });
  if (json === undefined) throw new ScelleError('E_INTERNAL', 'Issuing certificate fields cannot be canonicalized.');
  return new TextEncoder().encode(json);
}

/** Options of {@link issueIssuingCertificate}. */
export interface IssueIssuingOptions {
  /** The provider root's Ed25519 secret key (32-byte seed). */
  rootSecretKey: Uint8Array;
  issuingId: string;
  issuingPublicKey: Uint8Array;
  /** Default: now. */
  issuedAt?: Date;
  expiresAt: Date;
  /** Default 30, at most {@link MAX_STATION_VALIDITY_DAYS}. */
  maxStationValidityDays?: number;
}

/**
 * The root certifies an issuing key for station certificates only.
 * @throws ScelleError E_KEY_INVALID for keys that are not 32 bytes; E_USAGE for a bad id, an
 *   invalid date, an expiry not after the issue time or more than MAX_ISSUING_VALIDITY_DAYS
 *   later, or a station validity outside 1..MAX_STATION_VALIDITY_DAYS.
 */
export function issueIssuingCertificate(opts: IssueIssuingOptions): IssuingCertificate {
  const { rootSecretKey, issuingId, issuingPublicKey, expiresAt } = opts;
  if (!(rootSecretKey instanceof Uint8Array) || rootSecretKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The root secret key must be 32 bytes.');
  if (!(issuingPublicKey instanceof Uint8Array) || issuingPublicKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The issuing public key must be 32 bytes.');
  if (!printableId.safeParse(issuingId).success) throw new ScelleError('E_USAGE', 'The issuing key id must be 1 to 128 printable characters.');
  const issuedAt = opts.issuedAt ?? new Date();
  const maxDays = opts.maxStationValidityDays ?? 30;
  if (Number.isNaN(issuedAt.getTime()) || Number.isNaN(expiresAt.getTime())) throw new ScelleError('E_USAGE', 'Certificate dates must be valid.');
  if (expiresAt.getTime() <= issuedAt.getTime()) throw new ScelleError('E_USAGE', 'A certificate must expire after it is issued.');
  if (expiresAt.getTime() - issuedAt.getTime() > MAX_ISSUING_VALIDITY_DAYS * 86_400_000)
    throw new ScelleError('E_USAGE', `An issuing certificate lives at most ${MAX_ISSUING_VALIDITY_DAYS} days.`);
  if (!Number.isInteger(maxDays) || maxDays < 1 || maxDays > MAX_STATION_VALIDITY_DAYS)
    throw new ScelleError('E_USAGE', `The station certificates' validity must be 1 to ${MAX_STATION_VALIDITY_DAYS} days.`);
  const unsigned = {
    version: 1 as const,
    usage: ISSUING_USAGE,
    issuingId,
    publicKey: encodeBase64(issuingPublicKey),
    issuedAt: issuedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    maxStationValidityDays: maxDays,
    issuer: encodeBase64(ed25519PublicKey(rootSecretKey)),
  };
  return { ...unsigned, signature: encodeBase64(ed25519Sign(issuingCertificateSignedBytes(unsigned), rootSecretKey)) };
}

/** Why an issuing certificate is refused (see CertificateReason in station-cert.ts). */
export type IssuingCheckReason = 'malformed' | 'wrong-usage' | 'unknown-root' | 'bad-signature';

/**
 * Checks an issuing certificate's form, usage and root signature (not its dates: the caller
 * judges them at its trusted time). Returns the parsed certificate, or the reason it is refused.
 * Never throws.
 */
export function checkIssuingCertificate(doc: unknown, pinnedRoots: readonly Uint8Array[]): { cert: IssuingCertificate } | { reason: IssuingCheckReason } {
  // Usage first: a station certificate offered as an issuing one is the wrong kind, not merely malformed.
  if (typeof doc !== 'object' || doc === null) return { reason: 'malformed' };
  if ((doc as { usage?: unknown }).usage !== ISSUING_USAGE) return { reason: 'wrong-usage' };
  const parsed = issuingCertificateSchema.safeParse(doc);
  if (!parsed.success) return { reason: 'malformed' };
  const c = parsed.data;
  const issuer = decodeBase64(c.issuer, 32);
  const signature = decodeBase64(c.signature, 64);
  if (issuer === null || signature === null || decodeBase64(c.publicKey, 32) === null) return { reason: 'malformed' };
  if (!pinnedRoots.some((k) => k.length === 32 && encodeBase64(k) === c.issuer)) return { reason: 'unknown-root' };
  let valid = false;
  try {
    valid = ed25519Verify(signature, issuingCertificateSignedBytes(c), issuer);
  } catch {
    valid = false;
  }
  return valid ? { cert: c } : { reason: 'bad-signature' };
}

/** hex SHA-256 of an issuing certificate's RFC 8785 canonical JSON (its known fields): how a revocation list names it. */
export function issuingCertificateSha256(cert: IssuingCertificate): string {
  const { version, usage, issuingId, publicKey, issuedAt, expiresAt, maxStationValidityDays, issuer, signature } = cert;
  const json = canonicalize({ version, usage, issuingId, publicKey, issuedAt, expiresAt, maxStationValidityDays, issuer, signature }) ?? '';
  return createHash('sha256').update(json).digest('hex');
}
