/**
 * Renewal of a station's certificate by the custody service (POST /v1/stations/renew): the
 * caller is a station token for that very station, the request is signed by the station key it
 * names (proof of possession) within 10 minutes of the service's clock, and the key is enrolled
 * for that station, not revoked on the service and not named by the published revocation list.
 * The answer is a fresh certificate signed by the issuing key, recorded in
 * `station_certificates`. Refusals are returned (not thrown) so the route can audit them.
 */
import type { Caller } from '../auth/caller.js';
import { verifyRenewalSignature, type RenewalAnswer, type RenewalRequest } from '../../shared/custody/renewal-request.js';
import { findRevocation } from '../../shared/format/revocation.js';
import { stationCertificateSha256 } from '../../shared/format/station-cert.js';
import type { ServiceContext } from '../context.js';
import type { Tx } from '../db/driver.js';
import { latestRevocationList } from './revocation-store.js';
import { loadKeys } from './signing-keys.js';
import { issueAndRecord, issuedCertificateHashes, issuedValidity } from './station-certificates.js';

/** How far the request's `at` may be from the service's clock. */
const MAX_REQUEST_SKEW_MS = 10 * 60 * 1000;

/** Why a renewal is refused (the HTTP error code). */
export type RenewalRefusal = 'forbidden' | 'bad-proof' | 'unknown-station' | 'station-revoked' | 'no-issuing-key' | 'issuing-expired' | 'issuing-revoked';

/**
 * HTTP status of each refusal. The service's own issuing problems are 409, not 5xx: clients
 * retry 5xx, and no retry helps until the provider installs a new issuing key; the station is
 * told why at once.
 */
export const RENEWAL_REFUSAL_STATUS: Record<RenewalRefusal, number> = {
  forbidden: 403,
  'bad-proof': 400,
  'unknown-station': 403,
  'station-revoked': 403,
  'no-issuing-key': 409,
  'issuing-expired': 409,
  'issuing-revoked': 409,
};

/** Outcome of {@link renewStationCertificate}. */
export type RenewalOutcome = { answer: RenewalAnswer; expiresAt: string } | { refusal: RenewalRefusal; message: string };

/**
 * Checks a renewal request from `caller` and, when everything holds, issues and records the
 * new certificate in `tx`. Never throws for a refused request; database errors propagate.
 */
export async function renewStationCertificate(tx: Tx, ctx: ServiceContext, caller: Caller, request: RenewalRequest): Promise<RenewalOutcome> {
  const refuse = (refusal: RenewalRefusal, message: string): RenewalOutcome => ({ refusal, message });
  const { statement } = request;
  const now = ctx.now();
  if (caller.role !== 'station' || caller.subject !== statement.stationId) return refuse('forbidden', 'a station renews only its own certificate, with its own token');
  if (Math.abs(Date.parse(statement.at) - now.getTime()) > MAX_REQUEST_SKEW_MS) return refuse('bad-proof', 'the request is not within 10 minutes of the service clock');
  if (!verifyRenewalSignature(request)) return refuse('bad-proof', 'the request is not signed by the key it names');
  const rec = (await loadKeys(tx, [statement.publicKey])).get(statement.publicKey);
  if (!rec || rec.authorKind !== 'station' || rec.authorId !== statement.stationId) return refuse('unknown-station', 'this key is not enrolled for this station');
  if (rec.revokedAt !== null) return refuse('station-revoked', 'this station key was revoked');
  const list = await latestRevocationList(tx);
  const lists = list ? [list] : [];
  const names = [stationCertificateSha256(rec.certificate), ...(await issuedCertificateHashes(tx, statement.publicKey))];
  const revoked = (sha: string) => {
    const r = findRevocation(lists, sha);
    return r !== null && Date.parse(r.revokedAt) <= now.getTime();
  };
  if (names.some(revoked)) return refuse('station-revoked', 'a certificate of this station key is in the revocation list');
  const issuing = ctx.issuing;
  if (!issuing) return refuse('no-issuing-key', 'this service has no issuing key');
  if (revoked(issuing.certificateSha256)) return refuse('issuing-revoked', 'the service’s issuing certificate is in the revocation list');
  const validity = issuedValidity(issuing, ctx.stationCertificateDays, statement.validityDays, now);
  if (!validity) return refuse('issuing-expired', 'the service’s issuing certificate has expired');
  const { certificate, certificateSha256 } = await issueAndRecord(tx, issuing, statement.stationId, statement.publicKey, validity, caller.tokenId);
  return { answer: { certificate, issuingCertificate: issuing.certificate, certificateSha256 }, expiresAt: certificate.expiresAt ?? '' };
}
