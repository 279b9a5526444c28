/**
 * `scelle ship <drive> --carrier <id> --tracking <number> [--order <ref>]` and
 * `scelle ship <drive> --other-carrier "<name>" --tracking <number>`: validates the tracking
 * number with the carrier's check digit (shared/carriers), records a `shipped` event signed by
 * this station (carrier id and normalized number only: no personal data) and prints the
 * carrier's tracking link.
 */
import { CARRIER_IDS, validateTrackingNumber, type CarrierId, type TrackingResult } from '../../shared/carriers/index.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { parse } from '../args.js';
import { loadPinnedRoots } from '../config.js';
import { appendEvent, loadStationIfPresent, reportRecorded, resolveDriveRef, stationAuthor, withCustodyStore } from '../custody.js';
import type { Output } from '../output.js';
import { t } from '../text.js';

/** Opaque order reference (the custody schema's record id). */
const ORDER_REF_RE = /^[A-Za-z0-9._:-]{1,128}$/;
/** A carrier name typed for --other-carrier: short, no control characters. Shown, never recorded. */
const CARRIER_NAME_RE = /^[^\p{Cc}]{1,100}$/u;

function isKnownCarrier(id: string): id is Exclude<CarrierId, 'other'> {
  return (CARRIER_IDS as readonly string[]).includes(id) && id !== 'other';
}

/**
 * Runs the command; returns the exit code (0, or via thrown errors: E_USAGE 2, E_CARRIER_INVALID
 * 10 with `details.reason` from shared/carriers, E_CUSTODY_CHAIN when this station has no
 * chain for the drive, E_CUSTODY_JOURNAL 8 when the journal cannot be written).
 */
export async function shipCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(argv, {
    carrier: { type: 'string' },
    tracking: { type: 'string' },
    order: { type: 'string' },
    'other-carrier': { type: 'string' },
  });
  const ref = positionals[0];
  if (!ref) throw new ScelleError('E_USAGE', 'ship needs the drive folder or drive id', { reason: '<drive>' });
  if (values.tracking === undefined) throw new ScelleError('E_USAGE', 'ship needs --tracking <number>', { reason: '--tracking' });
  const otherName = values['other-carrier'];
  const lang = out.lang === 'fr' ? 'fr-CA' : 'en';
  let result: TrackingResult;
  if (otherName !== undefined) {
    if (values.carrier !== undefined && values.carrier !== 'other')
      throw new ScelleError('E_USAGE', 'give either --carrier or --other-carrier', { reason: '--carrier / --other-carrier' });
    if (!CARRIER_NAME_RE.test(otherName.trim()))
      throw new ScelleError('E_USAGE', '--other-carrier needs the carrier name (1 to 100 characters)', { reason: '--other-carrier "<name>"' });
    result = validateTrackingNumber(values.tracking, { carrier: 'other', lang });
  } else if (values.carrier !== undefined) {
    if (values.carrier === 'other') throw new ScelleError('E_USAGE', 'an unknown carrier is accepted only with --other-carrier "<name>"', { reason: '--other-carrier "<name>"' });
    if (!isKnownCarrier(values.carrier))
      throw new ScelleError('E_USAGE', `unknown carrier ${values.carrier}`, { reason: `--carrier ${CARRIER_IDS.filter((c) => c !== 'other').join('|')}` });
    result = validateTrackingNumber(values.tracking, { carrier: values.carrier, lang });
  } else {
    result = validateTrackingNumber(values.tracking, { lang });
    if (result.warnings.includes('ambiguous')) {
      throw new ScelleError('E_USAGE', 'the tracking number is valid for several carriers; choose one with --carrier', {
        reason: `--carrier ${result.candidates.map((c) => c.carrier).join('|')}`,
      });
    }
  }
  if (values.order !== undefined && !ORDER_REF_RE.test(values.order)) {
    throw new ScelleError('E_USAGE', '--order must be an opaque reference (letters, digits, . _ : -), never personal data', { reason: '--order' });
  }
  const { match } = result;
  if (otherName !== undefined) out.warn(t(out.lang, 'otherCarrierWarning', otherName.trim(), match.normalized), 'other-carrier');
  else if (result.warnings.includes('no-check-digit')) out.warn(t(out.lang, 'noCheckDigitWarning'), 'no-check-digit');

  const drive = resolveDriveRef(ref, await loadPinnedRoots());
  const station = await loadStationIfPresent();
  if (!station) throw new ScelleError('E_CUSTODY_CHAIN', 'no station key on this machine', { reason: 'no-provider-lineage', driveId: drive.driveId });
  const { event } = await withCustodyStore(async (store) => {
    try {
      return await appendEvent(store, {
        type: 'shipped',
        driveId: drive.driveId,
        author: stationAuthor(station),
        secretKey: station.secretKey,
        data: { carrier: match.carrier, trackingNumber: match.normalized, ...(values.order !== undefined ? { orderRef: values.order } : {}) },
      });
    } finally {
      station.secretKey.fill(0);
    }
  });
  const carrierLabel = otherName !== undefined ? `${match.carrierName} (${otherName.trim()})` : match.carrierName;
  out.info(t(out.lang, 'shipped', drive.driveId, carrierLabel, match.normalized));
  out.info(match.url ? t(out.lang, 'trackingLink', match.url) : t(out.lang, 'noTrackingLink'));
  reportRecorded(out, [event]);
  out.emit({
    event: 'result',
    command: 'ship',
    driveId: drive.driveId,
    carrier: match.carrier,
    carrierName: match.carrierName,
    trackingNumber: match.normalized,
    url: match.url,
    warnings: result.warnings,
    eventId: event.id,
    ...(values.order !== undefined ? { orderRef: values.order } : {}),
    ...(otherName !== undefined ? { otherCarrierName: otherName.trim() } : {}),
  });
  return 0;
}
