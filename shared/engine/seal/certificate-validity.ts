/**
 * A seal refuses a station whose certificate (or its issuing certificate) has expired: every
 * reader would judge such a drive `expired`, so it is refused before anything is written, with
 * the fix (renew the certificate: `scelle station renew`, or a sync of the app). A local station
 * without a certificate may still seal (its drives open with a warning).
 */
import { ScelleError } from '../../errors/scelle-error.js';
import type { StationIdentity } from '../../format/station.js';

/**
 * Throws unless the station's certificate chain is still valid at `now`.
 * @throws ScelleError E_STATION_CERTIFICATE_EXPIRED (details: stationId, expiresAt).
 */
export function requireUnexpiredCertificate(station: Pick<StationIdentity, 'id' | 'certificate' | 'issuingCertificate'>, now: Date = new Date()): void {
  const ends = [station.certificate?.expiresAt, station.certificate ? station.issuingCertificate?.expiresAt : undefined].filter((x): x is string => typeof x === 'string');
  const first = ends.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  if (first !== undefined && !(now.getTime() < Date.parse(first))) {
    throw new ScelleError('E_STATION_CERTIFICATE_EXPIRED', `the certificate of station ${station.id} expired on ${first}; renew it before sealing`, {
      stationId: station.id,
      expiresAt: first,
    });
  }
}
