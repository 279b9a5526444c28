/**
 * Translation: the two dictionaries, `translate` with `{name}` values, and the language the
 * UI starts in (fr-CA, per the Charter of the French language).
 */
import type { Language } from '../../shared/ipc/index.js';
import { en } from './en.js';
import { frCA, type MessageKey } from './fr-CA.js';

export type { MessageKey };

/** Both dictionaries, by language. */
export const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { 'fr-CA': frCA, en };

/** The default language. */
export const DEFAULT_LANGUAGE: Language = 'fr-CA';

/** Values substituted into a message. */
export type MessageValues = Record<string, string | number>;

/** The message `key` in `lang` with `{name}` replaced by `values.name` (missing values stay visible). */
export function translate(lang: Language, key: MessageKey, values: MessageValues = {}): string {
  const text = DICTIONARIES[lang][key] ?? DICTIONARIES[DEFAULT_LANGUAGE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** The base of a message with plural forms: `<base>.one` and `<base>.other` (and maybe `.many`). */
export type PluralBase = { [K in MessageKey]: K extends `${infer B}.other` ? B : never }[MessageKey];

const pluralRules = new Map<Language, Intl.PluralRules>();

/**
 * The key of the plural form of `base` for `count` in `lang`, by the language's plural rules
 * (fr-CA: 0 and 1 are singular; en: only 1), falling back to `.other`.
 */
export function pluralKey(lang: Language, base: PluralBase, count: number): MessageKey {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  const key = `${base}.${rules.select(count)}`;
  return hasMessage(key) ? key : (`${base}.other` as MessageKey);
}

/** The plural form of `base` for `count`, with values substituted. */
export function translatePlural(lang: Language, base: PluralBase, count: number, values: MessageValues = {}): string {
  return translate(lang, pluralKey(lang, base, count), values);
}

/** True when `key` exists (used to look up error codes received at run time). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(frCA, key);
}
