import { describe, expect, it } from 'vitest';
import { normalizeTrackingNumber } from './normalize.js';

describe('normalizeTrackingNumber', () => {
  it.each([
    ['1z 5r8 939 0357 5671 27', '1Z5R89390357567127'],
    ['Tracking #: 1Z5R89390357567127', '1Z5R89390357567127'],
    ['  tracking number 1Z5R8939-0357-5671-27.  ', '1Z5R89390357567127'],
    ['N° de suivi : 7035 1144 7713 8472', '7035114477138472'],
    ['No de repérage 7035-1144-7713-8472', '7035114477138472'],
    ['Numéro de suivi Postes Canada: 7035.1144.7713.8472', '7035114477138472'],
    ['PIN 331426749957', '331426749957'],
    ['AWB: 33 1881 0025', '3318810025'],
    ['"rn 123 456 785 ca"', 'RN123456785CA'],
    ['1Z5R89390357567127 (UPS)', '1Z5R89390357567127'],
    ['９４００ １１１２ ０２５５ ５８４２ ３３２６ ６９', '9400111202555842332669'],
    ['7035\u00a01144\u202f7713 8472', '7035114477138472'],
    ['9400_1112/0255–5842—3326 69', '9400111202555842332669'],
  ])('%j -> %s', (input, want) => {
    expect(normalizeTrackingNumber(input)).toBe(want);
    expect(normalizeTrackingNumber(want)).toBe(want); // idempotent
  });

  it('keeps short words that can start a number (an S10 service indicator) when no label word is present', () => {
    expect(normalizeTrackingNumber('DE 123 456 785 CA')).toBe('DE123456785CA');
    expect(normalizeTrackingNumber('NO 123456785 CA')).toBe('NO123456785CA');
  });

  it('returns an empty string for blank input and keeps characters no number has', () => {
    expect(normalizeTrackingNumber('   ')).toBe('');
    expect(normalizeTrackingNumber('Tracking #:')).toBe('');
    expect(normalizeTrackingNumber('1Z5R8939*0357')).toBe('1Z5R8939*0357');
  });
});
