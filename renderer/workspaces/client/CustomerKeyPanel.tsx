/**
 * The Client's own key (docs/CUSTODY.md §2): create one or choose an existing key file, then
 * show its public key (44 characters) to copy or export, for the customer to give the provider
 * at order time. Only the file's path and the public key are held here; the main side's
 * dialogs pick the file and the engine reads and writes it; the main side remembers the file's
 * path for the next run, until "forget" (the file itself is never deleted here).
 */
import { useState } from 'react';
import { useStore } from 'zustand';
import { api, asUiError, unwrap, type UiError } from '../../bridge.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Notice } from '../../components/Section.js';
import { useT } from '../../i18n/use-t.js';
import type { ClientFlowStore } from './client-flow.js';

/** The key panel over the Client flow; `locked` disables changing the key (a drive is unlocked). */
export function CustomerKeyPanel({ flow, locked }: { flow: ClientFlowStore; locked: boolean }) {
  const t = useT();
  const key = useStore(flow, (s) => s.key);
  const keyError = useStore(flow, (s) => s.keyError);
  const [copied, setCopied] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  const change = async (how: 'create' | 'choose') => {
    setCopied(false);
    setExported(null);
    await (how === 'create' ? flow.getState().createKey() : flow.getState().chooseKey());
  };

  return (
    <div data-testid="customer-key-panel">
      <p className="help">{t('client.key.intro')}</p>
      <div className="row">
        <button type="button" className="secondary" disabled={locked} onClick={() => void change('create')}>
          {t('client.key.create')}
        </button>
        <button type="button" className="secondary" disabled={locked} onClick={() => void change('choose')}>
          {t('client.key.choose')}
        </button>
      </div>
      {locked && <p className="help">{t('client.key.lockedHelp')}</p>}
      {key && (
        <>
          <Notice kind="success" testId="customer-key-chosen">
            {key.publicKeyFile ? t('client.key.created', { path: key.keyFile, pub: key.publicKeyFile }) : t('client.key.chosen', { path: key.keyFile })}
          </Notice>
          <p>{t('client.key.public')}</p>
          <p className="mono" data-testid="customer-public-key" aria-label={t('client.key.public')}>
            {key.publicKey}
          </p>
          <p className="help">{t('client.key.publicHelp')}</p>
          <div className="row">
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(key.publicKey).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {t('client.key.copy')}
            </button>
            <button type="button" className="secondary" disabled={locked} onClick={() => void flow.getState().forgetKey()}>
              {t('client.key.forget')}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void (async () => {
                  setError(null);
                  try {
                    setExported((await unwrap(api().customer.exportPublicKey({ keyFile: key.keyFile }))).path);
                  } catch (e) {
                    setError(asUiError(e));
                  }
                })()
              }
            >
              {t('client.key.export')}
            </button>
          </div>
          {copied && <p role="status">{t('client.key.copied')}</p>}
          {exported && <p role="status">{t('client.key.exported', { path: exported })}</p>}
        </>
      )}
      <ErrorNotice error={error ?? keyError} scope="customerKey" />
    </div>
  );
}
