import { describe, expect, it } from 'vitest';
import { OFFERED_CARRIERS } from './choices.js';
import { CARRIER_IDS } from './types.js';

describe('OFFERED_CARRIERS', () => {
  it('offers every known carrier once, except the explicit "other"', () => {
    expect(new Set(OFFERED_CARRIERS).size).toBe(OFFERED_CARRIERS.length);
    expect([...OFFERED_CARRIERS].sort()).toEqual(CARRIER_IDS.filter((c) => c !== 'other').sort());
  });

  it('offers the Canadian carriers first', () => {
    expect(OFFERED_CARRIERS.slice(0, 3)).toEqual(['canada-post', 'purolator', 'canpar']);
  });
});
