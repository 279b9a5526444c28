/**
 * Client: pick the drive → authenticity and integrity shown before anything is asked →
 * unlock code (typos caught as typed) → browse and choose → restore (progress, cancel) →
 * confirm receipt → optional erase.
 */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import type { DriveInfoDto, DriveSummaryDto, IndexEntryDto, ResponseOf, VerifyReportDto } from '../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { certReasonText, ErrorNotice } from '../components/ErrorNotice.js';
import { ProgressPanel } from '../components/ProgressPanel.js';
import { Notice, Section } from '../components/Section.js';
import { formatBytes, formatCount, formatDateTime } from '../format.js';
import { hasMessage } from '../i18n/index.js';
import { useT } from '../i18n/use-t.js';
import { useJob } from '../jobs.js';
import { useApp } from '../store.js';

type CodeStatus = ResponseOf<'engine.checkUnlockCode'>;

/** The customer's workspace. */
export function Client() {
  const t = useT();
  const lang = useApp((s) => s.language);
  const ids = { code: useId(), codeHelp: useId(), filter: useId() };
  const [drives, setDrives] = useState<DriveSummaryDto[]>([]);
  const [driveDir, setDriveDir] = useState<string | null>(null);
  const [info, setInfo] = useState<DriveInfoDto | null>(null);
  const media = useJob<VerifyReportDto>();
  const [code, setCode] = useState('');
  const [codeStatus, setCodeStatus] = useState<CodeStatus | null>(null);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [unlocking, setUnlocking] = useState(false);
  const [entries, setEntries] = useState<IndexEntryDto[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [dest, setDest] = useState<string | null>(null);
  const restore = useJob<ResponseOf<'engine.open'>>();
  const [confirmed, setConfirmed] = useState<string | null>(null);
  const [eraseOk, setEraseOk] = useState(false);
  const [erased, setErased] = useState(false);
  const [eraseCheckFailed, setEraseCheckFailed] = useState(false);
  const [error, setError] = useState<UiError | null>(null);

  const guard = useCallback(async (f: () => Promise<void>) => {
    setError(null);
    try { await f(); } catch (e) { setError(asUiError(e)); }
  }, []);

  const refresh = useCallback(() => guard(async () => setDrives((await unwrap(api().drives.list({}))).drives)), [guard]);
  useEffect(() => { void refresh(); }, [refresh]);

  const runMedia = media.run;
  const pick = useCallback((dir: string) => guard(async () => {
    setDriveDir(dir); setInfo(null); setSessionId(null); setEntries([]); setCode(''); setCodeStatus(null); setErased(false); setConfirmed(null);
    setInfo(await unwrap(api().engine.inspect({ driveDir: dir })));
    await runMedia((jobId) => api().engine.verify({ jobId, driveDir: dir }));
  }), [guard, runMedia]);

  useEffect(() => {
    if (code.trim() === '') { setCodeStatus(null); return; }
    let live = true;
    void api().engine.checkUnlockCode({ code }).then((r) => { if (live && r.ok) setCodeStatus(r.value); });
    return () => { live = false; };
  }, [code]);

  const unlock = async () => {
    if (!driveDir) return;
    setUnlocking(true);
    await guard(async () => {
      const r = await unwrap(api().engine.unlock({ driveDir, code }));
      setCode('');
      setSessionId(r.sessionId);
      const list = await unwrap(api().engine.list({ sessionId: r.sessionId }));
      setEntries(list.entries);
      setTruncated(list.truncated);
      setChosen(new Set(list.entries.filter((e) => e.type !== 'directory').map((e) => e.path)));
    });
    setUnlocking(false);
  };

  const shown = useMemo(() => entries.filter((e) => e.type !== 'directory' && e.path.toLowerCase().includes(filter.toLowerCase())), [entries, filter]);
  const chosenBytes = useMemo(() => entries.filter((e) => chosen.has(e.path)).reduce((a, e) => a + e.size, 0), [entries, chosen]);
  const sealed = drives.flatMap((d) => d.sealedFolders.map((f) => ({ ...f, label: d.label || d.mountpoint })));
  const intact = media.result?.ok === true;

  const codeText = codeStatus && ({
    ok: t('client.code.ok'),
    incomplete: t('client.code.incomplete'),
    format: t('client.code.format'),
    typo: codeStatus.suspectGroup ? t('client.code.typoGroup', { group: codeStatus.suspectGroup }) : t('client.code.typo'),
  } as const)[codeStatus.status];

  return (
    <div className="workspace">
      <h1>{t('client.title')}</h1>
      <ErrorNotice error={error} values={{ driveId: info?.driveId ?? '' }} />

      <Section title={t('client.step.drive')}>
        <div className="row">
          <button type="button" className="secondary" onClick={() => void refresh()}>{t('common.refresh')}</button>
          <button type="button" className="secondary" onClick={() => void guard(async () => { const r = await unwrap(api().dialog.chooseFolder({ purpose: 'sealed-drive' })); if (r.path) await pick(r.path); })}>{t('client.chooseFolder')}</button>
        </div>
        {sealed.length === 0 ? <p>{t('client.noSealed')}</p> : (
          <ul className="plain">
            {sealed.map((s) => (
              <li key={s.driveDir}><button type="button" aria-pressed={driveDir === s.driveDir} onClick={() => void pick(s.driveDir)}>{t('client.sealedOption', { driveId: s.driveId, label: s.label })}</button></li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t('client.step.check')} disabled={!driveDir}>
        {media.running && <><p>{t('client.checking')}</p><ProgressPanel progress={media.progress} onCancel={media.cancel} label={t('client.step.check')} /></>}
        <ErrorNotice error={media.error} />
        {info && (
          <div data-testid="authenticity">
            {info.station.certified
              ? <Notice kind="success">{t('client.authentic', { station: info.station.id, date: formatDateTime(info.createdAt, lang) })}</Notice>
              : <Notice kind="warning">{t('client.notCertified', { station: info.station.id, reason: certReasonText(t, info.station.reason) })}</Notice>}
          </div>
        )}
        {media.result && (intact
          ? <Notice kind="success" testId="integrity-ok">{t('client.intact', { parts: info?.parts ?? 0 })}</Notice>
          : <div className="notice notice-error" role="alert" data-testid="integrity-bad"><p>{t('client.damaged', { count: media.result.problems.length })}</p>
              <ul>{media.result.problems.map((p, i) => <li key={i}>{hasMessage(`err.${p.code}`) ? t(`err.${p.code}` as 'err.E_INTERNAL') : p.code}</li>)}</ul></div>)}
      </Section>

      <Section title={t('client.step.unlock')} disabled={!intact}>
        {intact && !sessionId && (
          <form onSubmit={(e) => { e.preventDefault(); void unlock(); }}>
            <label htmlFor={ids.code}>{t('client.code')}</label>
            <input id={ids.code} className="mono code-input" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} autoCapitalize="characters"
              aria-describedby={`${ids.codeHelp} ${ids.code}-status`} aria-invalid={codeStatus?.status === 'typo' || codeStatus?.status === 'format'} />
            <p id={ids.codeHelp} className="help">{t('client.codeHelp')}</p>
            <p id={`${ids.code}-status`} aria-live="polite" data-testid="code-status" className={codeStatus?.status === 'ok' ? 'good' : codeStatus?.status === 'incomplete' ? 'help' : 'bad'}>{codeText}</p>
            <button type="submit" disabled={codeStatus?.status !== 'ok' || unlocking}>{t('client.unlock')}</button>
          </form>
        )}
        {sessionId && <Notice kind="success" testId="unlocked">{t('client.unlocked')}</Notice>}
      </Section>

      <Section title={t('client.step.browse')} disabled={!sessionId}>
        {sessionId && (
          <>
            <label htmlFor={ids.filter}>{t('client.filter')}</label>
            <input id={ids.filter} value={filter} onChange={(e) => setFilter(e.target.value)} />
            <div className="row">
              <button type="button" className="secondary" onClick={() => setChosen(new Set(entries.filter((e) => e.type !== 'directory').map((e) => e.path)))}>{t('client.selectAll')}</button>
              <button type="button" className="secondary" onClick={() => setChosen(new Set())}>{t('client.selectNone')}</button>
            </div>
            <p aria-live="polite">{t('client.selected', { count: formatCount(chosen.size, lang), bytes: formatBytes(chosenBytes, lang) })}</p>
            {truncated && <p className="warn">{t('client.truncated')}</p>}
            <fieldset className="entries">
              <legend>{t('client.entries')}</legend>
              {shown.slice(0, 500).map((e) => (
                <label key={e.path} className="choice">
                  <input type="checkbox" checked={chosen.has(e.path)} onChange={(ev) => setChosen((s) => { const n = new Set(s); if (ev.target.checked) n.add(e.path); else n.delete(e.path); return n; })} />
                  <span className="path">{e.path}</span> <span className="size">{formatBytes(e.size, lang)}</span>
                </label>
              ))}
            </fieldset>
          </>
        )}
      </Section>

      <Section title={t('client.step.restore')} disabled={!sessionId}>
        {sessionId && (
          <>
            <button type="button" className="secondary" onClick={() => void guard(async () => setDest((await unwrap(api().dialog.chooseFolder({ purpose: 'restore' }))).path))}>{t('client.chooseDest')}</button>
            {dest && <p>{t('client.dest', { path: dest })}</p>}
            <p className="help">{t('client.restoreProvisional')}</p>
            <button type="button" disabled={!dest || chosen.size === 0 || restore.running} onClick={() => dest && void restore.run((jobId) => api().engine.open({ jobId, sessionId, dest, paths: [...chosen] }))}>{t('client.restore')}</button>
            {restore.running && <ProgressPanel progress={restore.progress} onCancel={restore.cancel} label={t('client.step.restore')} />}
            {restore.error?.code === 'E_CANCELLED' ? <Notice kind="warning">{t('progress.cancelled')}</Notice> : <ErrorNotice error={restore.error} />}
            {restore.result && <Notice kind="success" testId="restored">{t('client.restored', { files: formatCount(restore.result.files, lang), bytes: formatBytes(restore.result.bytes, lang) })}</Notice>}
          </>
        )}
      </Section>

      <Section title={t('client.step.confirm')} disabled={!restore.result}>
        <button type="button" disabled={!restore.result || !info || !sessionId || confirmed !== null} onClick={() => info && sessionId && restore.result && void guard(async () => {
          const done = restore.result!;
          const received = await unwrap(api().custody.record({ driveId: info.driveId, type: 'received', sessionId, data: { level: 'media', ok: intact, problems: media.result?.problems.length ?? 0 } }));
          const opened = await unwrap(api().custody.record({ driveId: info.driveId, type: 'opened', sessionId, data: { ok: true, filesRestored: done.files, bytesRestored: done.bytes, partial: chosen.size < entries.filter((e) => e.type !== 'directory').length } }));
          setConfirmed(received.synced && opened.synced ? t('client.confirmed') : t('tech.recordedLocal'));
        })}>{t('client.confirm')}</button>
        {confirmed && <Notice kind="success" testId="confirmed">{confirmed}</Notice>}
      </Section>

      <Section title={t('client.step.erase')} disabled={!restore.result}>
        <p className="warn">{t('client.eraseWarning')}</p>
        <label className="choice"><input type="checkbox" checked={eraseOk} onChange={(e) => setEraseOk(e.target.checked)} disabled={!restore.result} />{t('client.eraseConfirm')}</label>
        <button type="button" className="danger" disabled={!restore.result || !eraseOk || erased} onClick={() => driveDir && void guard(async () => {
          // Erase while the drive is still unlocked, so that the customer's key signs the sanitization record.
          const res = await unwrap(api().drives.eraseSealed({ driveDir, ...(sessionId ? { sessionId } : {}) }));
          if (sessionId) await unwrap(api().engine.lock({ sessionId }));
          setSessionId(null); setEraseCheckFailed(res.verification === 'fail'); setErased(true);
        })}>{t('client.erase')}</button>
        {erased && (eraseCheckFailed
          ? <Notice kind="warning" testId="erased">{t('client.eraseCheckFailed')}</Notice>
          : <Notice kind="success" testId="erased">{t('client.erased')}</Notice>)}
      </Section>
    </div>
  );
}
