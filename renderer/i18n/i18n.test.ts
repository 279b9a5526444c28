import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/ipc/index.js';
import { DICTIONARIES, translate, translateCount, translatePlural } from './index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  const fr = DICTIONARIES['fr-CA'];
  const en = DICTIONARIES.en;
  const single = (d: object) =>
    Object.keys(d)
      .filter((k) => !k.includes('#'))
      .sort();
  /** plural base -> the categories a dictionary gives it */
  const pluralForms = (d: object) => {
    const forms = new Map<string, string[]>();
    for (const k of Object.keys(d)) {
      const [base, category] = k.split('#');
      if (base !== undefined && category !== undefined) forms.set(base, [...(forms.get(base) ?? []), category].sort());
    }
    return forms;
  };

  it('has the same keys in French and English', () => {
    const missingInEn = single(fr).filter((k) => !(k in en));
    const missingInFr = single(en).filter((k) => !(k in fr));
    expect({ missingInEn, missingInFr }).toEqual({ missingInEn: [], missingInFr: [] });
    expect([...pluralForms(en).keys()].sort()).toEqual([...pluralForms(fr).keys()].sort());
  });

  it('gives every plural message exactly the plural categories of each language', () => {
    const frCategories = [...new Intl.PluralRules('fr-CA').resolvedOptions().pluralCategories].sort();
    const enCategories = [...new Intl.PluralRules('en').resolvedOptions().pluralCategories].sort();
    expect(frCategories).toEqual(['many', 'one', 'other']);
    expect(enCategories).toEqual(['one', 'other']);
    const frForms = pluralForms(fr);
    const enForms = pluralForms(en);
    expect(frForms.size).toBeGreaterThanOrEqual(9);
    for (const [base, categories] of frForms) expect(categories, `fr-CA ${base}`).toEqual(frCategories);
    for (const [base, categories] of enForms) expect(categories, `en ${base}`).toEqual(enCategories);
  });

  it('has no "(s)" plural left in either language: counts go through plural forms', () => {
    for (const dict of [fr, en]) {
      for (const [k, v] of Object.entries(dict)) expect(v, k).not.toMatch(/\(s\)|\(e\)s?\b/);
    }
  });

  it('has no empty message and the same placeholders in both languages', () => {
    for (const [k, v] of Object.entries(fr)) {
      expect(v.trim(), k).not.toBe('');
      const base = k.split('#')[0] ?? k;
      // a plural form English lacks (#many) is compared with English's #other
      const english = (en as Record<string, string>)[k] ?? (en as Record<string, string>)[`${base}#other`] ?? '';
      expect(placeholders(english), k).toEqual(placeholders(v));
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

  it('gives each reason of a restore clash its own sentence and next step, in both languages', () => {
    // shared/engine/restore/open.ts: something other than a folder where the drive restores a
    // folder, or a folder where it restores a file (the renderer may not import the engine).
    for (const r of ['not-a-folder', 'is-a-folder'])
      for (const dict of [fr, en]) {
        expect(dict, r).toHaveProperty([`err.E_RESTORE_EXISTS.${r}`]);
        expect(dict, r).toHaveProperty([`next.E_RESTORE_EXISTS.${r}`]);
        expect(placeholders((dict as Record<string, string>)[`err.E_RESTORE_EXISTS.${r}`]!), r).toEqual(['path']);
      }
  });

  it('picks plural forms by each language’s rules', () => {
    expect(translatePlural('fr-CA', 'client.selected', 0, { count: 0, bytes: '1 Ko' })).toBe('0 fichier choisi, 1 Ko');
    expect(translatePlural('fr-CA', 'client.selected', 1, { count: 1, bytes: '1 Ko' })).toBe('1 fichier choisi, 1 Ko');
    expect(translatePlural('fr-CA', 'client.selected', 2, { count: 2, bytes: '1 Ko' })).toBe('2 fichiers choisis, 1 Ko');
    expect(translatePlural('en', 'client.selected', 0, { count: 0, bytes: '1 kB' })).toBe('0 files chosen, 1 kB');
    expect(translatePlural('en', 'client.selected', 1, { count: 1, bytes: '1 kB' })).toBe('1 file chosen, 1 kB');
  });

  it('formats the count for the language: "1 partie" / "2 parties", "1 000 000 de fichiers", "1,000,000 files"', () => {
    const nbsp = new Intl.NumberFormat('fr-CA').format(1000).charAt(1); // the no-break space of fr-CA grouping
    expect(nbsp).toMatch(/[\u00a0\u202f]/);
    expect(translateCount('fr-CA', 'count.parts', 1)).toBe('1 partie');
    expect(translateCount('fr-CA', 'count.parts', 2)).toBe('2 parties');
    expect(translateCount('fr-CA', 'count.files', 0)).toBe('0 fichier');
    expect(translateCount('fr-CA', 'count.files', 1_000_000)).toBe(`1${nbsp}000${nbsp}000 de fichiers`);
    expect(translateCount('fr-CA', 'count.files', 1_500_000)).toBe(`1${nbsp}500${nbsp}000 fichiers`);
    expect(translateCount('fr-CA', 'count.folders', 12_345)).toBe(`12${nbsp}345 dossiers`);
    expect(translateCount('en', 'count.parts', 1)).toBe('1 part');
    expect(translateCount('en', 'count.files', 0)).toBe('0 files');
    expect(translateCount('en', 'count.files', 1_000_000)).toBe('1,000,000 files');
    expect(translateCount('en', 'support.results', 1)).toBe('1 drive found');
    expect(translateCount('fr-CA', 'support.results', 3)).toBe('3 disques trouvés');
  });

  it('substitutes values', () => {
    const v = (lang: 'fr-CA' | 'en', files: number, parts: number) => ({
      driveId: 'AB12',
      files: translateCount(lang, 'count.files', files),
      bytes: '1 Ko',
      parts: translateCount(lang, 'count.parts', parts),
    });
    expect(translate('fr-CA', 'tech.sealed', v('fr-CA', 3, 1))).toBe('Disque AB12 scellé : 3 fichiers, 1 Ko, 1 partie.');
    expect(translate('en', 'tech.sealed', v('en', 1, 2))).toBe('Drive AB12 sealed: 1 file, 1 Ko, 2 parts.');
    expect(translate('en', 'tech.counted', { files: translateCount('en', 'count.files', 1), dirs: translateCount('en', 'count.folders', 1), bytes: '1 kB' })).toBe(
      'Total: 1 file in 1 folder, 1 kB',
    );
    expect(translate('en', 'progress.percent', { percent: 42 })).toBe('42%');
  });
});
