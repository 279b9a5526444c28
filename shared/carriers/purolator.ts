import { luhnCheckDigit } from './check-digit-luhn.js';
import type { FormatHit } from './types.js';

/**
 * Purolator. Purolator publishes no check-digit algorithm. Its 12-digit PINs end with a Luhn
 * check digit and start with 0-5: that rule comes from the Purolator definition contributed to
 * jkeen/tracking_number_data (PR #116, verified there on 17 real PINs), and the tests use its
 * published numbers. Purolator also issues PINs of 3 letters + 9 digits, which have no known
 * check digit: they are accepted on shape alone and flagged `checkDigit: false`.
 * A 12-digit PIN may also be a valid FedEx Express number: detection then reports both.
 */

/** True when `normalized` is a 12-digit Purolator PIN with a valid Luhn check digit. */
export function isPurolatorNumericPin(normalized: string): boolean {
  if (!/^[0-5][0-9]{11}$/.test(normalized)) return false;
  return luhnCheckDigit(normalized.slice(0, 11)) === Number(normalized.charAt(11));
}

/** True when `normalized` has the shape of an alphanumeric Purolator PIN (3 letters + 9 digits). */
export function isPurolatorAlphaPin(normalized: string): boolean {
  return /^[A-Z]{3}[0-9]{9}$/.test(normalized);
}

/** The Purolator hits for `normalized` ([] if none). Never throws. */
export function matchPurolator(normalized: string): FormatHit[] {
  if (isPurolatorNumericPin(normalized)) {
    return [{ carrier: 'purolator', normalized, format: 'purolator-12', service: 'Purolator PIN (12)', checkDigit: true }];
  }
  if (isPurolatorAlphaPin(normalized)) {
    return [{ carrier: 'purolator', normalized, format: 'purolator-alpha', service: 'Purolator PIN (3 letters + 9 digits)', checkDigit: false }];
  }
  return [];
}
