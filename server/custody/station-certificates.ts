/**
 * Station certificates the custody service issues with its issuing key (server/issuing-key.ts):
 * short-lived (DEFAULT_STATION_CERTIFICATE_DAYS, within the issuing certificate's
 * `maxStationValidityDays` and its own expiry), each kept in the append-only
 * `station_certificates` table. Ingest and lookups trust an enrolled key at a time covered by
 * its enrolment certificate or by one of these.
 */
import { issueStationCertificate, stationCertificateSha256 } from '../../shared/format/station-cert.js';
import { decodeBase64 } from '../../shared/format/base64.js';
import type { StationCertificate } from '../../shared/format/station.js';
import type { IssuingKey } from '../issuing-key.js';
import type { Tx } from '../db/driver.js';

/** Default life of an issued station certificate, in days (`--station-cert-days`). */
export const DEFAULT_STATION_CERTIFICATE_DAYS = 30;

/** Tolerated clock skew before a certificate's `issuedAt` (as readers allow). */
const ISSUED_AT_SKEW_MS = 10 * 60 * 1000;

/** One validity window of an issued certificate. */
export interface IssuedWindow {
  issuedAt: string;
  expiresAt: string;
}

/**
 * The life given to a new certificate: the days asked (default `configuredDays`), never more
 * than `configuredDays` nor the issuing certificate's maximum, and never past its expiry.
 * Returns null when the issuing certificate has expired (or has less than a minute left).
 */
export function issuedValidity(issuing: IssuingKey, configuredDays: number, requestedDays: number | undefined, now: Date): { issuedAt: Date; expiresAt: Date } | null {
  const days = Math.max(1, Math.min(requestedDays ?? configuredDays, configuredDays, issuing.certificate.maxStationValidityDays));
  const end = Math.min(now.getTime() + days * 86_400_000, Date.parse(issuing.certificate.expiresAt));
  if (end - now.getTime() < 60_000) return null;
  return { issuedAt: now, expiresAt: new Date(end) };
}

/**
 * Signs a station certificate for (`stationId`, `publicKey` base64) valid `validity`, and records
 * it with the token id that obtained it (the same certificate issued twice in the same
 * millisecond is the same bytes: recorded once).
 * @throws ScelleError E_KEY_INVALID / E_USAGE from issueStationCertificate (a bug: inputs are checked before).
 */
export async function issueAndRecord(
  tx: Tx,
  issuing: IssuingKey,
  stationId: string,
  publicKey: string,
  validity: { issuedAt: Date; expiresAt: Date },
  issuedBy: string,
): Promise<{ certificate: StationCertificate; certificateSha256: string }> {
  const certificate = issueStationCertificate({
    rootSecretKey: issuing.secretKey,
    issuingCertificate: issuing.certificate,
    stationId,
    stationPublicKey: decodeBase64(publicKey, 32) ?? new Uint8Array(0),
    issuedAt: validity.issuedAt,
    expiresAt: validity.expiresAt,
  });
  const certificateSha256 = stationCertificateSha256(certificate);
  await tx.run(
    `INSERT INTO station_certificates (certificate_sha256, station_id, public_key, issued_at, expires_at, issuing_sha256, issued_by, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (certificate_sha256) DO NOTHING`,
    [certificateSha256, stationId, publicKey, certificate.issuedAt, certificate.expiresAt, issuing.certificateSha256, issuedBy, JSON.stringify(certificate)],
  );
  return { certificate, certificateSha256 };
}

/** The validity windows of every certificate issued for each of `publicKeys` (absent keys have none). */
export async function issuedWindows(tx: Tx, publicKeys: readonly string[]): Promise<Map<string, IssuedWindow[]>> {
  const out = new Map<string, IssuedWindow[]>();
  const unique = [...new Set(publicKeys)];
  for (let i = 0; i < unique.length; i += 200) {
    const chunk = unique.slice(i, i + 200);
    const rows = await tx.query(`SELECT public_key, issued_at, expires_at FROM station_certificates WHERE public_key IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) {
      const key = String(r['public_key']);
      out.set(key, [...(out.get(key) ?? []), { issuedAt: String(r['issued_at']), expiresAt: String(r['expires_at']) }]);
    }
  }
  return out;
}

/** The SHA-256 names of every certificate issued for `publicKey`. */
export async function issuedCertificateHashes(tx: Tx, publicKey: string): Promise<string[]> {
  return (await tx.query(`SELECT certificate_sha256 FROM station_certificates WHERE public_key = ?`, [publicKey])).map((r) => String(r['certificate_sha256']));
}

/** True when one of `windows` covers instant `t` (ms): issuedAt − 10 min ≤ t < expiresAt. */
export function windowsCover(windows: readonly IssuedWindow[] | undefined, t: number): boolean {
  return (windows ?? []).some((w) => Date.parse(w.issuedAt) - ISSUED_AT_SKEW_MS <= t && t < Date.parse(w.expiresAt));
}
