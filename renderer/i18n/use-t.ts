/**
 * The React hook that translates in the current language.
 */
import { useCallback } from 'react';
import { useApp } from '../store.js';
import { translate, type MessageKey, type MessageValues } from './index.js';

/** Returns `t(key, values)` bound to the current language (re-renders on switch). */
export function useT(): (key: MessageKey, values?: MessageValues) => string {
  const lang = useApp((s) => s.language);
  return useCallback((key: MessageKey, values?: MessageValues) => translate(lang, key, values), [lang]);
}
