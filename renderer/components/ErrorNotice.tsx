/**
 * An error as a sentence with a next step, keyed by the stable ScelleError code.
 */
import { hasMessage } from '../i18n/index.js';
import { useT } from '../i18n/use-t.js';
import type { UiError } from '../bridge.js';

/**
 * The sentence for a station certification reason (no-certificate, unknown-root, expired,
 * key-mismatch, id-mismatch, not-yet-valid, bad-signature, malformed); an unknown code is
 * shown as is.
 */
export function certReasonText(t: ReturnType<typeof useT>, reason: string | null | undefined): string {
  if (!reason) return t('common.unknown');
  const key = `cert.reason.${reason}`;
  return hasMessage(key) ? t(key) : reason;
}

/**
 * Shows `error` (or nothing) as an alert. With `scope`, `err.<scope>.<code>` and
 * `next.<scope>.<code>` are preferred when they exist (the same code may need another
 * sentence in another context), after `err.<code>.<reason>` / `next.<code>.<reason>` for an
 * error whose `reason` detail has its own sentence (e.g. a key file others may read). A `reason` detail that is a certification reason is translated.
 */
export function ErrorNotice({ error, values = {}, scope }: { error: UiError | null; values?: Record<string, string | number>; scope?: string }) {
  const t = useT();
  if (!error) return null;
  const reasonDetail = error.details['reason'];
  const pick = (kind: 'err' | 'next') => {
    const reasoned = typeof reasonDetail === 'string' ? `${kind}.${error.code}.${reasonDetail}` : '';
    if (reasoned && hasMessage(reasoned)) return reasoned;
    const scoped = scope ? `${kind}.${scope}.${error.code}` : '';
    return scoped && hasMessage(scoped) ? scoped : `${kind}.${error.code}`;
  };
  const errKey = pick('err');
  const nextKey = pick('next');
  const v: Record<string, string | number> = { ...Object.fromEntries(Object.entries(error.details).map(([k, x]) => [k, String(x)])), ...values };
  const reason = error.details['reason'];
  if (typeof reason === 'string' && hasMessage(`cert.reason.${reason}`)) v['reason'] = certReasonText(t, reason);
  const sentence = hasMessage(errKey) ? t(errKey, v) : t('err.E_INTERNAL');
  const next = hasMessage(nextKey) ? t(nextKey, v) : t('next.E_INTERNAL');
  return (
    <div className="notice notice-error" role="alert" data-code={error.code}>
      <p className="notice-title">{sentence}</p>
      <p>{t('common.nextStep', { hint: next })}</p>
    </div>
  );
}
