import { describe, expect, it } from 'vitest';
import { counted, fmtCount, LOCALES, PLURALS } from './plurals.js';
import { TEXT } from './text.js';

describe('CLI counted phrases', () => {
  it('gives every phrase exactly the plural categories of its language (fr-CA one/many/other, en one/other)', () => {
    expect(Object.keys(PLURALS.en).sort()).toEqual(Object.keys(PLURALS.fr).sort());
    for (const lang of ['fr', 'en'] as const) {
      const categories = [...new Intl.PluralRules(LOCALES[lang]).resolvedOptions().pluralCategories].sort();
      expect(categories).toEqual(lang === 'fr' ? ['many', 'one', 'other'] : ['one', 'other']);
      for (const [phrase, forms] of Object.entries(PLURALS[lang])) {
        expect(Object.keys(forms).sort(), `${lang} ${phrase}`).toEqual(categories);
        for (const form of Object.values(forms)) expect(form, `${lang} ${phrase}`).toMatch(/^[^#]*#[^#]*$/);
      }
    }
  });

  it('picks the form by the count: "1 partie" / "2 parties", "0 fichier" in French, "0 files" in English', () => {
    expect(counted('fr', 'parts', 1)).toBe('1 partie');
    expect(counted('fr', 'parts', 2)).toBe('2 parties');
    expect(counted('fr', 'files', 0)).toBe('0 fichier');
    expect(counted('en', 'files', 0)).toBe('0 files');
    expect(counted('en', 'files', 1)).toBe('1 file');
    expect(counted('en', 'problemsFound', 1)).toBe('1 problem found');
    expect(counted('fr', 'eventsVerified', 2)).toBe('2 événements vérifiés');
  });

  it('formats the count for the language, with "de" before the noun for a round million in French', () => {
    const million = fmtCount(1_000_000, 'fr');
    expect(million).toMatch(/^1[\u00a0\u202f]000[\u00a0\u202f]000$/);
    expect(counted('fr', 'files', 1_000_000)).toBe(`${million} de fichiers`);
    expect(counted('fr', 'events', 2_000_000)).toBe(`${fmtCount(2_000_000, 'fr')} d’événements`);
    expect(counted('fr', 'files', 1_234_567)).toBe(`${fmtCount(1_234_567, 'fr')} fichiers`);
    expect(counted('en', 'files', 1_000_000)).toBe('1,000,000 files');
  });

  it('groups whole numbers exactly as Intl.NumberFormat does for the language', () => {
    const values = [0, 1, 7, 12, 999, 1000, 1001, 12_345, 123_456, 1_234_567, 10_000_000, -1, -1234, -999_999, Number.MAX_SAFE_INTEGER, 1.5, 1234.5, 1e21];
    for (const lang of ['fr', 'en'] as const) {
      const intl = new Intl.NumberFormat(LOCALES[lang]);
      for (const n of values) expect(fmtCount(n, lang), `${lang} ${n}`).toBe(intl.format(n));
    }
  });

  it('leaves no "(s)" plural in the command line text', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (const [k, v] of Object.entries(TEXT[lang])) expect(v, `${lang} ${k}`).not.toMatch(/\(s\)/);
    }
  });
});
