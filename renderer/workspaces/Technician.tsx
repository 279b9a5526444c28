/**
 * Technicien: sources (live count) → drive → recipients → seal (progress, cancel) → unlock
 * code shown once → verify (recorded as the station's `verified` custody event, as the CLI does)
 * → carrier and tracking number (validated as typed) → packing slip. The form's state (sources,
 * drive, recipients, readiness) lives in seal/seal-form.ts, tested without React.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import type { ResponseOf, VerifyReportDto } from '../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { CarrierTrackingFields } from './technician/CarrierTrackingFields.js';
import { useTrackingNumber } from './technician/use-tracking-number.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ProgressPanel } from '../components/ProgressPanel.js';
import { Notice, Section } from '../components/Section.js';
import { formatBytes } from '../format.js';
import { hasMessage } from '../i18n/index.js';
import { useT, useTc } from '../i18n/use-t.js';
import { useJob } from '../jobs.js';
import { useApp } from '../store.js';
import { createSealForm, customerKeyOk, recipientsOf, sealReady } from './seal/seal-form.js';
import { NextDrivePrompt } from './seal/NextDrivePrompt.js';
import { SetSealOptions, type SetChoice } from './seal/SetSealOptions.js';
import { SetSealProgress } from './seal/SetSealProgress.js';
import { membersSealed, otherMemberDrives, setOffered, volumesInUse } from './seal/set-seal-view.js';
import { useSetSeal } from './seal/use-set-seal.js';
import type { SetResumeRequest } from './technician/resume-request.js';

type Check = ResponseOf<'drives.check'>;
type Seal = ResponseOf<'engine.seal'>;
type Count = ResponseOf<'sources.count'>;

/** The technician's workspace; `resume` (from the dashboard) runs a set resume here, as a new set seal runs. */
export function Technician({ resume = null }: { resume?: SetResumeRequest | null } = {}) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const escrowAvailable = useApp((s) => s.info?.escrowAvailable === true);
  const ids = { customerKey: useId() };
  const [form] = useState(createSealForm);
  const sources = useStore(form, (s) => s.sources);
  const drives = useStore(form, (s) => s.drives);
  const driveId = useStore(form, (s) => s.driveId);
  const useCode = useStore(form, (s) => s.useCode);
  const escrow = useStore(form, (s) => s.escrow);
  const customerKey = useStore(form, (s) => s.customerKey);
  const countJob = useJob<Count>();
  const [check, setCheck] = useState<Check | null>(null);
  const sealJob = useJob<Seal>();
  const [setChoice, setSetChoice] = useState<SetChoice>({ on: false, more: [], waitForDrives: true });
  const setSeal = useSetSeal(sealJob.jobId);
  /** The member of a sealed set the verify and shipping steps work on (position), 1 for a drive sealed alone. */
  const [member, setMember] = useState(1);
  const [memberVerify, setMemberVerify] = useState<Record<number, { ok: boolean; problems: number }>>({});
  const [code, setCode] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const verifyJob = useJob<VerifyReportDto>();
  const [verifyRecorded, setVerifyRecorded] = useState<{ synced: boolean } | null>(null);
  const { carrier, setCarrier, tracking, setTracking, result: trackingResult, chosen: chosenCarrier, status: trackingText } = useTrackingNumber();
  const [message, setMessage] = useState<{ kind: 'success' | 'info'; text: string } | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [keyFileError, setKeyFileError] = useState<UiError | null>(null);
  /** The set resumed by the seal running or last run, or null for a new seal. */
  const [resumed, setResumed] = useState<SetResumeRequest | null>(null);

  const guard = useCallback(async (f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(asUiError(e));
    }
  }, []);

  const refreshDrives = useCallback(
    () =>
      guard(async () => {
        form.getState().setDrives((await unwrap(api().drives.list({}))).drives);
      }),
    [guard, form],
  );

  useEffect(() => {
    void refreshDrives();
  }, [refreshDrives]);

  const runCount = countJob.run;
  useEffect(() => {
    if (sources.length === 0) return;
    void runCount((jobId) => api().sources.count({ jobId, paths: sources }));
  }, [sources, runCount]);

  useEffect(() => {
    setCheck(null);
    if (!driveId) return;
    void guard(async () => setCheck(await unwrap(api().drives.check({ driveId, bytesNeeded: countJob.result?.bytes ?? 0, files: countJob.result?.files ?? 0 }))));
  }, [driveId, countJob.result, guard]);

  const addSources = (kind: 'files' | 'folders') =>
    guard(async () => {
      const r = await unwrap(api().dialog.chooseSources({ kind }));
      if (r.paths.length) form.getState().addSources(r.paths);
    });

  const keyOk = customerKeyOk({ customerKey });
  const offerSet = !!check && setOffered(check.problems);
  const asSet = offerSet && setChoice.on && (setChoice.waitForDrives || setChoice.more.length > 0);
  const ready = sealReady({ sources, useCode, escrow, customerKey }, { counted: countJob.result !== null, driveOk: !!check?.ok || asSet, sealing: sealJob.running });

  const startSeal = () => {
    setMessage(null);
    setCode(null);
    verifyJob.reset();
    setVerifyRecorded(null);
    setMember(1);
    setMemberVerify({});
  };

  const seal = async () => {
    startSeal();
    setResumed(null);
    const more = setChoice.more.filter((id) => id !== driveId && drives.some((d) => d.id === id));
    const r = await sealJob.run((jobId) =>
      api().engine.seal({
        jobId,
        sources,
        driveId: driveId!,
        recipients: recipientsOf({ useCode, escrow, customerKey }),
        ...(asSet ? { set: { more, waitForDrives: setChoice.waitForDrives } } : {}),
      }),
    );
    if (r?.unlockCode) setCode(r.unlockCode);
  };

  // A set resumed from the dashboard: the main side seals the sources recorded (none named here) and asks for the next drives.
  const runResume = sealJob.run;
  const sealRunning = sealJob.running;
  useEffect(() => {
    if (!resume || sealRunning) return;
    startSeal();
    setResumed(resume);
    void refreshDrives();
    void runResume(async (jobId) => {
      const r = await api().engine.seal({
        jobId,
        resume: true,
        driveId: resume.volumeId,
        ...(resume.continueSet ? { continueSet: resume.continueSet } : {}),
        recipients: { unlockCode: true, escrow: escrowAvailable, customerKeys: [] },
        set: { more: [], waitForDrives: true },
      });
      if (r.ok && r.value.unlockCode) setCode(r.value.unlockCode);
      return r;
    });
    // Each request runs once (its nonce), whatever else changes.
  }, [resume?.nonce]);

  const sealed = sealJob.result;
  const shippingReady = !!sealed && !!trackingResult?.valid && !!(trackingResult.carrier ?? carrier === 'other');
  /** The drives sealed: every member of a set, or the one drive. */
  const sealedDrives = sealed ? (sealed.set?.members ?? [{ position: 1, driveId: sealed.driveId, driveDir: sealed.driveDir }]) : [];
  const current = sealedDrives.find((m) => m.position === member) ?? sealedDrives[0];
  /** How many drives the set has in all (a resume wrote only the last ones). */
  const setTotal = sealed?.set?.total ?? sealedDrives.length;
  const setPlace = sealed?.set && current ? { id: sealed.set.id, position: current.position, members: setTotal } : undefined;

  const verify = () =>
    guard(async () => {
      if (!sealed) return;
      setVerifyRecorded(null);
      setMemberVerify({});
      // Each drive (each member of a set) is verified and recorded as its own `verified` event.
      let synced = true;
      for (const d of sealedDrives) {
        const report = await verifyJob.run((jobId) => api().engine.verify({ jobId, driveDir: d.driveDir }));
        if (!report) return;
        setMemberVerify((v) => ({ ...v, [d.position]: { ok: report.ok, problems: report.problems.length } }));
        // The station's `verified` event (docs/CUSTODY.md §3): level, ok, problem count.
        const r = await unwrap(api().custody.record({ driveId: d.driveId, type: 'verified', data: { level: report.level, ok: report.ok, problems: report.problems.length } }));
        synced &&= r.synced;
      }
      setVerifyRecorded({ synced });
    });

  const recordShipment = () =>
    guard(async () => {
      if (!current || !trackingResult) return;
      const r = await unwrap(api().custody.record({ driveId: current.driveId, type: 'shipped', data: { carrier: chosenCarrier, trackingNumber: trackingResult.normalized } }));
      const text = t(r.synced ? 'tech.recorded' : 'tech.recordedLocal');
      setMessage({
        kind: r.synced ? 'success' : 'info',
        text: setPlace ? t('set.ship.forMember', { position: setPlace.position, members: setPlace.members, driveId: current.driveId, text }) : text,
      });
    });

  const saveSlip = () =>
    guard(async () => {
      if (!current || !trackingResult) return;
      const r = await unwrap(
        api().slip.savePdf({ driveId: current.driveId, carrier: chosenCarrier, trackingNumber: trackingResult.normalized, language: lang, ...(setPlace ? { set: setPlace } : {}) }),
      );
      setMessage({ kind: 'success', text: r.path ? t('common.savedTo', { path: r.path }) : t('common.notSaved') });
    });

  return (
    <div className="workspace">
      <h1>{t('tech.title')}</h1>
      <ErrorNotice error={error} />

      <Section title={t('tech.step.sources')}>
        <div className="row">
          <button type="button" onClick={() => void addSources('folders')}>
            {t('tech.addFolders')}
          </button>
          <button type="button" className="secondary" onClick={() => void addSources('files')}>
            {t('tech.addFiles')}
          </button>
        </div>
        {sources.length === 0 ? (
          <p>{t('tech.noSources')}</p>
        ) : (
          <ul aria-label={t('tech.sourcesList')} className="paths">
            {sources.map((s) => (
              <li key={s}>
                <span className="path">{s}</span>
                <button
                  type="button"
                  className="link"
                  aria-label={t('common.remove', { name: s })}
                  onClick={() => {
                    countJob.reset();
                    form.getState().removeSource(s);
                  }}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        )}
        <p aria-live="polite" data-testid="source-count">
          {countJob.running &&
            countJob.progress &&
            t('tech.counting', { files: tc('count.files', countJob.progress.filesDone), bytes: formatBytes(countJob.progress.bytesDone, lang) })}
          {countJob.result &&
            t('tech.counted', {
              files: tc('count.files', countJob.result.files),
              dirs: tc('count.folders', countJob.result.directories),
              bytes: formatBytes(countJob.result.bytes, lang),
            })}
        </p>
        <ErrorNotice error={countJob.error} />
      </Section>

      <Section title={t('tech.step.drive')}>
        <button type="button" className="secondary" onClick={() => void refreshDrives()}>
          {t('common.refresh')}
        </button>
        {drives.length === 0 ? (
          <p>{t('tech.noDrives')}</p>
        ) : (
          <fieldset>
            <legend>{t('tech.drivesLegend')}</legend>
            {drives.map((d) => (
              <label key={d.id} className="choice">
                <input type="radio" name="drive" value={d.id} checked={driveId === d.id} onChange={() => form.getState().pickDrive(d.id)} />
                {t('tech.driveOption', {
                  label: d.label || d.mountpoint,
                  model: d.model || '—',
                  fs: d.fileSystem.toUpperCase(),
                  free: d.freeBytes === null ? t('common.unknown') : formatBytes(d.freeBytes, lang),
                  size: formatBytes(d.sizeBytes, lang),
                })}
              </label>
            ))}
          </fieldset>
        )}
        <div aria-live="polite" data-testid="drive-check">
          {check?.problems.map((p) => (
            <p key={p.code} className={p.code.startsWith('E_') ? 'bad' : 'warn'}>
              {t(`check.${p.code}`, {
                fileSystem: String(p.details['fileSystem'] ?? ''),
                size: formatBytes(Number(p.details['partPlaintextSize'] ?? 0), lang),
                missing: formatBytes(Number(p.details['missingBytes'] ?? 0), lang),
              })}
            </p>
          ))}
          {check?.ok && check.problems.length === 0 && <p className="good">{t('tech.driveOk')}</p>}
        </div>
        {offerSet && <SetSealOptions choice={setChoice} others={otherMemberDrives(drives, driveId)} onChange={setSetChoice} disabled={sealJob.running} />}
      </Section>

      <Section title={t('tech.step.recipients')}>
        <label className="choice">
          <input type="checkbox" checked={useCode} onChange={(e) => form.getState().setUseCode(e.target.checked)} />
          {t('tech.recipient.code')}
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={escrow}
            disabled={!escrowAvailable}
            aria-describedby={escrowAvailable ? undefined : 'escrow-help'}
            onChange={(e) => form.getState().setEscrow(e.target.checked)}
          />
          {t('tech.recipient.escrow')}
        </label>
        {!escrowAvailable && (
          <p id="escrow-help" className="help">
            {t('tech.recipient.escrowNone')}
          </p>
        )}
        <label htmlFor={ids.customerKey}>{t('tech.recipient.customerKey')}</label>
        <input
          id={ids.customerKey}
          className="mono"
          value={customerKey}
          onChange={(e) => form.getState().setCustomerKey(e.target.value)}
          aria-describedby={`${ids.customerKey}-help`}
          aria-invalid={!keyOk}
          spellCheck={false}
          autoComplete="off"
        />
        <p id={`${ids.customerKey}-help`} className={keyOk ? 'help' : 'bad'}>
          {keyOk ? t('tech.recipient.customerKeyHelp') : t('tech.recipient.customerKeyInvalid')}
        </p>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void (async () => {
              setKeyFileError(null);
              try {
                const r = await unwrap(api().customer.readPublicKey({}));
                if (r.publicKey) form.getState().setCustomerKey(r.publicKey);
              } catch (e) {
                setKeyFileError(asUiError(e));
              }
            })()
          }
        >
          {t('tech.recipient.customerKeyFile')}
        </button>
        <ErrorNotice error={keyFileError} scope="customerPublicKey" />
      </Section>

      <Section title={t('tech.step.seal')}>
        <button type="button" onClick={() => void seal()} disabled={!ready} aria-describedby="seal-help">
          {t('tech.seal')}
        </button>
        {!ready && !sealJob.running && (
          <p id="seal-help" className="help">
            {t('tech.sealNotReady')}
          </p>
        )}
        {resumed && (sealJob.running || sealed || sealJob.error) && (
          <Notice kind="info" testId="set-resume-note">
            {t('set.resume.note', { setId: resumed.setId, position: resumed.position, members: resumed.members })}
          </Notice>
        )}
        {sealJob.running && <ProgressPanel progress={sealJob.progress} onCancel={sealJob.cancel} label={t('tech.step.seal')} />}
        {(sealJob.running || sealed?.set) && <SetSealProgress view={setSeal.view} />}
        {sealJob.running && setSeal.view.next && (
          <NextDrivePrompt
            key={`${setSeal.view.next.position}`}
            next={setSeal.view.next}
            drives={drives}
            inUse={volumesInUse(setSeal.view)}
            busy={setSeal.offering}
            onOffer={(id) => void setSeal.offer(id)}
            onRefresh={() => void refreshDrives()}
            onCancel={sealJob.cancel}
          />
        )}
        {!sealJob.running && sealed && sealJob.progress && <ProgressPanel progress={sealJob.progress} label={t('tech.step.seal')} />}
        {sealJob.error && !sealJob.running && membersSealed(setSeal.view) > 0 && (
          <div className="notice notice-warning" role="status" data-testid="set-incomplete">
            <p>{tc('set.incomplete', membersSealed(setSeal.view))}</p>
            <ul className="plain">
              {setSeal.view.members
                .filter((m) => m.state === 'sealed')
                .map((m) => (
                  <li key={m.position}>{t('set.member.sealed', { position: m.position, members: setSeal.view.members.length, driveId: m.driveId ?? '—' })}</li>
                ))}
            </ul>
          </div>
        )}
        {sealJob.error?.code === 'E_CANCELLED' ? (
          <Notice kind="warning" testId="seal-cancelled">
            {t('progress.cancelled')}
          </Notice>
        ) : (
          <ErrorNotice error={sealJob.error} />
        )}
        {sealed && !sealed.set && (
          <Notice kind="success" testId="seal-done">
            {t('tech.sealed', { driveId: sealed.driveId, files: tc('count.files', sealed.files), bytes: formatBytes(sealed.bytes, lang), parts: tc('count.parts', sealed.parts) })}
            {sealed.customerAttestation === 'customer-key' && <> {t('tech.sealedForCustomer')}</>}
          </Notice>
        )}
        {sealed?.set && (
          <Notice kind="success" testId="seal-done">
            <p>
              {resumed
                ? t('set.resumed', { setId: sealed.set.id, total: setTotal, drives: tc('count.drives', sealed.set.members.length) })
                : t('set.sealed', {
                    setId: sealed.set.id,
                    drives: tc('count.drives', sealed.set.members.length),
                    files: tc('count.files', sealed.files),
                    bytes: formatBytes(sealed.bytes, lang),
                  })}
            </p>
            <ol className="plain" data-testid="set-result">
              {sealed.set.members.map((m) => (
                <li key={m.position}>
                  {t('set.result.member', {
                    position: m.position,
                    members: setTotal,
                    driveId: m.driveId,
                    label: drives.find((d) => d.id === m.volumeId)?.label || m.driveDir,
                    parts: tc('count.parts', m.parts),
                  })}
                </li>
              ))}
            </ol>
            <p className="help">{t('set.result.note')}</p>
          </Notice>
        )}
        {code && (
          <div className="code-once print-only-target" role="region" aria-label={t('tech.code.title')}>
            <h3>{t('tech.code.title')}</h3>
            <p className="warn">{t('tech.code.warning')}</p>
            <p className="unlock-code mono" aria-label={t('tech.code.label')} data-testid="unlock-code">
              {code}
            </p>
            <div className="row no-print">
              <button
                type="button"
                onClick={() => {
                  void navigator.clipboard?.writeText(code).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  );
                }}
              >
                {t('tech.code.copy')}
              </button>
              <button type="button" className="secondary" onClick={() => window.print()}>
                {t('tech.code.print')}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setCode(null);
                  setCopied(false);
                }}
              >
                {t('tech.code.confirm')}
              </button>
            </div>
            {copied && <p role="status">{t('tech.code.copied')}</p>}
          </div>
        )}
      </Section>

      <Section title={t('tech.step.verify')} disabled={!sealed}>
        <button type="button" disabled={!sealed || verifyJob.running} onClick={() => void verify()}>
          {t('tech.verify')}
        </button>
        {verifyJob.running && <ProgressPanel progress={verifyJob.progress} onCancel={verifyJob.cancel} label={t('tech.step.verify')} />}
        <ErrorNotice error={verifyJob.error} />
        {sealed?.set && Object.keys(memberVerify).length > 0 && (
          <ul className="plain" data-testid="set-verify">
            {sealedDrives.map((d) =>
              memberVerify[d.position] ? (
                <li key={d.position} className={memberVerify[d.position]!.ok ? 'good' : 'bad'}>
                  {t(memberVerify[d.position]!.ok ? 'set.verify.ok' : 'set.verify.bad', { position: d.position, members: setTotal, driveId: d.driveId })}
                </li>
              ) : null,
            )}
          </ul>
        )}
        {verifyJob.result &&
          !sealed?.set &&
          (verifyJob.result.ok ? (
            <Notice kind="success" testId="verify-ok">
              {t('tech.verifyOk')}
            </Notice>
          ) : (
            <div className="notice notice-error" role="alert" data-testid="verify-bad">
              <p>{tc('tech.verifyBad', verifyJob.result.problems.length)}</p>
              <ul>
                {verifyJob.result.problems.map((p, i) => (
                  <li key={i}>{hasMessage(`err.${p.code}`) ? t(`err.${p.code}` as 'err.E_INTERNAL') : p.code}</li>
                ))}
              </ul>
            </div>
          ))}
        {verifyRecorded && (
          <Notice kind={verifyRecorded.synced ? 'success' : 'info'} testId="verify-recorded">
            {t(verifyRecorded.synced ? 'tech.recorded' : 'tech.recordedLocal')}
          </Notice>
        )}
      </Section>

      <Section title={t('tech.step.ship')} disabled={!sealed}>
        {sealed?.set && (
          <fieldset data-testid="set-ship-member">
            <legend>{t('set.ship.legend')}</legend>
            {sealedDrives.map((d) => (
              <label key={d.position} className="choice">
                <input type="radio" name="ship-member" checked={member === d.position} onChange={() => setMember(d.position)} />
                {t('set.ship.member', { position: d.position, members: setTotal, driveId: d.driveId })}
              </label>
            ))}
            <p className="help">{t('set.ship.help')}</p>
          </fieldset>
        )}
        <CarrierTrackingFields
          carrier={carrier}
          onCarrier={setCarrier}
          tracking={tracking}
          onTracking={setTracking}
          valid={trackingResult ? trackingResult.valid : undefined}
          status={trackingText}
          statusTestId="tracking-status"
        />
        <div className="row">
          <button type="button" disabled={!shippingReady} onClick={() => void recordShipment()}>
            {t('tech.recordShipment')}
          </button>
          <button type="button" className="secondary" disabled={!shippingReady} onClick={() => void saveSlip()}>
            {t('tech.slip')}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!trackingResult?.valid}
            onClick={() =>
              trackingResult &&
              void guard(async () => {
                await unwrap(api().shell.openCarrierLink({ carrier: chosenCarrier, trackingNumber: trackingResult.normalized }));
              })
            }
          >
            {t('tech.tracking.openLink')}
          </button>
        </div>
        <p className="help">{t('tech.slipNote')}</p>
        {message && (
          <Notice kind={message.kind} testId="ship-message">
            {message.text}
          </Notice>
        )}
      </Section>
    </div>
  );
}
