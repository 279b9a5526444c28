import type { CarrierId, CarrierLang } from './types.js';

/**
 * Carrier tracking pages. Every template is https (the desktop app opens these with
 * shell.openExternal, which DESIGN §6 allows only for https carrier links). ts-tracking-number's
 * own URLs are not used: its DHL link is plain http and its UPS and FedEx links are legacy
 * pages that only redirect.
 */
const TEMPLATES: Readonly<Record<Exclude<CarrierId, 'upu-s10' | 'other'>, (n: string, lang: CarrierLang) => string>> = {
  ups: (n, lang) => `https://www.ups.com/track?loc=${lang === 'fr-CA' ? 'fr_CA' : 'en_CA'}&tracknum=${n}`,
  fedex: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`,
  usps: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  dhl: (n, lang) => `https://www.dhl.com/ca-${lang === 'fr-CA' ? 'fr' : 'en'}/home/tracking.html?tracking-id=${n}&submit=1`,
  'canada-post': (n, lang) => `https://www.canadapost-postescanada.ca/track-reperage/${lang === 'fr-CA' ? 'fr' : 'en'}#/search?searchFor=${n}`,
  purolator: (n) => `https://www.purolator.com/en/shipping/tracker?searchValue=${n}`,
  // The page published with Canpar's format (jkeen/tracking_number_data canpar.json); `locale` picks the language.
  canpar: (n, lang) => `https://www.canpar.com/en/track/tracking.jsp?reference=${n}&locale=${lang === 'fr-CA' ? 'fr' : 'en'}`,
};

/**
 * The https tracking page of `normalized` at `carrier`, in `lang` where the carrier's site has
 * one (default fr-CA). Returns null for `other` and `upu-s10` (no single official page), and for
 * a `normalized` that is not 1 to 40 characters of A-Z and 0-9. Never throws.
 */
export function trackingUrl(carrier: CarrierId, normalized: string, lang: CarrierLang = 'fr-CA'): string | null {
  if (carrier === 'other' || carrier === 'upu-s10') return null;
  if (!/^[A-Z0-9]{1,40}$/.test(normalized)) return null;
  const template = TEMPLATES[carrier];
  return template === undefined ? null : template(encodeURIComponent(normalized), lang);
}
