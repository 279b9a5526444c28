/**
 * Tracking-number normalization for lookups: the form stored in `shipped` events (uppercase
 * letters and digits only). Uses shared/carriers' normalizer (which also strips pasted labels
 * such as "Tracking #:") and then drops anything that is not a letter or a digit.
 */
import { normalizeTrackingNumber } from '../shared/carriers/normalize.js';

/** Normalizes a tracking number typed or pasted by support: spaces, dashes and case do not matter. Never throws. */
export function normalizeTrackingQuery(input: string): string {
  let s: string;
  try {
    s = normalizeTrackingNumber(input);
  } catch {
    s = input;
  }
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
