/**
 * USPS Intelligent Mail package barcodes (IMpb) may start with a routing code: `420` + ZIP
 * (5 digits) or `420` + ZIP+4 (9 digits). The routing code is not part of the tracking number
 * (the check digit does not cover it) and the carriers' pages want the number without it.
 */

/**
 * Strips a `420`+ZIP routing prefix from `normalized` when what remains is accepted by
 * `isTrackingNumber`; tries ZIP+4 first, then ZIP. Returns `normalized` unchanged otherwise.
 */
export function stripUspsRouting(normalized: string, isTrackingNumber: (n: string) => boolean): string {
  if (!/^420[0-9]{25,}$/.test(normalized)) return normalized;
  for (const zipLength of [9, 5]) {
    const rest = normalized.slice(3 + zipLength);
    if (isTrackingNumber(rest)) return rest;
  }
  return normalized;
}
