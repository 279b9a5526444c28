import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/ipc/index.js';
import { DICTIONARIES, translate, translatePlural } from './index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  const fr = DICTIONARIES['fr-CA'];
  const en = DICTIONARIES.en;

  it('has the same keys in French and English', () => {
    const missingInEn = Object.keys(fr).filter((k) => !(k in en));
    const missingInFr = Object.keys(en).filter((k) => !(k in fr));
    expect({ missingInEn, missingInFr }).toEqual({ missingInEn: [], missingInFr: [] });
  });

  it('has no empty message and the same placeholders in both languages', () => {
    for (const [k, v] of Object.entries(fr)) {
      expect(v.trim(), k).not.toBe('');
      expect(placeholders(en[k as keyof typeof en] ?? ''), k).toEqual(placeholders(v));
    }
  });

  it('has a sentence and a next step for every error code, in both languages', () => {
    for (const code of ERROR_CODES) {
      for (const dict of [fr, en]) {
        expect(dict, code).toHaveProperty([`err.${code}`]);
        expect(dict, code).toHaveProperty([`next.${code}`]);
      }
    }
  });

  it('translates every station certification reason, in both languages', () => {
    // shared/format/station-cert.ts CertificateReason (the renderer may not import shared/format)
    const reasons = ['no-certificate', 'unknown-root', 'expired', 'key-mismatch', 'id-mismatch', 'not-yet-valid', 'bad-signature', 'malformed'];
    for (const r of reasons) for (const dict of [fr, en]) expect(dict, r).toHaveProperty([`cert.reason.${r}`]);
  });

  it('has an .other form for every plural message, in both languages', () => {
    for (const dict of [fr, en]) {
      for (const k of Object.keys(dict)) {
        const m = /^(.*)\.(zero|one|two|few|many)$/.exec(k);
        if (m) expect(dict, k).toHaveProperty([`${m[1]}.other`]);
      }
    }
  });

  it('picks plural forms by each language’s rules', () => {
    const v = (files: number) => ({ files, bytes: '1 Ko' });
    expect(translatePlural('fr-CA', 'client.selected', 0, v(0))).toBe('0 fichier choisi, 1 Ko');
    expect(translatePlural('fr-CA', 'client.selected', 1, v(1))).toBe('1 fichier choisi, 1 Ko');
    expect(translatePlural('fr-CA', 'client.selected', 2, v(2))).toBe('2 fichiers choisis, 1 Ko');
    expect(translatePlural('fr-CA', 'client.selected', 1_000_000, { files: '1 000 000', bytes: '1 Go' })).toBe('1 000 000 de fichiers choisis, 1 Go');
    expect(translatePlural('en', 'client.selected', 0, v(0))).toBe('0 files chosen, 1 Ko');
    expect(translatePlural('en', 'client.selected', 1, v(1))).toBe('1 file chosen, 1 Ko');
    expect(translatePlural('en', 'client.search.results', 1_000_000, { count: 'many' })).toBe('many results');
  });

  it('substitutes values', () => {
    expect(translate('fr-CA', 'tech.sealed', { driveId: 'AB12', files: 3, bytes: '1 Ko', parts: 1 })).toBe('Disque AB12 scellé : 3 fichiers, 1 Ko, 1 partie(s).');
    expect(translate('en', 'progress.percent', { percent: 42 })).toBe('42%');
  });
});
