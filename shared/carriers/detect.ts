import { ScelleError } from '../errors/scelle-error.js';
import { matchCanadaPost } from './canada-post.js';
import { matchCanpar } from './canpar.js';
import { matchDhl } from './dhl.js';
import { matchFedex } from './fedex.js';
import { orderByLikelihood } from './likelihood.js';
import { carrierName } from './names.js';
import { normalizeTrackingNumber } from './normalize.js';
import { matchPurolator } from './purolator.js';
import { matchS10 } from './s10.js';
import { carriersWithShape } from './shapes.js';
import { matchUps } from './ups.js';
import { trackingUrl } from './urls.js';
import { matchUsps } from './usps.js';
import type { CarrierId, CarrierLang, FormatHit, TrackingMatch, TrackingResult, TrackingWarning } from './types.js';

/** Longest compact number considered (the longest known form, a 420+ZIP+4 IMpb, is 38). */
const MAX_LENGTH = 64;

/** What an explicitly accepted "other carrier" number must look like. */
const OTHER_SHAPE = /^[A-Z0-9]{6,40}$/;

/** Every carrier's matcher; likelihood.ts orders their hits. */
const MATCHERS: readonly ((n: string) => FormatHit[])[] = [matchCanadaPost, matchPurolator, matchCanpar, matchUps, matchUsps, matchFedex, matchDhl, matchS10];

function toMatch(hit: FormatHit, lang: CarrierLang): TrackingMatch {
  return {
    carrier: hit.carrier,
    carrierName: carrierName(hit.carrier, lang),
    normalized: hit.normalized,
    format: hit.format,
    service: hit.service,
    ...(hit.country !== undefined ? { country: hit.country } : {}),
    checkDigit: hit.checkDigit,
    url: trackingUrl(hit.carrier, hit.normalized, lang),
  };
}

/**
 * Every carrier for which `input` (anything people paste; see normalizeTrackingNumber) is a
 * valid tracking number, one match per carrier, the most likely first (check-digit formats
 * before formats without one, then as likelihood.ts ranks them: Canadian carriers first, USPS
 * before FedEx SmartPost). Returns [] when nothing validates. S10 numbers ending in
 * CA are Canada Post's and in US USPS's; other S10 numbers are `upu-s10`. Never throws.
 */
export function detectCarriers(input: string, opts: { lang?: CarrierLang } = {}): TrackingMatch[] {
  const lang = opts.lang ?? 'fr-CA';
  const normalized = normalizeTrackingNumber(input);
  if (!/^[A-Z0-9]+$/.test(normalized) || normalized.length > MAX_LENGTH) return [];
  const ordered = orderByLikelihood(MATCHERS.flatMap((m) => m(normalized)));
  const seen = new Set<CarrierId>();
  const matches: TrackingMatch[] = [];
  for (const hit of ordered) {
    if (seen.has(hit.carrier)) continue;
    seen.add(hit.carrier);
    matches.push(toMatch(hit, lang));
  }
  return matches;
}

/** Options of {@link validateTrackingNumber}. */
export interface ValidateOptions {
  /** The carrier the user chose; `other` accepts any plausible number with a warning. */
  readonly carrier?: CarrierId;
  /** Accept a number that matches no known carrier as `other` (with the `other-carrier` warning). */
  readonly allowOther?: boolean;
  /** Language of carrier names and tracking pages (default fr-CA). */
  readonly lang?: CarrierLang;
}

/** Why validateTrackingNumber rejected a number (ScelleError details.reason). */
export type TrackingRejection = 'empty' | 'unknown-format' | 'check-digit' | 'wrong-carrier' | 'other-shape';

function reject(reason: TrackingRejection, message: string, details: Record<string, string | number> = {}): never {
  throw new ScelleError('E_CARRIER_INVALID', message, { reason, ...details });
}

function acceptOther(normalized: string, candidates: TrackingMatch[], lang: CarrierLang): TrackingResult {
  if (!OTHER_SHAPE.test(normalized)) {
    reject('other-shape', 'An other-carrier tracking number must be 6 to 40 letters or digits', { length: normalized.length });
  }
  const match: TrackingMatch = {
    carrier: 'other',
    carrierName: carrierName('other', lang),
    normalized,
    format: 'other',
    checkDigit: false,
    url: null,
  };
  return { ok: true, match, candidates, warnings: ['other-carrier'] };
}

function rejectUnmatched(normalized: string, carrier: CarrierId | undefined, candidates: TrackingMatch[]): never {
  const first = candidates[0];
  if (carrier !== undefined && first !== undefined) {
    reject('wrong-carrier', `The tracking number is not valid for ${carrier} but is for ${first.carrier}`, { carrier, detected: first.carrier });
  }
  const shaped = carriersWithShape(normalized).filter((c) => carrier === undefined || c === carrier);
  const where: Record<string, string> = carrier !== undefined ? { carrier } : {};
  if (shaped.length > 0) {
    reject('check-digit', "The tracking number has a carrier's format but its check digit is wrong (likely a typo)", { ...where, shape: shaped.join(',') });
  }
  return reject('unknown-format', 'The tracking number matches no known carrier format', { ...where, length: normalized.length });
}

/**
 * Validates `input` as a tracking number and chooses its carrier.
 * - With `carrier` set to a known carrier: the number must be valid for that carrier
 *   (`upu-s10` accepts any S10 number, including Canada Post's and USPS's, whose match keeps
 *   its national carrier and page).
 * - With `carrier: 'other'`, or `allowOther` when no known carrier matches: any 6 to 40 letters
 *   and digits are accepted as carrier `other` with the `other-carrier` warning; `candidates`
 *   still lists the known carriers the number is valid for.
 * - Otherwise the first detected carrier is chosen, with `ambiguous` when there are several.
 * `no-check-digit` is added when the chosen format has no check digit.
 * Throws ScelleError `E_CARRIER_INVALID` with details.reason: `empty`, `unknown-format`,
 * `check-digit` (a carrier's shape with a wrong check digit), `wrong-carrier` (valid for
 * another carrier: details.detected) or `other-shape`.
 */
export function validateTrackingNumber(input: string, opts: ValidateOptions = {}): TrackingResult {
  const lang = opts.lang ?? 'fr-CA';
  const normalized = normalizeTrackingNumber(input);
  if (normalized.length === 0) reject('empty', 'No tracking number was given');
  const candidates = detectCarriers(normalized, { lang });
  if (opts.carrier === 'other') return acceptOther(normalized, candidates, lang);

  const chosen = opts.carrier === undefined ? candidates : candidates.filter((c) => (opts.carrier === 'upu-s10' ? c.format === 's10' : c.carrier === opts.carrier));
  const match = chosen[0];
  if (match === undefined) {
    if (opts.carrier === undefined && opts.allowOther === true) return acceptOther(normalized, candidates, lang);
    return rejectUnmatched(normalized, opts.carrier, candidates);
  }
  const warnings: TrackingWarning[] = [];
  if (opts.carrier === undefined && candidates.length > 1) warnings.push('ambiguous');
  if (!match.checkDigit) warnings.push('no-check-digit');
  return { ok: true, match, candidates, warnings };
}
