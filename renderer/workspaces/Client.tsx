/**
 * Client: the customer's own key (optional: create or choose it, show its public key) → pick
 * the drive → authenticity and integrity shown before anything is asked → unlock with the
 * customer key or the unlock code (typos caught as typed), and which key will sign the
 * receipts → browse the folders, search names and choose folders
 * and files (restore/browser-store.ts) → restore (progress, cancel) →
 * confirm receipt → optional erase. The workflow state lives in client/client-flow.ts (tested
 * without React); this component holds the unlock code as typed and the jobs' progress.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { DriveSummaryDto, ResponseOf, VerifyReportDto } from '../../shared/ipc/index.js';
import { MAX_OPEN_PATHS } from '../../shared/ipc/limits.js';
import { api, asUiError, unwrap, type UiError } from '../bridge.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ProgressPanel } from '../components/ProgressPanel.js';
import { Notice, Section } from '../components/Section.js';
import { formatBytes } from '../format.js';
import { hasMessage } from '../i18n/index.js';
import { useT, useTc } from '../i18n/use-t.js';
import { useJob } from '../jobs.js';
import { createBrowserStore, isPartial, openRequestOf } from '../restore/browser-store.js';
import { RestoreBrowser } from '../restore/RestoreBrowser.js';
import { createClientFlow } from './client/client-flow.js';
import { CustomerKeyPanel } from './client/CustomerKeyPanel.js';
import { ReceiptSignerNotice } from './client/ReceiptSignerNotice.js';
import { DriveTrustNotice } from './DriveTrustNotice.js';
import { SetAvailabilityNotice, SetMembersList, SetRestoredNotice } from './client/SetMembers.js';
import { useApp } from '../store.js';

type CodeStatus = ResponseOf<'engine.checkUnlockCode'>;

/** The customer's workspace. */
export function Client() {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const ids = { code: useId(), codeHelp: useId() };
  const [drives, setDrives] = useState<DriveSummaryDto[]>([]);
  const [flow] = useState(() =>
    createClientFlow(
      {
        inspect: (req) => unwrap(api().engine.inspect(req)),
        unlock: (req) => unwrap(api().engine.unlock(req)),
        createKey: (req) => unwrap(api().customer.createKey(req)),
        chooseKey: (req) => unwrap(api().customer.chooseKey(req)),
        currentKey: (req) => unwrap(api().customer.currentKey(req)),
        forgetKey: (req) => unwrap(api().customer.forgetKey(req)),
        lock: (req) => unwrap(api().engine.lock(req)),
        record: (req) => unwrap(api().custody.record(req)),
        eraseSealed: (req) => unwrap(api().drives.eraseSealed(req)),
      },
      useApp.getState().customerKey,
    ),
  );
  // The key file remembered from an earlier run is offered again, checked once per run.
  useEffect(() => {
    if (useApp.getState().customerKeyChecked) return;
    useApp.getState().markCustomerKeyChecked();
    if (!flow.getState().key) void flow.getState().restoreKey();
  }, [flow]);
  // The chosen key outlives this workspace's visits (path and public key only).
  useEffect(
    () =>
      flow.subscribe((s) => {
        if (useApp.getState().customerKey !== s.key) useApp.getState().setCustomerKey(s.key);
      }),
    [flow],
  );
  const driveDir = useStore(flow, (s) => s.driveDir);
  const info = useStore(flow, (s) => s.info);
  const sessionId = useStore(flow, (s) => s.sessionId);
  const unlocking = useStore(flow, (s) => s.unlocking);
  const customerKey = useStore(flow, (s) => s.key);
  const receipts = useStore(flow, (s) => s.receipts);
  const openedWith = useStore(flow, (s) => s.openedWith);
  const lastUnlock = useStore(flow, (s) => s.lastUnlock);
  const confirmedState = useStore(flow, (s) => s.confirmed);
  const erasedState = useStore(flow, (s) => s.erased);
  const flowError = useStore(flow, (s) => s.error);
  const media = useJob<VerifyReportDto>();
  const [code, setCode] = useState('');
  const [codeStatus, setCodeStatus] = useState<CodeStatus | null>(null);
  const [browser] = useState(() =>
    createBrowserStore({
      browse: (req) => unwrap(api().engine.browse(req)),
      search: (req) => unwrap(api().engine.search(req)),
    }),
  );
  const chosen = useStore(browser, (s) => s.chosen);
  const browserBusy = useStore(browser, (s) => s.busy);
  /** Whether the restore that ran chose less than everything (the custody `opened` event's `partial`). */
  const restoredPartial = useRef(false);
  const [dest, setDest] = useState<string | null>(null);
  const restore = useJob<ResponseOf<'engine.open'>>();
  const [eraseOk, setEraseOk] = useState(false);
  /** The picked drive's set and which members are attached (keyless), or null. */
  const [members, setMembers] = useState<ResponseOf<'engine.setMembers'> | null>(null);
  /** What the members unlocked can restore now, for a set. */
  const [availability, setAvailability] = useState<ResponseOf<'engine.availability'>['set']>(null);
  const [guardError, setError] = useState<UiError | null>(null);
  const error = guardError ?? flowError;

  const guard = useCallback(
    async (f: () => Promise<void>) => {
      setError(null);
      flow.getState().clearError();
      try {
        await f();
      } catch (e) {
        setError(asUiError(e));
      }
    },
    [flow],
  );

  const refresh = useCallback(() => guard(async () => setDrives((await unwrap(api().drives.list({}))).drives)), [guard]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () => () => {
      flow.getState().forget();
      browser.getState().reset();
    },
    [flow, browser],
  );

  // The set of the drive picked, and its members among the drives attached (again as drives come and go).
  useEffect(() => {
    setMembers(null);
    if (!driveDir || !info) return;
    let live = true;
    void api()
      .engine.setMembers({ driveDir })
      .then((r) => {
        if (live && r.ok) setMembers(r.value);
      });
    return () => {
      live = false;
    };
  }, [driveDir, info, drives]);

  // Once a member of a set is unlocked: what can be restored now.
  useEffect(() => {
    setAvailability(null);
    if (!sessionId || !members?.set) return;
    let live = true;
    void api()
      .engine.availability({ sessionId })
      .then((r) => {
        if (live && r.ok) setAvailability(r.value.set);
      });
    return () => {
      live = false;
    };
  }, [sessionId, members?.set]);

  const runMedia = media.run;
  const pick = useCallback(
    (dir: string) =>
      guard(async () => {
        browser.getState().reset();
        setCode('');
        setCodeStatus(null);
        if (!(await flow.getState().pick(dir))) return;
        await runMedia((jobId) => api().engine.verify({ jobId, driveDir: dir }));
      }),
    [guard, runMedia, flow, browser],
  );

  useEffect(() => {
    if (code.trim() === '') {
      setCodeStatus(null);
      return;
    }
    let live = true;
    void api()
      .engine.checkUnlockCode({ code })
      .then((r) => {
        if (live && r.ok) setCodeStatus(r.value);
      });
    return () => {
      live = false;
    };
  }, [code]);

  const unlock = () =>
    guard(async () => {
      const present = (members?.members ?? []).flatMap((m) => (m.driveDir ? [m.driveDir] : []));
      const id = await flow.getState().unlock(code, present);
      if (!id) return;
      setCode('');
      await browser.getState().start(id);
    });
  const unlockWithKey = () =>
    guard(async () => {
      browser.getState().reset();
      const id = await flow.getState().unlockWithKey();
      if (!id) return;
      setCode('');
      await browser.getState().start(id);
    });
  /** The drive was sealed for a customer key (its keyslot says so): it opens with that key. */
  const sealedForKey = info?.keyslots.some((k) => k.type === 'x25519' && k.label === 'customer-key') === true;

  const request = openRequestOf({ chosen });
  const canRestore = request.paths === undefined || (request.paths.length > 0 && request.paths.length <= MAX_OPEN_PATHS);
  const startRestore = () => {
    if (!dest || !sessionId) return;
    restoredPartial.current = isPartial({ chosen });
    void restore.run((jobId) => api().engine.open({ jobId, sessionId, dest, ...request }));
  };
  const sealed = drives.flatMap((d) => d.sealedFolders.map((f) => ({ ...f, label: d.label || d.mountpoint })));
  const intact = media.result?.ok === true;

  const codeText =
    codeStatus &&
    (
      {
        ok: t('client.code.ok'),
        incomplete: t('client.code.incomplete'),
        format: t('client.code.format'),
        typo: codeStatus.suspectGroup ? t('client.code.typoGroup', { group: codeStatus.suspectGroup }) : t('client.code.typo'),
      } as const
    )[codeStatus.status];

  return (
    <div className="workspace">
      <h1>{t('client.title')}</h1>
      <ErrorNotice error={error} values={{ driveId: info?.driveId ?? '' }} scope={lastUnlock === 'key' ? 'customerKey' : undefined} />

      <Section title={t('client.step.key')}>
        <CustomerKeyPanel flow={flow} locked={sessionId !== null} />
      </Section>

      <Section title={t('client.step.drive')}>
        <div className="row">
          <button type="button" className="secondary" onClick={() => void refresh()}>
            {t('common.refresh')}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void guard(async () => {
                const r = await unwrap(api().dialog.chooseFolder({ purpose: 'sealed-drive' }));
                if (r.path) await pick(r.path);
              })
            }
          >
            {t('client.chooseFolder')}
          </button>
        </div>
        {sealed.length === 0 ? (
          <p>{t('client.noSealed')}</p>
        ) : (
          <ul className="plain">
            {sealed.map((s) => (
              <li key={s.driveDir}>
                <button type="button" aria-pressed={driveDir === s.driveDir} onClick={() => void pick(s.driveDir)}>
                  {t('client.sealedOption', { driveId: s.driveId, label: s.label })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t('client.step.check')} disabled={!driveDir}>
        {media.running && (
          <>
            <p>{t('client.checking')}</p>
            <ProgressPanel progress={media.progress} onCancel={media.cancel} label={t('client.step.check')} />
          </>
        )}
        <ErrorNotice error={media.error} />
        {info && (
          <div data-testid="authenticity">
            <DriveTrustNotice info={info} />
          </div>
        )}
        {members?.set && <SetMembersList view={members} />}
        {media.result &&
          (intact ? (
            <Notice kind="success" testId="integrity-ok">
              {tc('client.intact', info?.parts ?? 0)}
            </Notice>
          ) : (
            <div className="notice notice-error" role="alert" data-testid="integrity-bad">
              <p>{tc('client.damaged', media.result.problems.length)}</p>
              <ul>
                {media.result.problems.map((p, i) => (
                  <li key={i}>{hasMessage(`err.${p.code}`) ? t(`err.${p.code}` as 'err.E_INTERNAL') : p.code}</li>
                ))}
              </ul>
            </div>
          ))}
      </Section>

      <Section title={t('client.step.unlock')} disabled={!intact}>
        {intact && !sessionId && sealedForKey && (
          <div className="key-unlock">
            <p>{customerKey ? t('client.unlockKey.help') : t('client.unlockKey.needKey')}</p>
            <button type="button" data-testid="unlock-with-key" disabled={!customerKey || unlocking} onClick={() => void unlockWithKey()}>
              {t('client.unlockKey')}
            </button>
            <p className="help">{t('client.unlockKey.orCode')}</p>
          </div>
        )}
        {intact && !sessionId && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void unlock();
            }}
          >
            <label htmlFor={ids.code}>{t('client.code')}</label>
            <input
              id={ids.code}
              className="mono code-input"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="characters"
              aria-describedby={`${ids.codeHelp} ${ids.code}-status`}
              aria-invalid={codeStatus?.status === 'typo' || codeStatus?.status === 'format'}
            />
            <p id={ids.codeHelp} className="help">
              {t('client.codeHelp')}
            </p>
            <p
              id={`${ids.code}-status`}
              aria-live="polite"
              data-testid="code-status"
              className={codeStatus?.status === 'ok' ? 'good' : codeStatus?.status === 'incomplete' ? 'help' : 'bad'}
            >
              {codeText}
            </p>
            <button type="submit" disabled={codeStatus?.status !== 'ok' || unlocking}>
              {t('client.unlock')}
            </button>
          </form>
        )}
        {sessionId && (
          <Notice kind="success" testId="unlocked">
            {openedWith === 'customer-key' ? t('client.unlockedKey') : t('client.unlocked')}
          </Notice>
        )}
        {sessionId && receipts && (
          <ReceiptSignerNotice
            receipts={receipts}
            canChooseKey={!unlocking}
            onUseKey={() =>
              void guard(async () => {
                if (!flow.getState().key && !(await flow.getState().chooseKey())) return;
                await unlockWithKey();
              })
            }
          />
        )}
      </Section>

      <Section title={t('client.step.browse')} disabled={!sessionId}>
        {sessionId && availability && <SetAvailabilityNotice set={availability} />}
        {sessionId && <RestoreBrowser store={browser} />}
      </Section>

      <Section title={t('client.step.restore')} disabled={!sessionId}>
        {sessionId && (
          <>
            <button type="button" className="secondary" onClick={() => void guard(async () => setDest((await unwrap(api().dialog.chooseFolder({ purpose: 'restore' }))).path))}>
              {t('client.chooseDest')}
            </button>
            {dest && <p>{t('client.dest', { path: dest })}</p>}
            <p className="help">{t('client.restoreProvisional')}</p>
            <button type="button" disabled={!dest || !canRestore || browserBusy || restore.running} onClick={startRestore}>
              {t('client.restore')}
            </button>
            {restore.running && <ProgressPanel progress={restore.progress} onCancel={restore.cancel} label={t('client.step.restore')} />}
            {restore.error?.code === 'E_CANCELLED' ? <Notice kind="warning">{t('progress.cancelled')}</Notice> : <ErrorNotice error={restore.error} />}
            {restore.result && (
              <Notice kind="success" testId="restored">
                {tc('client.restored', restore.result.files, { bytes: formatBytes(restore.result.bytes, lang) })}
              </Notice>
            )}
            {restore.result?.set && <SetRestoredNotice set={restore.result.set} />}
          </>
        )}
      </Section>

      <Section title={t('client.step.confirm')} disabled={!restore.result}>
        <button
          type="button"
          disabled={!restore.result || !info || !sessionId || confirmedState !== null || receipts === 'needs-customer-key'}
          onClick={() =>
            restore.result &&
            void guard(async () => {
              const done = restore.result!;
              await flow
                .getState()
                .confirmReceipt(
                  { ok: intact, problems: media.result?.problems.length ?? 0 },
                  { files: done.files, bytes: done.bytes, partial: restoredPartial.current || !!done.set?.absent.some((a) => a.files > 0) || (done.set?.notListed ?? 0) > 0 },
                );
            })
          }
        >
          {t('client.confirm')}
        </button>
        {confirmedState && (
          <Notice kind="success" testId="confirmed">
            {confirmedState.synced ? t('client.confirmed') : t('tech.recordedLocal')}{' '}
            <span data-testid="receipt-attestation">{confirmedState.attestation === 'customer-key' ? t('client.receipts.customerKeyDone') : t('client.receipts.dataKeyDone')}</span>
          </Notice>
        )}
      </Section>

      <Section title={t('client.step.erase')} disabled={!restore.result}>
        <p className="warn">{t('client.eraseWarning')}</p>
        <label className="choice">
          <input type="checkbox" checked={eraseOk} onChange={(e) => setEraseOk(e.target.checked)} disabled={!restore.result} />
          {t('client.eraseConfirm')}
        </label>
        <button
          type="button"
          className="danger"
          disabled={!restore.result || !eraseOk || erasedState !== null}
          onClick={() =>
            void guard(async () => {
              // Erase while the drive is still unlocked, so that the customer's key signs the sanitization record.
              await flow.getState().erase();
              if (flow.getState().erased) browser.getState().reset();
            })
          }
        >
          {t('client.erase')}
        </button>
        {erasedState &&
          (erasedState.checkFailed ? (
            <Notice kind="warning" testId="erased">
              {t('client.eraseCheckFailed')}
            </Notice>
          ) : (
            <Notice kind="success" testId="erased">
              {erasedState.recorded ? t('client.erased') : t('client.erasedNoRecord')}
            </Notice>
          ))}
      </Section>
    </div>
  );
}
