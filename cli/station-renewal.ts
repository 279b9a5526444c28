/**
 * This station's certificate renewed through the custody service, on the command line: by hand
 * (`scelle station renew`) or during `scelle custody sync` when it is within its renewal window
 * (shared/custody/station-renewal.ts). The new certificate and the issuing certificate that
 * signed it replace the old ones in the station key file (atomically; the key is kept).
 */
import { existsSync } from 'node:fs';
import type { CustodySyncClient } from '../shared/custody/sync-client.js';
import { renewalDue, renewStationCertificate } from '../shared/custody/station-renewal.js';
import { readStationKeyFile, replaceStationCertificate } from '../shared/format/key-files.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { configPaths, loadPinnedRoots, scelleHome } from './config.js';

/** What a renewal did: the new certificate's name and expiry. */
export interface Renewed {
  stationId: string;
  certificateSha256: string;
  expiresAt: string;
}

/**
 * Renews the certificate in this machine's station key file, whether due or not.
 * @throws ScelleError E_KEY_FILE when there is no station key; E_STATION_RENEWAL when the
 *   service refuses or answers a certificate that does not verify (the old one is kept);
 *   E_CUSTODY_SYNC / E_CANCELLED from the transport.
 */
export async function renewThisStation(client: CustodySyncClient, opts: { validityDays?: number; signal?: AbortSignal; home?: string } = {}): Promise<Renewed> {
  const { stationKey } = configPaths(opts.home ?? scelleHome());
  if (!existsSync(stationKey)) throw new ScelleError('E_KEY_FILE', `${stationKey} does not exist: this machine has no station key`, { path: stationKey, problem: 'missing' });
  const station = await readStationKeyFile(stationKey);
  try {
    const answer = await renewStationCertificate(client, station, await loadPinnedRoots(opts.home ?? scelleHome()), {
      ...(opts.validityDays !== undefined ? { validityDays: opts.validityDays } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await replaceStationCertificate(stationKey, answer.certificate, answer.issuingCertificate);
    return { stationId: station.id, certificateSha256: answer.certificateSha256, expiresAt: answer.certificate.expiresAt ?? '' };
  } finally {
    station.secretKey.fill(0);
  }
}

/**
 * Renews the certificate only when it is due (expired, or less than a third of its life left).
 * Returns null when nothing was due or there is no station key. Throws as {@link renewThisStation}.
 */
export async function renewIfDue(client: CustodySyncClient, opts: { signal?: AbortSignal; home?: string; now?: Date } = {}): Promise<Renewed | null> {
  const { stationKey } = configPaths(opts.home ?? scelleHome());
  if (!existsSync(stationKey)) return null;
  const station = await readStationKeyFile(stationKey);
  station.secretKey.fill(0);
  if (!renewalDue(station.certificate, opts.now ?? new Date())) return null;
  return renewThisStation(client, opts);
}
