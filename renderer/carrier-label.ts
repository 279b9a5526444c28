/**
 * A carrier's display name in the UI language: the catalog's `carrier.<id>` when it has one,
 * "other carrier" for `other`, else the id itself (a carrier the shell offers but this catalog
 * does not name yet is still shown, never hidden).
 */
import { hasMessage, type MessageKey } from './i18n/index.js';

/** The label of carrier `id` through the translator `t`. Never throws. */
export function carrierLabel(t: (key: MessageKey) => string, id: string): string {
  const key = `carrier.${id}`;
  if (hasMessage(key)) return t(key as MessageKey);
  return id === 'other' ? t('tech.carrier.other') : id;
}
