/**
 * The technicians' dashboard: every drive this station sealed with its custody state, search by
 * drive id, order or tracking number, the actions that fit each drive's state (verify again,
 * record or correct the shipment, re-print the packing slip, report an incident), the seals
 * interrupted on the attached drives with their resume (InterruptedSeals.tsx), the sets stopped at
 * the question for the next drive with their continuation (StoppedSets.tsx), and the outbox:
 * how many events wait to sync, and a button to sync now.
 */
import { useEffect, useId, useState } from 'react';
import type { StationDriveDto, VerifyReportDto } from '../../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../../bridge.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ProgressPanel } from '../../components/ProgressPanel.js';
import { Notice, Section } from '../../components/Section.js';
import { formatDateTime } from '../../format.js';
import { hasMessage, type MessageKey } from '../../i18n/index.js';
import { useT, useTc } from '../../i18n/use-t.js';
import { useJob } from '../../jobs.js';
import { useApp } from '../../store.js';
import { InterruptedSeals } from './InterruptedSeals.js';
import type { SetResumeRequest } from './resume-request.js';
import { StoppedSets } from './StoppedSets.js';
import { ShipmentForm } from './ShipmentForm.js';
import { useDashboard } from './dashboard-store.js';

type Action = StationDriveDto['actions'][number];
type Panel = { driveId: string; kind: 'shipment' | 'incident' } | null;

const INCIDENT_KINDS = ['lost', 'damaged', 'returned', 'other'] as const;

