import type { FormatHit } from './types.js';

/**
 * How likely each format is to be what a Quebec prep station scanned, for the numbers that fit
 * several carriers (higher first). The overlaps, and why they are ordered so:
 * - 12 digits: a Purolator PIN (Luhn) can also be a FedEx Express number (mod 11): the Canadian
 *   courier that ships from Quebec every day comes first.
 * - IMpb numbers with application identifier 92 (92612…, and behind a 420+ZIP routing code) are
 *   USPS numbers (USPS Publication 199; jkeen/tracking_number_data 2.0 folds FedEx SmartPost into
 *   USPS IMpb): USPS delivers them and tracks them, so USPS comes before FedEx SmartPost.
 * - 34 digits starting with 420: a USPS IMpb behind a 420+ZIP+4 routing code before a FedEx
 *   34-digit Express barcode, whose check digit a USPS number passes one time in ten.
 * Formats not listed rank 0. Check-digit formats always come before formats without one
 * (see detect.ts): this table only orders within each group.
 */
const LIKELIHOOD: Readonly<Record<string, number>> = {
  'canada-post-16': 90,
  'purolator-12': 90,
  'purolator-alpha': 90,
  'canpar-22': 90,
  s10: 85,
  'ups-1z': 80,
  'ups-waybill': 80,
  'usps-impb': 70,
  'fedex-express-12': 60,
  'fedex-express-34': 60,
  'fedex-astra-32': 60,
  'fedex-ground-15': 60,
  'fedex-ground-96': 60,
  'fedex-ground-gsn': 60,
  'dhl-express': 60,
  'usps-20': 55,
  'fedex-ground-sscc18': 50,
  'dhl-ecommerce': 50,
  'dhl-express-piece': 50,
  'fedex-smartpost': 40,
  'dhl-ecommerce-14': 30,
};

/** The likelihood rank of a format id (0 when unlisted). Never throws. */
export function formatLikelihood(format: string): number {
  return LIKELIHOOD[format] ?? 0;
}

/**
 * `hits` from the most to the least likely: check-digit formats first, then by
 * {@link formatLikelihood}; equal ranks keep their order. Returns a new array; never throws.
 */
export function orderByLikelihood(hits: readonly FormatHit[]): FormatHit[] {
  return hits
    .map((hit, i) => ({ hit, i }))
    .sort((a, b) => Number(b.hit.checkDigit) - Number(a.hit.checkDigit) || formatLikelihood(b.hit.format) - formatLikelihood(a.hit.format) || a.i - b.i)
    .map(({ hit }) => hit);
}
