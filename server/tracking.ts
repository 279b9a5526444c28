/**
 * Tracking-number normalization for lookups, with shared/carriers: spaces, dashes, case and
 * pasted labels ("Tracking #:") do not matter, and a number a carrier tracks under a shorter
 * form (e.g. a USPS barcode with its 420+ZIP routing prefix) also finds the form stored in the
 * `shipped` event (uppercase letters and digits only).
 */
import { detectCarriers, normalizeTrackingNumber } from '../shared/carriers/index.js';

/** The compact form of a typed or pasted tracking number (A–Z, 0–9 only; may be empty). Never throws. */
export function normalizeTrackingQuery(input: string): string {
  let s: string;
  try {
    s = normalizeTrackingNumber(input);
  } catch {
    s = input;
  }
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Every stored form the input may match: its compact form plus each carrier-normalized form
 * of a valid match. First element = the compact form. Never throws.
 */
export function trackingCandidates(input: string): string[] {
  const out = new Set<string>([normalizeTrackingQuery(input)]);
  try {
    for (const m of detectCarriers(input)) {
      const n = m.normalized.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (n !== '') out.add(n);
    }
  } catch {
    // detection is a refinement only
  }
  return [...out];
}
