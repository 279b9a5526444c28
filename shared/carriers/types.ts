/**
 * Types shared by the tracking-number modules. Pure data: no I/O, no DOM, no electron.
 */

/** The carriers Scellé knows, plus `other` for an explicitly accepted unknown carrier. */
export const CARRIER_IDS = ['ups', 'fedex', 'usps', 'dhl', 'canada-post', 'purolator', 'canpar', 'upu-s10', 'other'] as const;

/** One of {@link CARRIER_IDS}. Stable: these strings are stored in custody events. */
export type CarrierId = (typeof CARRIER_IDS)[number];

/** The UI languages: French (Canada) is the default, English at parity. */
export type CarrierLang = 'fr-CA' | 'en';

/**
 * Why a result deserves the user's attention (stable codes; the UI words them):
 * - `other-carrier`: the number was accepted only because the caller asked for "other carrier";
 *   nothing about it was checked beyond its shape.
 * - `ambiguous`: the number is valid for more than one carrier; `candidates` lists them all.
 * - `no-check-digit`: the carrier's format has no check digit, so a typo cannot be caught.
 */
export type TrackingWarning = 'other-carrier' | 'ambiguous' | 'no-check-digit';

/** One carrier for which a tracking number is valid. */
export interface TrackingMatch {
  /** The carrier. */
  readonly carrier: CarrierId;
  /** The carrier's display name in the requested language (e.g. 'Postes Canada'). */
  readonly carrierName: string;
  /**
   * The number the carrier tracks, compact and upper case (e.g. a USPS `420`+ZIP routing
   * prefix and a FedEx 34-digit barcode's leading fields are removed).
   */
  readonly normalized: string;
  /** Stable id of the number's format, e.g. `ups-1z`, `fedex-express-12`, `s10`. */
  readonly format: string;
  /** Human label of the format or service (English, informational). */
  readonly service?: string;
  /** Issuing country (ISO 3166-1 alpha-2) of a UPU S10 number. */
  readonly country?: string;
  /** False when the format has no check digit (structure only was checked). */
  readonly checkDigit: boolean;
  /** The carrier's https tracking page for this number, or null when there is none. */
  readonly url: string | null;
}

/** A successful validation. */
export interface TrackingResult {
  readonly ok: true;
  /** The chosen match (the only one, the one for the requested carrier, or the first candidate). */
  readonly match: TrackingMatch;
  /** Every carrier the number is valid for (empty for an `other` carrier). */
  readonly candidates: readonly TrackingMatch[];
  /** Attention points; empty when the number is unambiguous and check-digit verified. */
  readonly warnings: readonly TrackingWarning[];
}

/** A format matcher's verdict before names and URLs are attached. */
export interface FormatHit {
  readonly carrier: Exclude<CarrierId, 'other'>;
  readonly normalized: string;
  readonly format: string;
  readonly service: string;
  readonly checkDigit: boolean;
  readonly country?: string;
}
