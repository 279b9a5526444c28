/**
 * The dashboard's stopped sets: set seals this station stopped at the question for the next drive
 * (the technician cancelled it: no drive at hand). The drives sealed so far are complete; the
 * station kept where the set goes on. Each is listed with the drive it continues with, its
 * recorded sources and when it started, an attached drive to choose and "Continue", which hands
 * it to the sealing form (engine.seal with `continueSet`: the main side seals the recorded
 * sources, never paths from here). A record the station refused is listed with why.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DriveSummaryDto, StoppedSetDto } from '../../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../../bridge.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Section } from '../../components/Section.js';
import { formatBytes, formatDateTime } from '../../format.js';
import { hasMessage, type MessageKey } from '../../i18n/index.js';
import { useT } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';
import type { SetResumeRequest } from './resume-request.js';

/** The stopped sets section (nothing when there is none); `onContinue` hands the set and the drive chosen to the sealing form. */
export function StoppedSets({ sets, onContinue }: { sets: StoppedSetDto[]; onContinue: (r: Omit<SetResumeRequest, 'nonce'>) => void }) {
  const t = useT();
  const lang = useApp((s) => s.language);
  const [drives, setDrives] = useState<DriveSummaryDto[]>([]);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [error, setError] = useState<UiError | null>(null);

  const refresh = useCallback(async () => {
    setError(null);
    try {
      setDrives((await unwrap(api().drives.list({}))).drives);
    } catch (e) {
      setError(asUiError(e));
    }
  }, []);
  const any = sets.length > 0;
  useEffect(() => {
    if (any) void refresh();
  }, [any, refresh]);

  if (!any) return null;
  return (
    <Section title={t('dash.stopped.title')}>
      <p className="help">{t('dash.stopped.help')}</p>
      <button type="button" className="secondary" onClick={() => void refresh()}>
        {t('dash.stopped.refresh')}
      </button>
      <ErrorNotice error={error} />
      <table data-testid="stopped-sets">
        <caption>{t('dash.stopped.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dash.stopped.col.set')}</th>
            <th scope="col">{t('dash.stopped.col.next')}</th>
            <th scope="col">{t('dash.interrupted.col.sources')}</th>
            <th scope="col">{t('dash.stopped.col.drive')}</th>
            <th scope="col">{t('dash.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {sets.map((s, i) => {
            const id = s.setId;
            const pick = id ? chosen[id] : undefined;
            return (
              <tr key={id ?? `damaged-${i}`} data-testid={`stopped-set-${id ?? i}`}>
                <th scope="row" className="mono">
                  {id ?? t('dash.stopped.unknown')}
                </th>
                <td>
                  {s.problem === null ? (
                    <>
                      <div>{t('dash.stopped.next', { position: s.position, members: s.members })}</div>
                      {s.createdAt && <div className="help">{formatDateTime(s.createdAt, lang)}</div>}
                    </>
                  ) : (
                    <span className="warn">
                      {t('dash.stopped.refused')} {hasMessage(`err.${s.problem}`) ? t(`err.${s.problem}` as MessageKey) : s.problem}
                    </span>
                  )}
                </td>
                <td>
                  {s.sources.map((p) => (
                    <div key={p} className="mono">
                      {p}
                    </div>
                  ))}
                </td>
                <td>
                  {s.problem === null && id && (
                    <select aria-label={t('dash.stopped.chooseDrive', { setId: id })} value={pick ?? ''} onChange={(e) => setChosen((c) => ({ ...c, [id]: e.target.value }))}>
                      <option value="">{t('dash.stopped.pick')}</option>
                      {drives.map((d) => (
                        <option key={d.id} value={d.id}>
                          {t('dash.stopped.drive', { label: d.label || d.mountpoint, free: d.freeBytes === null ? t('common.unknown') : formatBytes(d.freeBytes, lang) })}
                        </option>
                      ))}
                    </select>
                  )}
                </td>
                <td>
                  {s.problem === null && id && (
                    <button
                      type="button"
                      disabled={!pick}
                      aria-label={t('dash.stopped.continueFor', { setId: id })}
                      onClick={() => pick && onContinue({ volumeId: pick, continueSet: id, setId: id, position: s.position, members: s.members })}
                    >
                      {t('dash.stopped.continue')}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Section>
  );
}
