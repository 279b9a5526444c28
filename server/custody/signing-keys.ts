/**
 * The registry of provider signing keys (stations and staff): enrolment with a certificate
 * that chains to the provider root (directly, or through an issuing certificate), revocation,
 * and the trust decisions used at ingest and by chain verification. A key is trusted at a time
 * covered by its enrolment certificate or by a certificate the service issued it since
 * (station-certificates.ts). A key revoked at time T is untrusted for events the service
 * receives from T on; events received before stay trusted (docs/CUSTODY.md §4 `revoked-key`).
 */
import { decodeBase64Strict } from '../../shared/custody/event.js';
import type { ChainTrust, KeyTrust } from '../../shared/custody/chain-verify.js';
import type { StationCertificate } from '../../shared/engine/api.js';
import type { IssuingCertificate } from '../../shared/format/station.js';
import { verifyStationCertificate } from '../../shared/format/station-cert.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { str, type Tx } from '../db/driver.js';
import { issuedWindows, windowsCover, type IssuedWindow } from './station-certificates.js';

/**
 * Checks a station certificate with shared/format/station-cert.ts: well-formed, chained to
 * `rootPublicKey` (base64) directly or through `issuingCertificate`, every signature valid,
 * certifying `publicKey`, every link valid at `now`.
 * @throws ScelleError E_FORMAT_CERTIFICATE whose `details.reason` is the CertificateReason
 *   (`malformed`, `unknown-root`, `bad-signature`, `wrong-usage`, `key-mismatch`, `expired`…).
 */
export function checkStationCertificate(cert: unknown, publicKey: string, rootPublicKey: string, now: Date, issuingCertificate: unknown = null): StationCertificate {
  const root = decodeBase64Strict(rootPublicKey, 32);
  const key = decodeBase64Strict(publicKey, 32);
  if (!root) throw new ScelleError('E_FORMAT_CERTIFICATE', 'the configured root public key is malformed', { reason: 'unknown-root' });
  if (!key) throw new ScelleError('E_FORMAT_CERTIFICATE', 'publicKey must be base64 of 32 bytes', { reason: 'key-mismatch' });
  const check = verifyStationCertificate(cert as StationCertificate, key, [root], now, undefined, issuingCertificate as IssuingCertificate | null);
  if (!check.certified) throw new ScelleError('E_FORMAT_CERTIFICATE', `station certificate refused: ${check.reason ?? 'invalid'}`, { reason: check.reason ?? 'invalid' });
  const c = cert as StationCertificate;
  return { version: c.version, stationId: c.stationId, publicKey: c.publicKey, issuedAt: c.issuedAt, expiresAt: c.expiresAt, issuer: c.issuer, signature: c.signature };
}

/** One enrolled key. */
export interface SigningKeyRecord {
  publicKey: string;
  authorKind: 'station' | 'staff';
  authorId: string;
  certificate: StationCertificate;
  enrolledAt: string;
  enrolledBy: string;
  revokedAt: string | null;
  revokedReason: string | null;
  /** Validity windows of the certificates the service issued this key (filled by loadKeys). */
  issued?: IssuedWindow[];
}

function toRecord(r: Record<string, unknown>): SigningKeyRecord {
  return {
    publicKey: String(r['public_key']),
    authorKind: String(r['author_kind']) === 'staff' ? 'staff' : 'station',
    authorId: String(r['author_id']),
    certificate: JSON.parse(String(r['certificate'])) as StationCertificate,
    enrolledAt: String(r['enrolled_at']),
    enrolledBy: String(r['enrolled_by']),
    revokedAt: str(r['revoked_at']),
    revokedReason: str(r['revoked_reason']),
  };
}

/**
 * Enrols the key of a verified certificate as a `kind` author. Re-enrolling the same key for
 * the same author is idempotent; a revoked key can never be re-enrolled.
 * @throws ScelleError E_USAGE when the key is already enrolled for another author or revoked.
 */
