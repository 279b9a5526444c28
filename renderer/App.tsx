/**
 * The app shell: header with the language switch, workspace tabs (arrow keys move between
 * them), and the current workspace.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { hasBridge } from './bridge.js';
import { useT } from './i18n/use-t.js';
import { useApp, WORKSPACES, type Workspace } from './store.js';
import { Client } from './workspaces/Client.js';
import { Settings } from './workspaces/Settings.js';
import { Support } from './workspaces/Support.js';
import { TechnicianHome } from './workspaces/technician/TechnicianHome.js';

const LABEL: Record<Workspace, 'ws.technician' | 'ws.client' | 'ws.support' | 'ws.settings'> = {
  technician: 'ws.technician',
  client: 'ws.client',
  support: 'ws.support',
  settings: 'ws.settings',
};

/** The root component. */
export function App() {
  const t = useT();
  const { workspace, setWorkspace, language, setLanguage, load } = useApp();
  const [loadFailed, setLoadFailed] = useState(!hasBridge());
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    if (hasBridge()) load().catch(() => setLoadFailed(true));
  }, [load]);
  useEffect(() => {
    document.title = `${t('app.title')} — ${t(LABEL[workspace])}`;
  }, [t, workspace]);

  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = WORKSPACES.indexOf(workspace);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % WORKSPACES.length
        : e.key === 'ArrowLeft'
          ? (i + WORKSPACES.length - 1) % WORKSPACES.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? WORKSPACES.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    const w = WORKSPACES[next]!;
    setWorkspace(w);
    tabs.current[w]?.focus();
  };

  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="header">
        <div className="brand">
          <span className="brand-name">{t('app.title')}</span>
          <span className="brand-tag">{t('app.tagline')}</span>
        </div>
        <div role="tablist" aria-label={t('app.workspaces')} className="tabs">
          {WORKSPACES.map((w) => (
            <button
              key={w}
              ref={(el) => {
                tabs.current[w] = el;
              }}
              role="tab"
              type="button"
              id={`tab-${w}`}
              aria-selected={workspace === w}
              aria-controls="main"
              tabIndex={workspace === w ? 0 : -1}
              onClick={() => setWorkspace(w)}
              onKeyDown={onKey}
            >
              {t(LABEL[w])}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="lang"
          lang={language === 'fr-CA' ? 'en' : 'fr-CA'}
          aria-label={t('app.language.switchLabel')}
          onClick={() => void setLanguage(language === 'fr-CA' ? 'en' : 'fr-CA')}
        >
          {t('app.language.switch')}
        </button>
      </header>
      <main id="main" role="tabpanel" aria-labelledby={`tab-${workspace}`} tabIndex={-1}>
        {loadFailed ? (
          <div className="notice notice-error" role="alert">
            {t('app.noBridge')}
          </div>
        ) : (
          <>
            {workspace === 'technician' && <TechnicianHome />}
            {workspace === 'client' && <Client />}
            {workspace === 'support' && <Support />}
            {workspace === 'settings' && <Settings />}
          </>
        )}
      </main>
    </>
  );
}
