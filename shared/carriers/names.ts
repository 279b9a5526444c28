import type { CarrierId, CarrierLang } from './types.js';

/** Display names of each carrier, in fr-CA (default) and en. */
export const CARRIER_NAMES: Readonly<Record<CarrierId, Readonly<Record<CarrierLang, string>>>> = {
  ups: { 'fr-CA': 'UPS', en: 'UPS' },
  fedex: { 'fr-CA': 'FedEx', en: 'FedEx' },
  usps: { 'fr-CA': 'USPS (service postal des États-Unis)', en: 'USPS (United States Postal Service)' },
  dhl: { 'fr-CA': 'DHL', en: 'DHL' },
  'canada-post': { 'fr-CA': 'Postes Canada', en: 'Canada Post' },
  purolator: { 'fr-CA': 'Purolator', en: 'Purolator' },
  canpar: { 'fr-CA': 'Canpar Express', en: 'Canpar Express' },
  'upu-s10': { 'fr-CA': 'Poste internationale (UPU S10)', en: 'International post (UPU S10)' },
  other: { 'fr-CA': 'Autre transporteur', en: 'Other carrier' },
};

/** The carrier's display name in `lang` (default fr-CA). Never throws for a valid CarrierId. */
export function carrierName(carrier: CarrierId, lang: CarrierLang = 'fr-CA'): string {
  return CARRIER_NAMES[carrier][lang];
}