export async function enrolKey(tx: Tx, cert: StationCertificate, kind: 'station' | 'staff', by: string, now: Date): Promise<SigningKeyRecord> {
  const existing = await tx.query(`SELECT * FROM signing_keys WHERE public_key = ?`, [cert.publicKey]);
  const row = existing[0];
  if (row) {
    const rec = toRecord(row);
    if (rec.revokedAt !== null) throw new ScelleError('E_USAGE', 'this key was revoked and cannot be enrolled again', { reason: 'revoked' });
    if (rec.authorId !== cert.stationId || rec.authorKind !== kind) throw new ScelleError('E_USAGE', 'this key is enrolled for another author', { reason: 'taken' });
    return rec;
  }
  await tx.run(`INSERT INTO signing_keys (public_key, author_kind, author_id, certificate, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?, ?, ?)`, [
    cert.publicKey,
    kind,
    cert.stationId,
    JSON.stringify(cert),
    now.toISOString(),
    by,
  ]);
  return {
    publicKey: cert.publicKey,
    authorKind: kind,
    authorId: cert.stationId,
    certificate: cert,
    enrolledAt: now.toISOString(),
    enrolledBy: by,
    revokedAt: null,
    revokedReason: null,
  };
}

/**
 * Revokes every key of author `authorId` (or only `publicKey` when given) from `now` on.
 * Already revoked keys keep their first revocation time.
 * @returns the number of keys newly revoked.
 */
export async function revokeKeys(tx: Tx, authorId: string, publicKey: string | null, reason: string, now: Date): Promise<number> {
  if (publicKey === null) {
    return tx.run(`UPDATE signing_keys SET revoked_at = ?, revoked_reason = ? WHERE author_id = ? AND revoked_at IS NULL`, [now.toISOString(), reason, authorId]);
  }
  return tx.run(`UPDATE signing_keys SET revoked_at = ?, revoked_reason = ? WHERE author_id = ? AND public_key = ? AND revoked_at IS NULL`, [
    now.toISOString(),
    reason,
    authorId,
    publicKey,
  ]);
}

/** Lists enrolled keys, newest first. */
export async function listKeys(tx: Tx): Promise<SigningKeyRecord[]> {
  return (await tx.query(`SELECT * FROM signing_keys ORDER BY enrolled_at DESC, public_key`)).map(toRecord);
}

/** Loads the records of the given public keys (missing ones are absent from the map). */
export async function loadKeys(tx: Tx, publicKeys: readonly string[]): Promise<Map<string, SigningKeyRecord>> {
  const out = new Map<string, SigningKeyRecord>();
  const unique = [...new Set(publicKeys)];
  for (let i = 0; i < unique.length; i += 200) {
    const chunk = unique.slice(i, i + 200);
    const rows = await tx.query(`SELECT * FROM signing_keys WHERE public_key IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) out.set(String(r['public_key']), toRecord(r));
  }
  const windows = await issuedWindows(tx, [...out.keys()]);
  for (const [key, rec] of out) rec.issued = windows.get(key) ?? [];
  return out;
}

/**
 * Trust of `publicKey` for an event by (`kind`, `authorId`) received at `at`: `unknown` unless
 * enrolled for that very author and kind and its enrolment certificate, or a certificate the
 * service issued it, is valid at `at`; `revoked` from its revocation time on.
 */
export function keyTrust(rec: SigningKeyRecord | undefined, kind: string, authorId: string, at: string): KeyTrust {
  if (!rec || rec.authorKind !== kind || rec.authorId !== authorId) return 'unknown';
  const t = Date.parse(at);
  if (rec.revokedAt !== null && !(t < Date.parse(rec.revokedAt))) return 'revoked';
  if (rec.certificate.expiresAt !== null && t >= Date.parse(rec.certificate.expiresAt) && !windowsCover(rec.issued, t)) return 'unknown';
  return 'trusted';
}

/** A ChainTrust (for shared/custody/chain-verify.ts) over loaded key records. */
export function chainTrustFrom(keys: ReadonlyMap<string, SigningKeyRecord>): ChainTrust {
  return {
    isStationKeyTrusted: (pk, at, authorId) => keyTrust(keys.get(pk), 'station', authorId, at),
    isStaffKeyTrusted: (pk, at, authorId) => keyTrust(keys.get(pk), 'staff', authorId, at),
  };
}
