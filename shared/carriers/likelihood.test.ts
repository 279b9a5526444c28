import { describe, expect, it } from 'vitest';
import { formatLikelihood, orderByLikelihood } from './likelihood.js';
import type { FormatHit } from './types.js';

const hit = (carrier: FormatHit['carrier'], format: string, checkDigit = true): FormatHit => ({ carrier, normalized: 'X', format, service: format, checkDigit });

describe('orderByLikelihood', () => {
  it('puts USPS IMpb before FedEx SmartPost whatever order the matchers ran in', () => {
    const order = orderByLikelihood([hit('fedex', 'fedex-smartpost'), hit('usps', 'usps-impb')]).map((h) => h.carrier);
    expect(order).toEqual(['usps', 'fedex']);
  });

  it('puts USPS IMpb behind 420+ZIP+4 before a FedEx 34-digit barcode, and Purolator before FedEx Express', () => {
    expect(orderByLikelihood([hit('fedex', 'fedex-express-34'), hit('usps', 'usps-impb')]).map((h) => h.carrier)).toEqual(['usps', 'fedex']);
    expect(orderByLikelihood([hit('fedex', 'fedex-express-12'), hit('purolator', 'purolator-12')]).map((h) => h.carrier)).toEqual(['purolator', 'fedex']);
  });

  it('puts every check-digit format before any format without one', () => {
    const order = orderByLikelihood([hit('canpar', 'canpar-22', false), hit('fedex', 'fedex-smartpost')]);
    expect(order.map((h) => h.format)).toEqual(['fedex-smartpost', 'canpar-22']);
  });

  it('keeps the given order for equal ranks and ranks unknown formats last', () => {
    expect(formatLikelihood('no-such-format')).toBe(0);
    const order = orderByLikelihood([hit('fedex', 'fedex-ground-15'), hit('dhl', 'dhl-express'), hit('fedex', 'future-format')]);
    expect(order.map((h) => h.format)).toEqual(['fedex-ground-15', 'dhl-express', 'future-format']);
  });
});
