/**
 * A member of a sealed set, as the Client shows it: every member of the set by position and
 * drive id, attached or missing (from the manifests of the drives attached, before any key), then
 * once unlocked what can be restored now, and after a restore what waits for which member.
 */
import type { ResponseOf, SetAvailabilityDto } from '../../../shared/ipc/index.js';
import { formatBytes } from '../../format.js';
import { useT, useTc } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';

type Members = ResponseOf<'engine.setMembers'>;

/** The members list (keyless); nothing for a drive sealed alone. */
export function SetMembersList({ view }: { view: Members }) {
  const t = useT();
  const tc = useTc();
  if (!view.set) return null;
  const missing = view.members.filter((m) => m.driveDir === null).length;
  return (
    <div className="set-members" role="group" aria-label={t('client.set.title', { setId: view.set.id })} data-testid="set-members">
      <h3>{t('client.set.title', { setId: view.set.id })}</h3>
      <p>{t('client.set.place', { position: view.set.position, members: view.set.members })}</p>
      <ul className="plain">
        {view.members.map((m) => (
          <li key={m.position} data-testid={`member-${m.position}`} data-present={m.driveDir !== null} className={m.driveDir !== null ? 'good' : 'warn'}>
            {t(m.driveDir !== null ? 'client.set.present' : 'client.set.missing', { position: m.position, members: view.set!.members, driveId: m.driveId })}
          </li>
        ))}
      </ul>
      <p data-testid="set-members-summary">{missing === 0 ? t('client.set.allPresent') : tc('client.set.someMissing', missing)}</p>
    </div>
  );
}

/** What waits for each absent member, and the entries no member attached lists. */
function Waiting({ set, restored }: { set: SetAvailabilityDto; restored: boolean }) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  return (
    <>
      <ul className="plain">
        {set.absent.map((a) => (
          <li key={a.position} data-testid={`waits-${a.position}`}>
            {t(restored ? 'client.set.restored.waits' : 'client.set.now.waits', {
              files: tc('count.files', a.files),
              bytes: formatBytes(a.bytes, lang),
              position: a.position,
              driveId: a.driveId,
            })}
            {a.paths.length > 0 && (
              <ul className="paths">
                {a.paths.slice(0, 5).map((p) => (
                  <li key={p} className="path">
                    {p}
                  </li>
                ))}
                {a.files > 5 && <li>{tc('client.set.more', a.files - 5)}</li>}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {set.notListed > 0 && <p data-testid="not-listed">{tc('client.set.notListed', set.notListed)}</p>}
    </>
  );
}

/** What the members unlocked can restore now (after unlock). */
export function SetAvailabilityNotice({ set }: { set: SetAvailabilityDto }) {
  const t = useT();
  const complete = set.absent.every((a) => a.files === 0) && set.notListed === 0;
  return (
    <div className={complete ? 'notice notice-success' : 'notice notice-warning'} role="status" data-testid="set-availability">
      <p className="notice-title">{t('client.set.now.title')}</p>
      {complete ? <p>{t('client.set.now.all')}</p> : <Waiting set={set} restored={false} />}
    </div>
  );
}

/** What a restore with members missing left for later. */
export function SetRestoredNotice({ set }: { set: SetAvailabilityDto }) {
  const t = useT();
  if (set.absent.every((a) => a.files === 0) && set.notListed === 0) return null;
  return (
    <div className="notice notice-warning" role="status" data-testid="set-restored">
      <Waiting set={set} restored={true} />
      <p>{t('client.set.restored.later')}</p>
    </div>
  );
}
