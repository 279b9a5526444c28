import { libraryHits } from './library.js';
import { slug } from './ups.js';
import type { FormatHit } from './types.js';

/**
 * DHL, from ts-tracking-number: Express waybills (10 or 11 digits, the last being the rest
 * mod 7), and two forms without a check digit: Express piece ids (J + 2-3 letters + digits)
 * and eCommerce / Global Mail numbers (GM, LX, RX, ... + 10 to 39 digits).
 */
const FORMAT_IDS: Readonly<Record<string, string>> = {
  'DHL Express': 'dhl-express',
  'DHL Express (Piece ID)': 'dhl-express-piece',
  'DHL E-Commerce': 'dhl-ecommerce',
};

/** The DHL formats `normalized` is valid for ([] if none). Never throws. */
export function matchDhl(normalized: string): FormatHit[] {
  return libraryHits('dhl', normalized).map((h) => ({
    carrier: 'dhl',
    normalized,
    format: FORMAT_IDS[h.name] ?? `dhl-${slug(h.name)}`,
    service: h.name,
    checkDigit: h.checkDigit,
  }));
}
