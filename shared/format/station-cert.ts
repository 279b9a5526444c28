/**
 * Station keys and certificates. A station signs with Ed25519; a station key is certified by
 * the signature of a provider root key (a direct certificate) or of an issuing key that a root
 * certified (issuing-cert.ts; the chain root → issuing key → station), over the RFC 8785
 * canonical JSON of the certificate without its `signature` field. Escrow keys are X25519
 * (keyslot recipients).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from './curves-native.js';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { checkIssuingCertificate } from './issuing-cert.js';
import { printableId } from './json-schemas.js';
import { type IssuingCertificate, type StationCertificate, stationCertificateSchema } from './station.js';

/** A key pair; `secretKey` is 32 bytes (Ed25519 seed or X25519 scalar). */
export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A fresh Ed25519 key pair (station or provider root signing key) from the platform CSPRNG. */
export function generateSigningKeyPair(): KeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKey, publicKey };
}

/** A fresh X25519 key pair (escrow or customer keyslot recipient) from the platform CSPRNG. */
export function generateEscrowKeyPair(): KeyPair {
  const { secretKey, publicKey } = x25519.keygen();
  return { secretKey, publicKey };
}

/**
 * The bytes the root signs: RFC 8785 canonical JSON of every certificate field but `signature`.
 * Exposed for independent implementations and test vectors.
 */
export function certificateSignedBytes(cert: Omit<StationCertificate, 'signature'>): Uint8Array {
  const { version, stationId, publicKey, issuedAt, expiresAt, issuer } = cert;
  const json = canonicalize({ version, stationId, publicKey, issuedAt, expiresAt, issuer });
  if (json === undefined) throw new ScelleError('E_INTERNAL', 'Certificate fields cannot be canonicalized.');
  return new TextEncoder().encode(json);
}

/** Options of {@link issueStationCertificate}. */
export interface IssueCertificateOptions {
  /**
   * The signer's Ed25519 secret key (32-byte seed): a provider root's (a direct certificate), or
   * the issuing key's when `issuingCertificate` is given.
   */
  rootSecretKey: Uint8Array;
  /**
   * The issuing certificate of the key in `rootSecretKey`: the certificate then must expire, live
   * at most the issuing certificate's `maxStationValidityDays` and not outlive it.
   */
  issuingCertificate?: IssuingCertificate;
  stationId: string;
  stationPublicKey: Uint8Array;
  /** Default: now. */
  issuedAt?: Date;
  /** Default: no expiry (null). */
  expiresAt?: Date | null;
}

/**
 * Issues a certificate binding `stationId` to `stationPublicKey`, signed by the root key (or the
 * issuing key). Times are written as RFC 3339 UTC with milliseconds.
 * @throws ScelleError E_KEY_INVALID for keys that are not 32 bytes, or an issuing certificate
 *   that is not for the signing key; E_USAGE for a station id that is empty, over 128 characters
 *   or holds control characters, an invalid date, an expiry not after the issue time, or (with an
 *   issuing certificate) no expiry, a longer life than it allows, or an expiry after its own.
 */
