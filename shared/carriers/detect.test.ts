import { describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { CARRIER_IDS, carrierName, detectCarriers, trackingUrl, validateTrackingNumber } from './index.js';
import type { CarrierId } from './index.js';

function rejection(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    if (isScelleError(e, 'E_CARRIER_INVALID')) return { ...e.details };
    throw e;
  }
  throw new Error('expected E_CARRIER_INVALID');
}

describe('detectCarriers', () => {
  it('finds the single carrier of an unambiguous number, with its https page', () => {
    expect(detectCarriers('Tracking #: 1z5r 8939 0357 5671 27')).toEqual([
      {
        carrier: 'ups',
        carrierName: 'UPS',
        normalized: '1Z5R89390357567127',
        format: 'ups-1z',
        service: 'UPS 1Z',
        checkDigit: true,
        url: 'https://www.ups.com/track?loc=fr_CA&tracknum=1Z5R89390357567127',
      },
    ]);
  });

  it('names Canada Post in French by default and in English on request', () => {
    expect(detectCarriers('7035 1144 7713 8472')).toMatchObject([
      { carrier: 'canada-post', carrierName: 'Postes Canada', url: 'https://www.canadapost-postescanada.ca/track-reperage/fr#/search?searchFor=7035114477138472' },
    ]);
    expect(detectCarriers('7035 1144 7713 8472', { lang: 'en' })).toMatchObject([
      { carrierName: 'Canada Post', url: 'https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=7035114477138472' },
    ]);
  });

  it('returns every plausible carrier for a 12-digit number valid for Purolator and FedEx', () => {
    expect(detectCarriers('287809468872').map((m) => m.carrier)).toEqual(['purolator', 'fedex']);
    expect(detectCarriers('331426749957').map((m) => m.carrier)).toEqual(['purolator']);
    expect(detectCarriers('986578788855').map((m) => m.carrier)).toEqual(['fedex']);
  });

  it('puts USPS before FedEx SmartPost for an IMpb number that fits both, with or without 420+ZIP', () => {
    expect(detectCarriers('9261292700768711948021').map((m) => m.carrier)).toEqual(['usps', 'fedex']);
    expect(detectCarriers('Tracking #: 420 11213 92 6129098349792366623 8').map((m) => [m.carrier, m.normalized])).toEqual([
      ['usps', '9261290983497923666238'],
      ['fedex', '9261290983497923666238'],
    ]);
    const r = validateTrackingNumber('9261 2927 0076 8711 9480 21');
    expect(r.match).toMatchObject({ carrier: 'usps', url: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9261292700768711948021' });
    expect(r.warnings).toEqual(['ambiguous']);
  });

  it('reduces FedEx 34-digit and ASTRA barcodes to the 12-digit number FedEx tracks', () => {
    expect(detectCarriers('1195 2664 7393 0007 5211 0087 1079 9199 40')).toMatchObject([
      { carrier: 'fedex', format: 'fedex-express-34', normalized: '871079919940', url: 'https://www.fedex.com/fedextrack/?trknbr=871079919940' },
    ]);
    expect(detectCarriers('3 29715 145 6010244 784917580286 2014')).toMatchObject([{ carrier: 'fedex', format: 'fedex-astra-32', normalized: '784917580286' }]);
  });

  it('names Canpar and links its page in the chosen language', () => {
    expect(detectCarriers('N° de suivi : d576 0024 4000 0001 7180 10')).toEqual([
      {
        carrier: 'canpar',
        carrierName: 'Canpar Express',
        normalized: 'D576002440000001718010',
        format: 'canpar-22',
        service: 'Canpar Express (letter + 21 digits)',
        checkDigit: false,
        url: 'https://www.canpar.com/en/track/tracking.jsp?reference=D576002440000001718010&locale=fr',
      },
    ]);
    expect(detectCarriers('D576002440000001718010', { lang: 'en' })[0]?.url).toBe('https://www.canpar.com/en/track/tracking.jsp?reference=D576002440000001718010&locale=en');
  });

  it('gives S10 numbers ending in CA to Canada Post only, and others to upu-s10 without a page', () => {
    expect(detectCarriers('rn123456785ca')).toMatchObject([{ carrier: 'canada-post', format: 's10', country: 'CA' }]);
    expect(detectCarriers('RR287043775IN')).toEqual([
      {
        carrier: 'upu-s10',
        carrierName: 'Poste internationale (UPU S10)',
        normalized: 'RR287043775IN',
        format: 's10',
        service: 'S10 Letter post registered',
        country: 'IN',
        checkDigit: true,
        url: null,
      },
    ]);
  });

  it('returns [] for a wrong check digit, junk or an over-long input', () => {
    expect(detectCarriers('1Z5R89390357567128')).toEqual([]);
    expect(detectCarriers('hello world')).toEqual([]);
    expect(detectCarriers('1'.repeat(100))).toEqual([]);
    expect(detectCarriers('')).toEqual([]);
  });
});

describe('validateTrackingNumber', () => {
  it('accepts an unambiguous number without warnings', () => {
    const r = validateTrackingNumber('9400 1112 0255 5842 3326 69');
    expect(r).toMatchObject({ ok: true, match: { carrier: 'usps', normalized: '9400111202555842332669' }, warnings: [] });
  });

  it('flags ambiguity and lists the candidates; a chosen carrier resolves it', () => {
    const r = validateTrackingNumber('287809468872');
    expect(r.warnings).toEqual(['ambiguous']);
    expect(r.candidates.map((c) => c.carrier)).toEqual(['purolator', 'fedex']);
    const fedex = validateTrackingNumber('287809468872', { carrier: 'fedex' });
    expect(fedex.match.carrier).toBe('fedex');
    expect(fedex.warnings).toEqual([]);
  });

  it('flags formats without a check digit', () => {
    expect(validateTrackingNumber('GM2951173225174494').warnings).toEqual(['no-check-digit']);
  });

  it('rejects a known shape with a wrong check digit as a likely typo', () => {
    expect(rejection(() => validateTrackingNumber('1Z5R89390357567128'))).toMatchObject({ reason: 'check-digit', shape: 'ups' });
    expect(rejection(() => validateTrackingNumber('7035114477138473', { carrier: 'canada-post' }))).toMatchObject({ reason: 'check-digit', carrier: 'canada-post' });
  });

  it('rejects a number valid only for another carrier than the chosen one', () => {
    expect(rejection(() => validateTrackingNumber('1Z5R89390357567127', { carrier: 'fedex' }))).toMatchObject({ reason: 'wrong-carrier', carrier: 'fedex', detected: 'ups' });
  });

  it('rejects unknown formats unless "other carrier" is asked for explicitly', () => {
    // M + 21 digits: Canpar's shape with a letter Canpar does not use (published as invalid)
    expect(rejection(() => validateTrackingNumber('M576002440000002510003'))).toMatchObject({ reason: 'unknown-format' });
    const viaCarrier = validateTrackingNumber('M576002440000002510003', { carrier: 'other' });
    expect(viaCarrier).toEqual({
      ok: true,
      match: { carrier: 'other', carrierName: 'Autre transporteur', normalized: 'M576002440000002510003', format: 'other', checkDigit: false, url: null },
      candidates: [],
      warnings: ['other-carrier'],
    });
    expect(validateTrackingNumber('M576002440000002510003', { allowOther: true }).warnings).toEqual(['other-carrier']);
  });

  it('does not fall back to "other" when a known carrier validates or one was chosen', () => {
    expect(validateTrackingNumber('1Z5R89390357567127', { allowOther: true }).match.carrier).toBe('ups');
    expect(rejection(() => validateTrackingNumber('M576002440000002510003', { carrier: 'ups', allowOther: true }))).toMatchObject({ reason: 'unknown-format', carrier: 'ups' });
  });

  it('still reports known carriers for an explicit "other" number', () => {
    const r = validateTrackingNumber('1Z5R89390357567127', { carrier: 'other' });
    expect(r.match.carrier).toBe('other');
    expect(r.candidates.map((c) => c.carrier)).toEqual(['ups']);
  });

  it('rejects empty input and implausible "other" numbers', () => {
    expect(rejection(() => validateTrackingNumber('  Tracking #: '))).toMatchObject({ reason: 'empty' });
    expect(rejection(() => validateTrackingNumber('AB12', { carrier: 'other' }))).toMatchObject({ reason: 'other-shape' });
    expect(rejection(() => validateTrackingNumber('1Z5R8939*0357', { carrier: 'other' }))).toMatchObject({ reason: 'other-shape' });
  });

  it("accepts any S10 number for upu-s10, keeping a national carrier's page", () => {
    expect(validateTrackingNumber('RN123456785CA', { carrier: 'upu-s10' }).match).toMatchObject({ carrier: 'canada-post', format: 's10' });
    expect(validateTrackingNumber('RR287043775IN', { carrier: 'upu-s10' }).match.carrier).toBe('upu-s10');
    expect(rejection(() => validateTrackingNumber('7035114477138472', { carrier: 'upu-s10' }))).toMatchObject({ reason: 'wrong-carrier' });
  });

  it('validates one published number per carrier', () => {
    const cases: [string, CarrierId][] = [
      ['1Z5R89390357567127', 'ups'],
      ['986578788855', 'fedex'],
      ['9400111202555842332669', 'usps'],
      ['3318810025', 'dhl'],
      ['7035114477138472', 'canada-post'],
      ['331426749957', 'purolator'],
      ['D576002440000001718010', 'canpar'],
      ['RR287043775IN', 'upu-s10'],
    ];
    for (const [n, carrier] of cases) expect(validateTrackingNumber(n, { carrier }).match.carrier).toBe(carrier);
  });
});

describe('trackingUrl and names', () => {
  it('builds https links only, and none for other or upu-s10', () => {
    for (const carrier of CARRIER_IDS) {
      for (const lang of ['fr-CA', 'en'] as const) {
        const url = trackingUrl(carrier, '1Z5R89390357567127', lang);
        if (carrier === 'other' || carrier === 'upu-s10') {
          expect(url).toBeNull();
        } else {
          expect(url).not.toBeNull();
          expect(new URL(url!).protocol).toBe('https:');
          expect(url).toContain('1Z5R89390357567127');
        }
      }
    }
  });

  it('refuses to build a link from anything but A-Z0-9', () => {
    expect(trackingUrl('ups', '1Z5R8939&x=1')).toBeNull();
    expect(trackingUrl('ups', '')).toBeNull();
  });

  it('has a French and an English name for every carrier', () => {
    expect(carrierName('canada-post')).toBe('Postes Canada');
    expect(carrierName('canada-post', 'en')).toBe('Canada Post');
    for (const c of CARRIER_IDS) expect(carrierName(c, 'en').length).toBeGreaterThan(0);
  });
});