/** The dashboard view of the Technician workspace; loads when shown (`active`). `onResumeSet` hands a set to resume to the sealing form. */
export function Dashboard({ active, onResumeSet }: { active: boolean; onResumeSet: (r: Omit<SetResumeRequest, 'nonce'>) => void }) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const { query, setQuery, listing, loading, syncing, synced, error, syncError, load, sync } = useDashboard();
  const ids = { search: useId(), incident: useId() };
  const [panel, setPanel] = useState<Panel>(null);
  const [incidentKind, setIncidentKind] = useState<(typeof INCIDENT_KINDS)[number]>('lost');
  const [message, setMessage] = useState<{ kind: 'success' | 'info'; text: string } | null>(null);
  const [actionError, setActionError] = useState<UiError | null>(null);
  const verifyJob = useJob<VerifyReportDto>();
  const [verifying, setVerifying] = useState<string | null>(null);

  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => void load(), query ? 250 : 0);
    return () => clearTimeout(timer);
  }, [active, query, load]);

  const guard = async (f: () => Promise<void>) => {
    setActionError(null);
    setMessage(null);
    try {
      await f();
    } catch (e) {
      setActionError(asUiError(e));
    }
  };
  const recorded = (synced: boolean) => setMessage({ kind: synced ? 'success' : 'info', text: t(synced ? 'tech.recorded' : 'tech.recordedLocal') });

  const verify = (d: StationDriveDto) =>
    guard(async () => {
      if (!d.driveDir) return;
      setVerifying(d.driveId);
      const report = await verifyJob.run((jobId) => api().engine.verify({ jobId, driveDir: d.driveDir! }));
      setVerifying(null);
      if (!report) return;
      const r = await unwrap(api().custody.record({ driveId: d.driveId, type: 'verified', data: { level: report.level, ok: report.ok, problems: report.problems.length } }));
      setMessage({
        kind: report.ok ? 'success' : 'info',
        text: `${report.ok ? t('tech.verifyOk') : tc('tech.verifyBad', report.problems.length)} ${t(r.synced ? 'tech.recorded' : 'tech.recordedLocal')}`,
      });
      await load();
    });

  const reprint = (d: StationDriveDto) =>
    guard(async () => {
      if (!d.shipment) return;
      const r = await unwrap(api().slip.savePdf({ driveId: d.driveId, carrier: d.shipment.carrier, trackingNumber: d.shipment.trackingNumber, language: lang }));
      setMessage({ kind: 'success', text: r.path ? t('common.savedTo', { path: r.path }) : t('common.notSaved') });
    });

  const reportIncident = (driveId: string) =>
    guard(async () => {
      const r = await unwrap(api().custody.record({ driveId, type: 'incident', data: { kind: incidentKind } }));
      setPanel(null);
      recorded(r.synced);
      await load();
    });

  const onAction = (d: StationDriveDto, a: Action) => {
    if (a === 'verify') void verify(d);
    else if (a === 'reprint-slip') void reprint(d);
    else {
      setMessage(null);
      setPanel({ driveId: d.driveId, kind: a === 'report-incident' ? 'incident' : 'shipment' });
    }
  };

  const drives = listing?.drives ?? [];
  const panelDrive = panel ? (drives.find((d) => d.driveId === panel.driveId) ?? null) : null;

  return (
    <div className="workspace">
      <h1>{t('dash.title')}</h1>
      <Section title={t('dash.outbox')}>
        <div className="row align-center">
          <p data-testid="pending-count" className={listing && listing.pending > 0 ? 'warn' : 'good'}>
            {listing ? tc('dash.pending', listing.pending) : t('common.working')}
          </p>
          <button type="button" onClick={() => void sync()} disabled={syncing}>
            {t('dash.sync')}
          </button>
        </div>
        {synced && (
          <Notice kind="success" testId="sync-done">
            {tc('dash.synced', synced.pushed)}
          </Notice>
        )}
        <ErrorNotice error={syncError} />
        {listing?.source === 'local' && listing.offlineCode && (
          <Notice kind="warning" testId="dash-local">
            {t('dash.local')}
          </Notice>
        )}
      </Section>

      <InterruptedSeals seals={listing?.interrupted ?? []} onResumed={() => void load()} onResumeSet={onResumeSet} />
      <StoppedSets sets={listing?.stoppedSets ?? []} onContinue={onResumeSet} />

      <Section title={t('dash.drives')}>
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void load();
          }}
        >
          <label htmlFor={ids.search}>{t('dash.search')}</label>
          <input id={ids.search} type="search" className="mono" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" spellCheck={false} />
        </form>
        <ErrorNotice error={error} />
        <p role="status" data-testid="dash-count">
          {listing &&
            (listing.total === 0
              ? t('dash.none')
              : drives.length === 0
                ? t('dash.noMatch')
                : query.trim()
                  ? tc('dash.matches', drives.length, { total: listing.total })
                  : tc('dash.count', drives.length))}
          {loading && ` ${t('common.working')}`}
        </p>
        {drives.length > 0 && (
          <table data-testid="dash-table">
            <caption>{t('dash.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dash.col.drive')}</th>
                <th scope="col">{t('dash.col.state')}</th>
                <th scope="col">{t('dash.col.shipment')}</th>
                <th scope="col">{t('dash.col.last')}</th>
                <th scope="col">{t('dash.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {drives.map((d) => (
                <tr key={d.driveId} data-testid={`dash-row-${d.driveId}`}>
                  <th scope="row" className="mono">
                    {d.driveId}
                  </th>
                  <td>
                    <span className={`state state-${d.state}`} data-testid="dash-state">
                      {t(`state.${d.state}`)}
                    </span>
                    {d.openIncident && <span className="help"> {t('dash.incidentKind', { kind: incidentLabel(t, d.openIncident.kind) })}</span>}
                    {d.pendingEvents > 0 && <span className="help"> · {tc('dash.rowPending', d.pendingEvents)}</span>}
                  </td>
                  <td>
                    {d.shipment ? (
                      <>
                        <span>{carrierLabel(t, d.shipment.carrier)}</span> <span className="mono">{d.shipment.trackingNumber}</span>
                      </>
                    ) : (
                      <span className="help">{t('dash.noShipment')}</span>
                    )}
                  </td>
                  <td>{d.lastEventAt ? formatDateTime(d.lastEventAt, lang) : '—'}</td>
                  <td>
                    <div className="row">
                      {d.actions.map((a) => (
                        <button
                          key={a}
                          type="button"
                          className={a === 'report-incident' ? 'secondary' : undefined}
                          disabled={(a === 'verify' && !d.driveDir) || verifyJob.running}
                          title={a === 'verify' && !d.driveDir ? t('dash.verifyNeedsDrive') : undefined}
                          aria-label={t('dash.actionFor', { action: t(`dash.action.${a}`), driveId: d.driveId })}
                          onClick={() => onAction(d, a)}
                        >
                          {t(`dash.action.${a}`)}
                        </button>
                      ))}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {verifying && verifyJob.running && <ProgressPanel progress={verifyJob.progress} onCancel={verifyJob.cancel} label={t('dash.verifying', { driveId: verifying })} />}
        <ErrorNotice error={verifyJob.error} />
        <ErrorNotice error={actionError} />
        {message && (
          <Notice kind={message.kind} testId="dash-message">
            {message.text}
          </Notice>
        )}
      </Section>

      {panel?.kind === 'shipment' && panelDrive && (
        <Section title={t('dash.ship.title', { driveId: panelDrive.driveId })}>
          <ShipmentForm
            driveId={panelDrive.driveId}
            current={panelDrive.shipment}
            onCancel={() => setPanel(null)}
            onRecorded={(isSynced) => {
              setPanel(null);
              recorded(isSynced);
              void load();
            }}
          />
        </Section>
      )}
      {panel?.kind === 'incident' && panelDrive && (
        <Section title={t('dash.incident.title', { driveId: panelDrive.driveId })}>
          <label htmlFor={ids.incident}>{t('dash.incident.kind')}</label>
          <select id={ids.incident} value={incidentKind} onChange={(e) => setIncidentKind(e.target.value as typeof incidentKind)}>
            {INCIDENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`incident.${k}`)}
              </option>
            ))}
          </select>
          <p className="help">{t('dash.incident.help')}</p>
          <div className="row">
            <button type="button" onClick={() => void reportIncident(panelDrive.driveId)}>
              {t('dash.incident.save')}
            </button>
            <button type="button" className="secondary" onClick={() => setPanel(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </Section>
      )}
    </div>
  );
}

function carrierLabel(t: ReturnType<typeof useT>, id: string): string {
  const key = `carrier.${id}`;
  return hasMessage(key) ? t(key as MessageKey) : id === 'other' ? t('tech.carrier.other') : id;
}

function incidentLabel(t: ReturnType<typeof useT>, kind: string): string {
  const key = `incident.${kind}`;
  return hasMessage(key) ? t(key as MessageKey) : kind;
}