export function issueStationCertificate(opts: IssueCertificateOptions): StationCertificate {
  const { rootSecretKey, stationId, stationPublicKey } = opts;
  if (!(rootSecretKey instanceof Uint8Array) || rootSecretKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The root secret key must be 32 bytes.');
  if (!(stationPublicKey instanceof Uint8Array) || stationPublicKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The station public key must be 32 bytes.');
  if (!printableId.safeParse(stationId).success) throw new ScelleError('E_USAGE', 'The station id must be 1 to 128 printable characters.');
  const issuedAt = opts.issuedAt ?? new Date();
  const expiresAt = opts.expiresAt ?? null;
  if (Number.isNaN(issuedAt.getTime()) || (expiresAt !== null && Number.isNaN(expiresAt.getTime()))) {
    throw new ScelleError('E_USAGE', 'Certificate dates must be valid.');
  }
  if (expiresAt !== null && expiresAt.getTime() <= issuedAt.getTime()) {
    throw new ScelleError('E_USAGE', 'A certificate must expire after it is issued.');
  }
  const issuing = opts.issuingCertificate;
  if (issuing) {
    if (issuing.publicKey !== encodeBase64(ed25519PublicKey(rootSecretKey))) throw new ScelleError('E_KEY_INVALID', 'The issuing certificate is for another key.');
    if (expiresAt === null || expiresAt.getTime() - issuedAt.getTime() > issuing.maxStationValidityDays * 86_400_000)
      throw new ScelleError('E_USAGE', `A station certificate from this issuing key lives at most ${issuing.maxStationValidityDays} days.`);
    if (expiresAt.getTime() > Date.parse(issuing.expiresAt)) throw new ScelleError('E_USAGE', 'A station certificate cannot outlive its issuing certificate.');
  }
  const unsigned = {
    version: 1 as const,
    stationId,
    publicKey: encodeBase64(stationPublicKey),
    issuedAt: issuedAt.toISOString(),
    expiresAt: expiresAt === null ? null : expiresAt.toISOString(),
    issuer: encodeBase64(ed25519PublicKey(rootSecretKey)),
  };
  const signature = encodeBase64(ed25519Sign(certificateSignedBytes(unsigned), rootSecretKey));
  return { ...unsigned, signature };
}

/**
 * Why a station is not certified, as a stable short code:
 * - `no-certificate`: none given (a local, uncertified station)
 * - `malformed`: fields missing or of the wrong type/length (station or issuing certificate)
 * - `unknown-root`: the issuer (of a direct certificate, or of the issuing certificate) is not one of the pinned root keys
 * - `bad-signature`: a signature of the chain does not verify (forged or altered certificate)
 * - `wrong-usage`: the certificate offered as the issuing one is not an issuing certificate for station certificates
 * - `issuer-mismatch`: the station certificate is not signed by the key the issuing certificate certifies
 * - `constraint-violated`: a station certificate from an issuing key without an expiry, or living longer than the issuing certificate allows
 * - `outlives-issuer`: a station certificate that expires after its issuing certificate
 * - `key-mismatch`: a genuine certificate, but for another station key
 * - `id-mismatch`: a genuine certificate, but for another station id (when one is expected)
 * - `issuer-expired`: the issuing certificate is not valid at `now` (expired, or issued more than 10 minutes after it)
 * - `not-yet-valid`: issued more than 10 minutes after `now`
 * - `expired`: `now` is at or after `expiresAt`
 */
export type CertificateReason =
  | 'no-certificate'
  | 'malformed'
  | 'unknown-root'
  | 'bad-signature'
  | 'wrong-usage'
  | 'issuer-mismatch'
  | 'constraint-violated'
  | 'outlives-issuer'
  | 'key-mismatch'
  | 'id-mismatch'
  | 'issuer-expired'
  | 'not-yet-valid'
  | 'expired';

/** Outcome of {@link verifyStationCertificate}: `reason` is null exactly when `certified`. */
export interface CertificateCheck {
  certified: boolean;
  reason: CertificateReason | null;
}

/** Tolerated clock skew for `issuedAt` in the future. */
const ISSUED_AT_SKEW_MS = 10 * 60 * 1000;

/**
 * Checks that `cert` certifies `stationPublicKey` (and `stationId`, when given) at instant `now`,
 * through a chain to one of the pinned root keys: directly (`issuingCertificate` absent or null:
 * the certificate's issuer is a pinned root), or through `issuingCertificate` (its issuer a pinned
 * root, its usage station certificates, its key the station certificate's issuer, the station
 * certificate within its constraints, and both valid at `now`). To judge a drive as of its
 * sealing rather than today, pass the trusted sealing time as `now` (an invalid `now` fails
 * closed as `expired`). Never throws: every problem is a {@link CertificateReason}.
 */
export function verifyStationCertificate(
  cert: StationCertificate | null | undefined,
  stationPublicKey: Uint8Array,
  pinnedRootPublicKeys: readonly Uint8Array[],
  now: Date = new Date(),
  stationId?: string,
  issuingCertificate?: IssuingCertificate | null,
): CertificateCheck {
  const no = (reason: CertificateReason): CertificateCheck => ({ certified: false, reason });
  if (cert === null || cert === undefined) return no('no-certificate');
  const parsed = stationCertificateSchema.safeParse(cert);
  if (!parsed.success) return no('malformed');
  const c = parsed.data;
  const issuer = decodeBase64(c.issuer, 32);
  const signature = decodeBase64(c.signature, 64);
  if (issuer === null || signature === null) return no('malformed');
  let issuing: IssuingCertificate | null = null;
  if (issuingCertificate === null || issuingCertificate === undefined) {
    if (!pinnedRootPublicKeys.some((k) => k.length === 32 && encodeBase64(k) === c.issuer)) return no('unknown-root');
  } else {
    const checked = checkIssuingCertificate(issuingCertificate, pinnedRootPublicKeys);
    if ('reason' in checked) return no(checked.reason);
    issuing = checked.cert;
    if (issuing.publicKey !== c.issuer) return no('issuer-mismatch');
  }
  let valid = false;
  try {
    valid = ed25519Verify(signature, certificateSignedBytes(c), issuer);
  } catch {
    valid = false;
  }
  if (!valid) return no('bad-signature');
  if (!(stationPublicKey instanceof Uint8Array) || stationPublicKey.length !== 32 || encodeBase64(stationPublicKey) !== c.publicKey) return no('key-mismatch');
  if (stationId !== undefined && stationId !== c.stationId) return no('id-mismatch');
  if (issuing) {
    if (c.expiresAt === null || Date.parse(c.expiresAt) - Date.parse(c.issuedAt) > issuing.maxStationValidityDays * 86_400_000) return no('constraint-violated');
    if (Date.parse(c.expiresAt) > Date.parse(issuing.expiresAt)) return no('outlives-issuer');
  }
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (Number.isNaN(t)) return no('expired'); // fail closed on an invalid clock
  if (issuing && (Date.parse(issuing.issuedAt) - ISSUED_AT_SKEW_MS > t || t >= Date.parse(issuing.expiresAt))) return no('issuer-expired');
  if (Date.parse(c.issuedAt) - ISSUED_AT_SKEW_MS > t) return no('not-yet-valid');
  if (c.expiresAt !== null && t >= Date.parse(c.expiresAt)) return no('expired');
  return { certified: true, reason: null };
}

/**
 * hex SHA-256 of a station certificate's RFC 8785 canonical JSON, or of zero bytes for an
 * uncertified station: what the `sealed` custody event records as stationCertificateSha256.
 */
export function stationCertificateSha256(certificate: StationCertificate | null): string {
  const bytes = certificate ? new TextEncoder().encode(canonicalize(certificate) ?? '') : new Uint8Array(0);
  return createHash('sha256').update(bytes).digest('hex');
}
