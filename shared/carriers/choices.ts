import type { CarrierId } from './types.js';

/**
 * The carriers a technician may pick explicitly, in the order offered (Canadian carriers first).
 * `other` is not in it: the forms offer it apart, with its warning. The app sends this list to
 * the renderer through the IPC contract (`app.info`), so the UI never keeps its own copy.
 */
export const OFFERED_CARRIERS: readonly Exclude<CarrierId, 'other'>[] = ['canada-post', 'purolator', 'canpar', 'ups', 'fedex', 'dhl', 'usps', 'upu-s10'];
