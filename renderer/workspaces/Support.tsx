/**
 * Soutien: find drives by tracking number, order reference or drive id; see each custody
 * timeline with authors, times and verification status; export it as PDF or CSV.
 */
import { useId, useState } from 'react';
import type { CustodyTimelineDto } from '../../shared/ipc/index.js';
import { authorLabel } from '../author-label.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Notice, Section } from '../components/Section.js';
import { formatDateTime } from '../format.js';
import { hasMessage } from '../i18n/index.js';
import { useT, useTc } from '../i18n/use-t.js';
import { useApp } from '../store.js';

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

  const search = async () => {
    setBusy(true); setError(null); setSaved(null);
    try {
      setResults((await unwrap(api().custody.lookup({ kind, value: query.trim() }))).timelines);
    } catch (e) {
      setResults(null); setError(asUiError(e));
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

  return (
    <div className="workspace">
      <h1>{t('support.title')}</h1>
      <form className="grid3" onSubmit={(e) => { e.preventDefault(); void search(); }} role="search">
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
        <div className="align-end"><button type="submit" disabled={busy || query.trim().length < 3}>{t('support.search')}</button></div>
      </form>
      <ErrorNotice error={error} />
      {saved && <Notice kind="success" testId="export-saved">{saved}</Notice>}
      {results && (
        <p role="status" data-testid="support-count">{results.length === 0 ? t('support.none') : tc('support.results', results.length)}</p>
      )}
      {results?.map((tl) => (
        <Section key={tl.driveId} title={t('support.drive', { driveId: tl.driveId })}>
          {tl.chainOk ? <Notice kind="success" testId="chain-ok">{t('support.chainOk')}</Notice> : <Notice kind="warning" testId="chain-bad">{t('support.chainBad', { problem: tl.chainProblem ?? t('common.unknown') })}</Notice>}
          {tl.anomalies.length > 0 && (
            <ul data-testid="custody-anomalies">
              {tl.anomalies.map((a) => (
                <li key={`${a.kind}:${a.eventId}`}>{hasMessage(`anomaly.${a.kind}`) ? t(`anomaly.${a.kind}` as 'anomaly.received-before-shipped') : a.kind}</li>
              ))}
            </ul>
          )}
          {tl.trackingNumbers.length > 0 && <p>{t('support.tracking', { numbers: tl.trackingNumbers.join(', ') })}</p>}
          <table>
            <caption>{t('support.timeline', { driveId: tl.driveId })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('support.col.seq')}</th><th scope="col">{t('support.col.type')}</th><th scope="col">{t('support.col.at')}</th>
                <th scope="col">{t('support.col.received')}</th><th scope="col">{t('support.col.author')}</th><th scope="col">{t('support.col.signature')}</th>
              </tr>
            </thead>
            <tbody>
              {tl.events.map((e) => (
                <tr key={e.id}>
                  <td>{e.seq}</td>
                  <td>{hasMessage(`event.${e.type}`) ? t(`event.${e.type}` as 'event.note') : e.type}</td>
                  <td>{formatDateTime(e.at, lang)}</td>
                  <td>{e.receivedAt ? formatDateTime(e.receivedAt, lang) : '—'}</td>
                  <td title={`${e.author.kind}:${e.author.id}`} data-testid="event-author">
                    {authorLabel(e.author, lang)}
                    {e.author.kind === 'customer' && e.attestation ? (
                      <span className={e.attestation === 'customer-key' ? 'good' : e.attestation === 'none' ? 'bad' : undefined} data-testid="event-attestation"> · {t(`attestation.${e.attestation}`)}</span>
                    ) : null}
                  </td>
                  <td className={e.signatureOk ? 'good' : 'bad'}>{e.signatureOk ? t('support.sigOk') : t('support.sigBad')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" className="secondary" onClick={() => void exportAs(tl.driveId, 'pdf')}>{t('support.exportPdf')}</button>
            <button type="button" className="secondary" onClick={() => void exportAs(tl.driveId, 'csv')}>{t('support.exportCsv')}</button>
          </div>
        </Section>
      ))}
    </div>
  );
}
