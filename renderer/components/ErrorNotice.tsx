/**
 * An error as a sentence with a next step, keyed by the stable ScelleError code.
 */
import { hasMessage } from '../i18n/index.js';
import { useT } from '../i18n/use-t.js';
import type { UiError } from '../bridge.js';

/** Shows `error` (or nothing) as an alert. */
export function ErrorNotice({ error, values = {} }: { error: UiError | null; values?: Record<string, string | number> }) {
  const t = useT();
  if (!error) return null;
  const errKey = `err.${error.code}`;
  const nextKey = `next.${error.code}`;
  const v = { ...Object.fromEntries(Object.entries(error.details).map(([k, x]) => [k, String(x)])), ...values };
  const sentence = hasMessage(errKey) ? t(errKey, v) : t('err.E_INTERNAL');
  const next = hasMessage(nextKey) ? t(nextKey, v) : t('next.E_INTERNAL');
  return (
    <div className="notice notice-error" role="alert" data-code={error.code}>
      <p className="notice-title">{sentence}</p>
      <p>{t('common.nextStep', { hint: next })}</p>
    </div>
  );
}
