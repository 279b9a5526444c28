/**
 * The dashboard's interrupted seals: each unfinished `SCELLE-<id>/` folder on an attached drive
 * (drive id, attached drive, the sources its state recorded, parts done / total) with a
 * "Resume" action. A resume runs as a seal job (progress, cancel) through `engine.seal` with
 * `resume: true`: the main side seals the recorded sources, never paths from here. Its unlock
 * code is shown once, as after a new seal. No "discard": deleting a drive folder stays a
 * deliberate act outside the app. A member of a sealed set shows its place ("drive 2 of 3 of set
 * …") and is resumed as a set in the sealing form, which asks for the next drives.
 */
import { useState } from 'react';
import type { InterruptedSealDto, ResponseOf } from '../../../shared/ipc/index.js';
import { api } from '../../bridge.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ProgressPanel } from '../../components/ProgressPanel.js';
import { Notice, Section } from '../../components/Section.js';
import { formatBytes, formatDateTime } from '../../format.js';
import { hasMessage, type MessageKey } from '../../i18n/index.js';
import { useT, useTc } from '../../i18n/use-t.js';
import { useJob } from '../../jobs.js';
import { useApp } from '../../store.js';
import type { SetResumeRequest } from './resume-request.js';

/**
 * The interrupted seals section; `onResumed` runs once a resume finished (to reload the listing).
 * A member of a set is resumed as a set by the sealing form (`onResumeSet`): it asks for the next drives.
 */
export function InterruptedSeals({
  seals,
  onResumed,
  onResumeSet,
}: {
  seals: InterruptedSealDto[];
  onResumed: () => void;
  onResumeSet: (r: Omit<SetResumeRequest, 'nonce'>) => void;
}) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const escrowAvailable = useApp((s) => s.info?.escrowAvailable === true);
  const job = useJob<ResponseOf<'engine.seal'>>();
  const [resuming, setResuming] = useState<string | null>(null);
  const [done, setDone] = useState<{ driveId: string; code: string | null } | null>(null);

  const resume = async (s: InterruptedSealDto) => {
    setDone(null);
    setResuming(s.driveId);
    const r = await job.run((jobId) =>
      api().engine.seal({ jobId, driveId: s.volumeId, resume: true, recipients: { unlockCode: true, escrow: escrowAvailable, customerKeys: [] } }),
    );
    setResuming(null);
    if (!r) return;
    setDone({ driveId: r.driveId, code: r.unlockCode ?? null });
    onResumed();
  };

  if (seals.length === 0 && !done) return null;
  return (
    <Section title={t('dash.interrupted.title')}>
      {seals.length > 0 && (
        <>
          <p className="help">{t('dash.interrupted.help')}</p>
          {seals.some((s) => s.set) && <p className="help">{t('dash.interrupted.helpSet')}</p>}
          <table data-testid="interrupted-table">
            <caption>{t('dash.interrupted.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dash.col.drive')}</th>
                <th scope="col">{t('dash.interrupted.col.volume')}</th>
                <th scope="col">{t('dash.interrupted.col.sources')}</th>
                <th scope="col">{t('dash.interrupted.col.progress')}</th>
                <th scope="col">{t('dash.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {seals.map((s) => (
                <tr key={s.driveDir} data-testid={`interrupted-row-${s.driveId ?? s.driveDir}`}>
                  <th scope="row">
                    <span className="mono">{s.driveId ?? t('dash.interrupted.unknownDrive')}</span>
                    {s.set && (
                      <div className="help" data-testid="interrupted-set-place">
                        {t('dash.interrupted.setMember', { position: s.set.position, members: s.set.members, setId: s.set.id })}
                      </div>
                    )}
                  </th>
                  <td className="mono">{s.volumeId}</td>
                  <td>
                    {s.sources.map((p) => (
                      <div key={p} className="mono">
                        {p}
                      </div>
                    ))}
                  </td>
                  <td>
                    {s.problem === null ? (
                      <>
                        <div>
                          {s.partsTotal !== null ? tc('dash.interrupted.parts', s.partsDone, { total: s.partsTotal }) : tc('dash.interrupted.partsDone', s.partsDone)} (
                          {formatBytes(s.bytesDone, lang)})
                        </div>
                        {s.startedAt && <div className="help">{formatDateTime(s.startedAt, lang)}</div>}
                      </>
                    ) : (
                      <span className="warn">
                        {t('dash.interrupted.refused')} {problemText(t, s.problem)}
                      </span>
                    )}
                  </td>
                  <td>
                    {s.problem === null && s.driveId && !s.set && (
                      <button
                        type="button"
                        disabled={job.running}
                        aria-label={t('dash.actionFor', { action: t('dash.interrupted.resume'), driveId: s.driveId })}
                        onClick={() => void resume(s)}
                      >
                        {t('dash.interrupted.resume')}
                      </button>
                    )}
                    {s.problem === null && s.driveId && s.set && (
                      <button
                        type="button"
                        disabled={job.running}
                        aria-label={t('dash.actionFor', { action: t('dash.interrupted.resumeSet'), driveId: s.driveId })}
                        onClick={() => onResumeSet({ volumeId: s.volumeId, continueSet: null, setId: s.set!.id, position: s.set!.position, members: s.set!.members })}
                      >
                        {t('dash.interrupted.resumeSet')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {resuming && job.running && <ProgressPanel progress={job.progress} onCancel={job.cancel} label={t('dash.interrupted.resuming', { driveId: resuming })} />}
      <ErrorNotice error={job.error} />
      {done && (
        <Notice kind="success" testId="resume-done">
          {t('dash.interrupted.done', { driveId: done.driveId })}
        </Notice>
      )}
      {done?.code && (
        <div className="code-once print-only-target" role="region" aria-label={t('tech.code.title')}>
          <h3>{t('tech.code.title')}</h3>
          <p className="warn">{t('tech.code.warning')}</p>
          <p className="unlock-code mono" aria-label={t('tech.code.label')} data-testid="resume-unlock-code">
            {done.code}
          </p>
          <div className="row no-print">
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(done.code!);
              }}
            >
              {t('tech.code.copy')}
            </button>
            <button type="button" className="secondary" onClick={() => window.print()}>
              {t('tech.code.print')}
            </button>
            <button type="button" className="secondary" onClick={() => setDone({ ...done, code: null })}>
              {t('tech.code.confirm')}
            </button>
          </div>
        </div>
      )}
    </Section>
  );
}

function problemText(t: ReturnType<typeof useT>, code: string): string {
  const key = `err.${code}`;
  return hasMessage(key) ? t(key as MessageKey) : code;
}
