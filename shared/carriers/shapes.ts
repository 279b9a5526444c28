import type { CarrierId } from './types.js';

/**
 * The rough shapes of each carrier's numbers, without check digits. Used only to explain a
 * rejection: a number with a carrier's shape but no valid check digit is most likely a typo
 * (`check-digit`), anything else an `unknown-format`.
 */
const SHAPES: Readonly<Record<Exclude<CarrierId, 'other'>, RegExp>> = {
  ups: /^(?:1Z[A-Z0-9]{16}|[AHJKTV][0-9]{10})$/,
  fedex: /^(?:[0-9]{12}|[0-9]{15}|[0-9]{18}|[0-9]{20}|[0-9]{22}|3[0-9]{31}|[0-9]{34})$/,
  usps: /^(?:[0-9]{20}|[0-9]{22}|[0-9]{26}|420[0-9]{25,35}|[A-Z]{2}[0-9]{9}US)$/,
  dhl: /^[0-9]{10,11}$/,
  'canada-post': /^(?:[0-9]{16}|[A-Z]{2}[0-9]{9}CA)$/,
  purolator: /^[0-9]{12}$/,
  canpar: /^[CDKLSUXZ][0-9]{21}$/,
  'upu-s10': /^[A-Z]{2}[0-9]{9}[A-Z]{2}$/,
};

/** The carriers whose shape `normalized` has (check digits not considered). Never throws. */
export function carriersWithShape(normalized: string): CarrierId[] {
  return (Object.keys(SHAPES) as (keyof typeof SHAPES)[]).filter((c) => SHAPES[c].test(normalized));
}
