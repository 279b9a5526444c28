/**
 * Renewing this station's certificate through the custody service, as the command line and the
 * app both do: when it is due (renewalDue), sign a request with the station key, send it with the
 * station's token (CustodySyncClient.renewCertificate), and accept the answer only if it chains
 * to a pinned root, certifies this very key and id, and is valid now. Storing it is the caller's.
 */
import { isScelleError, ScelleError } from '../errors/scelle-error.js';
import { verifyStationCertificate } from '../format/station-cert.js';
import type { StationCertificate, StationIdentity } from '../format/station.js';
import { signRenewalRequest, type RenewalAnswer } from './renewal-request.js';
import type { CustodySyncClient } from './sync-client.js';

/** A certificate is renewed once less than this fraction of its life remains (10 days of 30). */
export const RENEWAL_WINDOW_FRACTION = 1 / 3;

/**
 * True when `certificate` should be renewed at `now`: it has expired, or less than a third of its
 * life remains. A certificate without expiry, or no certificate (a local station), is never due.
 */
export function renewalDue(certificate: StationCertificate | null, now: Date = new Date()): boolean {
  if (certificate === null || certificate.expiresAt === null) return false;
  const start = Date.parse(certificate.issuedAt);
  const end = Date.parse(certificate.expiresAt);
  return end - now.getTime() < (end - start) * RENEWAL_WINDOW_FRACTION;
}

/**
 * Asks the service for a new certificate for `station` and checks it.
 * @throws ScelleError E_STATION_RENEWAL (`details.problem`: the service's refusal code, e.g.
 *   `station-revoked`, `unknown-station`, `no-issuing-key`, or the CertificateReason of an answer
 *   that does not verify); E_CUSTODY_SYNC when the service cannot be reached; E_CANCELLED.
 */
export async function renewStationCertificate(
  client: CustodySyncClient,
  station: Pick<StationIdentity, 'id' | 'secretKey' | 'publicKey'>,
  pinnedRoots: readonly Uint8Array[],
  opts: { validityDays?: number; now?: () => Date; signal?: AbortSignal } = {},
): Promise<RenewalAnswer> {
  const now = opts.now ?? (() => new Date());
  const request = signRenewalRequest({ stationId: station.id, at: now(), ...(opts.validityDays !== undefined ? { validityDays: opts.validityDays } : {}) }, station.secretKey);
  let answer: RenewalAnswer;
  try {
    answer = await client.renewCertificate(request, opts.signal);
  } catch (e) {
    const refusal = isScelleError(e, 'E_CUSTODY_SYNC') ? e.details['serverCode'] : undefined;
    if (typeof refusal === 'string' && refusal !== '') {
      throw new ScelleError('E_STATION_RENEWAL', `the custody service refused to renew the certificate (${refusal})`, { problem: refusal }, { cause: e });
    }
    throw e;
  }
  const check = verifyStationCertificate(answer.certificate, station.publicKey, pinnedRoots, now(), station.id, answer.issuingCertificate);
  if (!check.certified) {
    throw new ScelleError('E_STATION_RENEWAL', `the renewed certificate does not verify (${check.reason ?? 'invalid'})`, { problem: check.reason ?? 'invalid' });
  }
  return answer;
}
