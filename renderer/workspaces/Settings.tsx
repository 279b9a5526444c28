/**
 * Paramètres: language, custody service address and CA, station enrolment, version.
 */
import { useEffect, useId, useState } from 'react';
import type { Language } from '../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Notice, Section } from '../components/Section.js';
import { useT } from '../i18n/use-t.js';
import { useApp } from '../store.js';

/** The settings workspace. */
export function Settings() {
  const t = useT();
  const { settings, info, language, setLanguage, setSettings } = useApp();
  const ids = { lang: useId(), url: useId(), enrol: useId() };
  const [url, setUrl] = useState(settings?.custodyUrl ?? '');
  const [enrolError, setEnrolError] = useState<UiError | null>(null);
  const [enrolled, setEnrolled] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    setUrl(settings?.custodyUrl ?? '');
  }, [settings?.custodyUrl]);

  const guard = async (f: () => Promise<void>) => {
    setError(null);
    setSaved(false);
    try {
      await f();
    } catch (e) {
      setError(asUiError(e));
    }
  };

  return (
    <div className="workspace">
      <h1>{t('settings.title')}</h1>
      <ErrorNotice error={error} />
      {saved && (
        <Notice kind="success" testId="settings-saved">
          {t('settings.saved')}
        </Notice>
      )}
      <Section title={t('settings.language')}>
        <label htmlFor={ids.lang}>{t('settings.language')}</label>
        <select id={ids.lang} value={language} onChange={(e) => void setLanguage(e.target.value as Language)}>
          <option value="fr-CA" lang="fr-CA">
            Français (Canada)
          </option>
          <option value="en" lang="en">
            English
          </option>
        </select>
      </Section>
      <Section title={t('settings.custodyUrl')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void guard(async () => {
              setSettings(await unwrap(api().settings.set({ custodyUrl: url.trim() === '' ? null : url.trim() })));
              setSaved(true);
            });
          }}
        >
          <label htmlFor={ids.url}>{t('settings.custodyUrl')}</label>
          <input
            id={ids.url}
            type="url"
            className="mono"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-describedby={`${ids.url}-help`}
            autoComplete="off"
            spellCheck={false}
          />
          <p id={`${ids.url}-help`} className="help">
            {t('settings.custodyUrlHelp')}
          </p>
          <p>
            {t('settings.custodyCa')} : <span className="mono">{settings?.custodyCaPath ?? t('settings.custodyCaNone')}</span>
          </p>
          <div className="row">
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void guard(async () => {
                  const r = await unwrap(api().dialog.chooseSources({ kind: 'files' }));
                  if (r.paths[0]) {
                    setSettings(await unwrap(api().settings.set({ custodyCaPath: r.paths[0] })));
                    setSaved(true);
                  }
                })
              }
            >
              {t('settings.chooseCa')}
            </button>
            <button type="submit">{t('settings.save')}</button>
          </div>
        </form>
      </Section>
      <Section title={t('settings.station')}>
        <p>{t('settings.stationId', { id: settings?.stationId ?? t('common.unknown') })}</p>
        <p className={settings?.stationEnrolled ? 'good' : 'warn'} data-testid="station-status">
          {settings?.stationEnrolled ? t('settings.stationEnrolled') : t('settings.stationNotEnrolled')}
        </p>
        {info?.stationPublicKey && (
          <p>
            {t('settings.publicKey')}{' '}
            <span className="mono" data-testid="station-public-key">
              {info.stationPublicKey}
            </span>
          </p>
        )}
        <p className="help" id={ids.enrol}>
          {t('settings.enrolHelp')}
        </p>
        <ErrorNotice error={enrolError} scope="enrol" />
        {enrolled && (
          <Notice kind="success" testId="station-enrolled">
            {enrolled}
          </Notice>
        )}
        <button
          type="button"
          aria-describedby={ids.enrol}
          onClick={() =>
            void (async () => {
              setEnrolError(null);
              setEnrolled(null);
              try {
                const r = await unwrap(api().dialog.chooseSources({ kind: 'files' }));
                const file = r.paths[0];
                if (!file) return;
                const done = await unwrap(api().station.enrol({ bundlePath: file }));
                setSettings(await unwrap(api().settings.get({})));
                setEnrolled(t('settings.enrolled', { id: done.stationId, url: done.custodyUrl }));
              } catch (e) {
                setEnrolError(asUiError(e));
              }
            })()
          }
        >
          {t('settings.enrol')}
        </button>
      </Section>
      {info && <p className="help">{t('settings.about', { version: info.version, platform: info.platform, shell: info.shell })}</p>}
    </div>
  );
}
