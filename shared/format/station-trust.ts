/**
 * What a drive's origin is worth, in the words the Client workspace and `scelle verify` use:
 * - `genuine`: made by a station the provider certified, and the custody service confirms
 *   (by a signed receipt of the `sealed` event) that it was sealed while the certificate was
 *   valid and not revoked;
 * - `unconfirmed`: genuine as far as this machine can tell offline (certified at the time the
 *   manifest claims, not revoked in the cached list), not yet confirmed online;
 * - `local`: made by a station without a certificate (a test or development station);
 * - `forged`: the certificate does not chain to a pinned root, does not verify, breaks its
 *   issuing certificate's constraints, or names another key or station;
 * - `revoked`: the provider revoked the certificate, or the issuing certificate that signed it,
 *   before the drive was (provably) made, or revoked it for key compromise while the sealing
 *   time is not receipt-backed;
 * - `expired`: the certificate, or its issuing certificate, was not valid at the trusted time of
 *   sealing.
 * Every link of the chain is judged at the same trusted time.
 */
import type { IssuingCertificate, StationCertificate } from './station.js';
import { decodeBase64 } from './base64.js';
import { issuingCertificateSha256 } from './issuing-cert.js';
import { findRevocation, type RevocationList, type RevokedCertificate } from './revocation.js';
import { stationCertificateSha256, verifyStationCertificate, type CertificateReason } from './station-cert.js';

/** The verdict on a drive's origin (see module doc). */
export type StationTrust = 'genuine' | 'unconfirmed' | 'local' | 'forged' | 'revoked' | 'expired';

/** What {@link judgeStation} found. */
export interface StationJudgement {
  trust: StationTrust;
  /** The certificate check's reason when it failed, `revoked` (the station certificate), `issuer-revoked` (its issuing certificate), or null. */
  reason: CertificateReason | 'revoked' | 'issuer-revoked' | null;
  /** The instant the certificate was judged at (RFC 3339), and where it comes from. */
  judgedAt: string;
  timeSource: 'receipt' | 'manifest';
  /** The revocation that applies, when there is one. */
  revocation: RevokedCertificate | null;
}

/** What the judgement needs: the manifest's station and time, the pinned roots, and what is known online. */
export interface StationTrustInputs {
  station: { id: string; publicKey: string; certificate: StationCertificate | null; issuingCertificate?: IssuingCertificate | null };
  /** The manifest's createdAt. */
  createdAt: string;
  pinnedRoots: readonly Uint8Array[];
  /** Verified revocation lists (verifyRevocationList), fetched or cached; empty when none is held. */
  revocations: readonly RevocationList[];
  /** The service's receive time of the `sealed` event from a verified receipt (sealedReceiptTime), or null. */
  sealedReceivedAt: Date | null;
}

/** Judges a drive's origin (see module doc). Never throws. */
export function judgeStation(i: StationTrustInputs): StationJudgement {
  const timeSource = i.sealedReceivedAt ? 'receipt' : 'manifest';
  const at = i.sealedReceivedAt ?? new Date(i.createdAt);
  const judgedAt = Number.isNaN(at.getTime()) ? i.createdAt : at.toISOString();
  const verdict = (trust: StationTrust, reason: StationJudgement['reason'], revocation: RevokedCertificate | null = null): StationJudgement => ({
    trust,
    reason,
    judgedAt,
    timeSource,
    revocation,
  });
  const cert = i.station.certificate;
  if (cert === null) return verdict('local', 'no-certificate');
  const key = decodeBase64(i.station.publicKey, 32) ?? new Uint8Array(0);
  const issuing = i.station.issuingCertificate ?? null;
  const check = verifyStationCertificate(cert, key, i.pinnedRoots, at, i.station.id, issuing);
  if (!check.certified) {
    const timely = check.reason === 'expired' || check.reason === 'not-yet-valid' || check.reason === 'issuer-expired';
    return verdict(timely ? 'expired' : check.reason === 'no-certificate' ? 'local' : 'forged', check.reason);
  }
  const applies = (r: RevokedCertificate | null): r is RevokedCertificate =>
    r !== null && (at.getTime() >= Date.parse(r.revokedAt) || (r.reason === 'key-compromise' && timeSource !== 'receipt'));
  const revocation = findRevocation(i.revocations, stationCertificateSha256(cert));
  if (applies(revocation)) return verdict('revoked', 'revoked', revocation);
  // Revoking an issuing certificate revokes every station certificate it signed, by the same rule.
  const issuerRevocation = issuing ? findRevocation(i.revocations, issuingCertificateSha256(issuing)) : null;
  if (applies(issuerRevocation)) return verdict('revoked', 'issuer-revoked', issuerRevocation);
  return verdict(timeSource === 'receipt' ? 'genuine' : 'unconfirmed', null, revocation ?? issuerRevocation);
}
