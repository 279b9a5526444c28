/**
 * The React hooks that translate in the current language.
 */
import { useCallback } from 'react';
import { useApp } from '../store.js';
import { translate, translateCount, type MessageKey, type MessageValues, type PluralBase } from './index.js';

/** Returns `t(key, values)` bound to the current language (re-renders on switch). */
export function useT(): (key: MessageKey, values?: MessageValues) => string {
  const lang = useApp((s) => s.language);
  return useCallback((key: MessageKey, values?: MessageValues) => translate(lang, key, values), [lang]);
}

/**
 * Returns `tc(base, count, values)`: the plural form of `base` for `count` in the current
 * language, with `{count}` filled by the number formatted for that language.
 */
export function useTc(): (base: PluralBase, count: number, values?: MessageValues) => string {
  const lang = useApp((s) => s.language);
  return useCallback((base: PluralBase, count: number, values?: MessageValues) => translateCount(lang, base, count, values), [lang]);
}
