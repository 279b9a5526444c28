/**
 * `scelle station renew [--days N] [service options]`: renews this station's certificate through
 * the custody service now (cli/station-renewal.ts), with the station's token. `scelle custody
 * sync` does the same by itself once the certificate is within its renewal window.
 */
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { MAX_STATION_VALIDITY_DAYS } from '../../shared/format/station.js';
import { parse } from '../args.js';
import { withCustodyStore } from '../custody.js';
import type { Output } from '../output.js';
import { renewThisStation } from '../station-renewal.js';
import { t } from '../text.js';
import { offlineOr, SERVICE_OPTIONS, serviceSettings, syncClient } from './custody.js';

async function renewSub(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values } = parse(argv, { ...SERVICE_OPTIONS, days: { type: 'string' } });
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_STATION_VALIDITY_DAYS)) {
    throw new ScelleError('E_USAGE', `--days must be a whole number from 1 to ${MAX_STATION_VALIDITY_DAYS}`, { reason: '--days' });
  }
  const settings = serviceSettings(values);
  return withCustodyStore(async (store) => {
    let renewed;
    try {
      renewed = await renewThisStation(syncClient(settings, store), { ...(days !== undefined ? { validityDays: days } : {}), signal });
    } catch (e) {
      throw offlineOr(e, store.pending().length);
    }
    out.info(t(out.lang, 'certificateRenewed', renewed.stationId, renewed.expiresAt.slice(0, 10)));
    out.emit({ event: 'result', command: 'station renew', ...renewed });
    return 0;
  });
}

/**
 * Dispatches `scelle station <sub>`; returns the exit code. Errors: E_USAGE (2); E_KEY_FILE (4)
 * without a station key or a readable token; E_STATION_RENEWAL (1) when the service refuses
 * (revoked or unknown station, no issuing key) or answers a certificate that does not verify;
 * E_CUSTODY_OFFLINE (9) when the service cannot be reached. The current certificate is kept on
 * any failure.
 */
export async function stationCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'renew') return renewSub(rest, out, signal);
  throw new ScelleError('E_USAGE', 'station needs renew', { reason: 'station renew' });
}
