import type { FormatHit } from './types.js';

/**
 * Canpar Express (Canada). Canpar publishes no check-digit algorithm. Its barcodes are one
 * letter (C, D, K, L, S, U, X or Z) followed by 21 digits: that rule is the Canpar definition
 * contributed to jkeen/tracking_number_data (PR #116, couriers/canpar.json, with real barcodes),
 * whose published numbers the tests use. Without a check digit a typo cannot be caught, so a
 * match is flagged `checkDigit: false` (validation adds the `no-check-digit` warning).
 *
 * Other Canadian couriers (Loomis Express, GLS Canada (formerly Dicom), Intelcom) are not
 * recognised: none of them publishes its number format, and guessing one would accept typos
 * silently. Their numbers are recorded as an explicit "other carrier".
 */

/** True when `normalized` (compact upper case) has the shape of a Canpar barcode. */
export function isCanparBarcode(normalized: string): boolean {
  return /^[CDKLSUXZ][0-9]{21}$/.test(normalized);
}

/** The Canpar hit for `normalized`, or []. Never throws. */
export function matchCanpar(normalized: string): FormatHit[] {
  return isCanparBarcode(normalized) ? [{ carrier: 'canpar', normalized, format: 'canpar-22', service: 'Canpar Express (letter + 21 digits)', checkDigit: false }] : [];
}
