/**
 * Tracking numbers: normalization, carrier detection with real check digits, validation and
 * https links to the carriers' tracking pages (DESIGN §4). Pure TypeScript for Node.
 */
export { CARRIER_IDS } from './types.js';
export type { CarrierId, CarrierLang, TrackingMatch, TrackingResult, TrackingWarning } from './types.js';
export { CARRIER_NAMES, carrierName } from './names.js';
export { OFFERED_CARRIERS } from './choices.js';
export { normalizeTrackingNumber } from './normalize.js';
export { detectCarriers, validateTrackingNumber } from './detect.js';
export type { TrackingRejection, ValidateOptions } from './detect.js';
export { trackingUrl } from './urls.js';
export { parseS10 } from './s10.js';
export type { S10Parts } from './s10.js';
