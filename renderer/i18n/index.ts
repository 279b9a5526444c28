/**
 * Translation: the two dictionaries, `translate` with `{name}` values, plural forms chosen by
 * Intl.PluralRules, and the language the UI starts in (fr-CA, per the Charter of the French
 * language).
 *
 * A message with plural forms is one key per plural category of the language, `<base>#one`,
 * `<base>#many`, `<base>#other` …: French needs one (0 and 1), many (1 000 000 de fichiers) and
 * other; English one and other (i18n.test.ts checks each language has exactly its categories).
 */
import type { Language } from '../../shared/ipc/index.js';
import { formatCount } from '../format.js';
import { en } from './en.js';
import { frCA, type MessageKey } from './fr-CA.js';

export type { MessageKey };

/** Both dictionaries, by language (English has no `#many` forms: its plural rules never pick one). */
export const DICTIONARIES: Record<Language, Readonly<Partial<Record<MessageKey, string>>>> = { 'fr-CA': frCA, en };

/** The default language. */
export const DEFAULT_LANGUAGE: Language = 'fr-CA';

/** Values substituted into a message. */
export type MessageValues = Record<string, string | number>;

/** The base of a message with plural forms (`<base>#one`, `<base>#other`, …). */
export type PluralBase = { [K in MessageKey]: K extends `${infer B}#other` ? B : never }[MessageKey];

/** The message `key` in `lang` with `{name}` replaced by `values.name` (missing values stay visible). */
export function translate(lang: Language, key: MessageKey, values: MessageValues = {}): string {
  const text = DICTIONARIES[lang][key] ?? DICTIONARIES[DEFAULT_LANGUAGE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

const pluralRules = new Map<Language, Intl.PluralRules>();

/** The plural rules of `lang` (cached). */
export function pluralRulesOf(lang: Language): Intl.PluralRules {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return rules;
}

/**
 * The key of the plural form of `base` for `count` in `lang`, by the language's plural rules
 * (fr-CA: 0 and 1 are `one`, 1 000 000 is `many`; en: only 1 is `one`), falling back to `#other`.
 */
export function pluralKey(lang: Language, base: PluralBase, count: number): MessageKey {
  const key = `${base}#${pluralRulesOf(lang).select(count)}`;
  return hasMessage(key) && DICTIONARIES[lang][key] !== undefined ? key : (`${base}#other` as MessageKey);
}

/** The plural form of `base` for `count`, with values substituted (`{count}` is yours to give). */
export function translatePlural(lang: Language, base: PluralBase, count: number, values: MessageValues = {}): string {
  return translate(lang, pluralKey(lang, base, count), values);
}

/**
 * The plural form of `base` for `count`, with `{count}` filled by `count` formatted for `lang`
 * (fr-CA: `1 000 000`, grouped with a no-break space; en: `1,000,000`) and the other values.
 */
export function translateCount(lang: Language, base: PluralBase, count: number, values: MessageValues = {}): string {
  return translatePlural(lang, base, count, { ...values, count: formatCount(count, lang) });
}

/** True when `key` exists (used to look up error codes received at run time). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(frCA, key);
}
