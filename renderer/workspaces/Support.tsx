/**
 * Soutien: find drives by tracking number, order reference or drive id; see each custody
 * timeline with authors, times and verification status (and, for a member of a sealed set, every
 * member of the set); export it as PDF or CSV.
 */
import { useId, useState } from 'react';
import type { CustodyTimelineDto } from '../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Notice, Section } from '../components/Section.js';
import { formatDateTime } from '../format.js';
import { hasMessage } from '../i18n/index.js';
import { useT, useTc } from '../i18n/use-t.js';
import { useApp } from '../store.js';
import { Timeline } from './support/Timeline.js';
import { SetMembers } from './support/SetMembers.js';

/** The carrier of the newest `shipped` event naming `trackingNumber`, or null. */
function carrierOf(tl: CustodyTimelineDto, trackingNumber: string): string | null {
  const e = tl.events.filter((x) => x.type === 'shipped' && x.data['trackingNumber'] === trackingNumber).at(-1);
  return e && typeof e.data['carrier'] === 'string' ? e.data['carrier'] : null;
}

/** The support workspace. */
export function Support() {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const ids = { kind: useId(), query: useId() };
  const [kind, setKind] = useState<'tracking' | 'order' | 'drive'>('tracking');
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CustodyTimelineDto[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const search = async (by: typeof kind = kind, value: string = query.trim()) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      setResults((await unwrap(api().custody.lookup({ kind: by, value }))).timelines);
    } catch (e) {
      setResults(null);
      setError(asUiError(e));
    }
    setBusy(false);
  };

  const exportAs = async (driveId: string, format: 'pdf' | 'csv') => {
    setError(null);
    try {
      const r = await unwrap(api().report.export({ driveId, format, language: lang }));
      setSaved(r.path ? t('common.savedTo', { path: r.path }) : t('common.notSaved'));
    } catch (e) {
      setError(asUiError(e));
    }
  };

  const openTracking = async (carrier: string, trackingNumber: string) => {
    setError(null);
    try {
      await unwrap(api().shell.openCarrierLink({ carrier, trackingNumber }));
    } catch (e) {
      setError(asUiError(e));
    }
  };

  return (
    <div className="workspace">
      <h1>{t('support.title')}</h1>
      <form
        className="grid3"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
        role="search"
      >
        <div>
          <label htmlFor={ids.kind}>{t('support.kind')}</label>
          <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="tracking">{t('support.kind.tracking')}</option>
            <option value="order">{t('support.kind.order')}</option>
            <option value="drive">{t('support.kind.drive')}</option>
          </select>
        </div>
        <div>
          <label htmlFor={ids.query}>{t('support.query')}</label>
          <input id={ids.query} className="mono" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <div className="align-end">
          <button type="submit" disabled={busy || query.trim().length < 3}>
            {t('support.search')}
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      {saved && (
        <Notice kind="success" testId="export-saved">
          {saved}
        </Notice>
      )}
      {results && (
        <p role="status" data-testid="support-count">
          {results.length === 0 ? t('support.none') : tc('support.results', results.length)}
        </p>
      )}
      {results && results.length > 1 && (
        <table data-testid="support-summary">
          <caption>{t('support.summary')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('support.col.drive')}</th>
              <th scope="col">{t('support.col.last')}</th>
              <th scope="col">{t('support.col.chain')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((tl) => {
              const last = tl.events.at(-1);
              return (
                <tr key={tl.driveId}>
                  <th scope="row">
                    <button type="button" className="linklike mono" onClick={() => document.getElementById(`drive-${tl.driveId}`)?.scrollIntoView()}>
                      {tl.driveId}
                    </button>
                  </th>
                  <td>{last ? `${hasMessage(`event.${last.type}`) ? t(`event.${last.type}` as 'event.note') : last.type} · ${formatDateTime(last.at, lang)}` : '—'}</td>
                  <td className={tl.chainOk ? 'good' : 'bad'}>{tl.chainOk ? t('support.summaryOk') : tc('support.summaryAnomalies', tl.anomalies.length)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {results?.map((tl) => (
        <div key={tl.driveId} id={`drive-${tl.driveId}`}>
          <Section title={t('support.drive', { driveId: tl.driveId })}>
            {tl.chainOk ? (
              <Notice kind="success" testId="chain-ok">
                {t('support.chainOk')}
              </Notice>
            ) : (
              <Notice kind="warning" testId="chain-bad">
                {t('support.chainBad', { problem: tl.chainProblem ?? t('common.unknown') })}
              </Notice>
            )}
            {tl.anomalies.length > 0 && (
              <ul data-testid="custody-anomalies">
                {tl.anomalies.map((a) => (
                  <li key={`${a.kind}:${a.eventId}`}>{hasMessage(`anomaly.${a.kind}`) ? t(`anomaly.${a.kind}` as 'anomaly.received-before-shipped') : a.kind}</li>
                ))}
              </ul>
            )}
            {tl.trackingNumbers.length > 0 && (
              <p>
                {t('support.trackingLabel')}{' '}
                {tl.trackingNumbers.map((n, i) => {
                  const carrier = carrierOf(tl, n);
                  return (
                    <span key={n}>
                      {i > 0 && ', '}
                      {carrier ? (
                        <button
                          type="button"
                          className="linklike mono"
                          onClick={() => void openTracking(carrier, n)}
                          aria-label={t('support.tl.trackingLink', { carrier: hasMessage(`carrier.${carrier}`) ? t(`carrier.${carrier}` as 'carrier.ups') : carrier, tracking: n })}
                        >
                          {n}
                        </button>
                      ) : (
                        <span className="mono">{n}</span>
                      )}
                    </span>
                  );
                })}
              </p>
            )}
            {tl.set && (
              <SetMembers
                set={tl.set}
                onLookUp={(driveId) => {
                  setKind('drive');
                  setQuery(driveId);
                  void search('drive', driveId);
                }}
              />
            )}
            <Timeline timeline={tl} onOpenTracking={(carrier, n) => void openTracking(carrier, n)} />
            <div className="row">
              <button type="button" className="secondary" onClick={() => void exportAs(tl.driveId, 'pdf')}>
                {t('support.exportPdf')}
              </button>
              <button type="button" className="secondary" onClick={() => void exportAs(tl.driveId, 'csv')}>
                {t('support.exportCsv')}
              </button>
            </div>
          </Section>
        </div>
      ))}
    </div>
  );
}
