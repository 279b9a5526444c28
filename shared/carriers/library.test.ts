/**
 * Differential tests of ts-tracking-number against our own check-digit code, on deterministic
 * pseudo-random payloads: for each format the library must accept exactly the check digit
 * that we compute, and our S10 must agree with the library's wherever the library knows the
 * country.
 */
import { getTracking, s10 } from 'ts-tracking-number';
import { describe, expect, it } from 'vitest';
import { GS1_WEIGHTS, mod10CheckDigit } from './check-digit-mod10.js';
import { fedexMod11CheckDigit } from './check-digit-mod11.js';
import { mod7CheckDigit } from './check-digit-mod7.js';
import { libraryAccepts, libraryHits } from './library.js';
import { parseS10 } from './s10.js';

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240601);
const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
const alnum = (n: number): string => Array.from({ length: n }, () => '0123456789ABCDEFGHJKLMNPRSTUVWXYZ'.charAt(Math.floor(rand() * 33))).join('');

const FORMATS = [
  { courier: 'ups', name: 'UPS', make: () => `1Z${alnum(15)}`, check: (p: string) => mod10CheckDigit(p.slice(2), [1, 2]) },
  { courier: 'fedex', name: 'FedEx Express (12)', make: () => digits(11), check: (p: string) => fedexMod11CheckDigit(p) },
  { courier: 'fedex', name: 'FedEx Ground', make: () => digits(14), check: (p: string) => mod10CheckDigit(p, GS1_WEIGHTS) },
  { courier: 'usps', name: 'USPS 91', make: () => `94${digits(19)}`, check: (p: string) => mod10CheckDigit(p, GS1_WEIGHTS) },
  { courier: 'dhl', name: 'DHL Express', make: () => `${1 + Math.floor(rand() * 9)}${digits(8)}`, check: (p: string) => mod7CheckDigit(p) },
] as const;

describe('ts-tracking-number agrees with our check digits', () => {
  it.each(FORMATS)('$name: exactly our check digit is accepted (200 random payloads)', (f) => {
    for (let k = 0; k < 200; k++) {
      const payload = f.make();
      const good = f.check(payload);
      for (let d = 0; d <= 9; d++) {
        expect(libraryAccepts(f.courier, f.name, payload + String(d)), payload + String(d)).toBe(d === good);
      }
    }
  });

  it('S10: same verdict as the library for every country in its table', () => {
    const countries = s10.tracking_numbers[0]!.additional![1]!.lookup.map((l) => (l as { matches: string }).matches);
    for (let k = 0; k < 300; k++) {
      const cc = countries[Math.floor(rand() * countries.length)]!;
      const n = `RR${digits(9)}${cc}`;
      expect(parseS10(n) !== null, n).toBe(getTracking(n, [s10]) !== undefined);
    }
  });

  it('ignores anything that is not compact upper-case A-Z0-9', () => {
    expect(libraryHits('ups', '1z5r89390357567127')).toEqual([]);
    expect(libraryHits('fedex', '9865 7878 8855')).toEqual([]);
  });
});
