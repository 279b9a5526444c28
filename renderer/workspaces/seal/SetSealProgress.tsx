/**
 * A set seal's members as it goes: which drive is being written, which are sealed, which wait
 * (the overall bytes are the job's progress panel, above it).
 */
import { useT, useTc } from '../../i18n/use-t.js';
import { membersSealed, type SetSealView } from './set-seal-view.js';

/** The members list; nothing before the engine names the set. */
export function SetSealProgress({ view }: { view: SetSealView }) {
  const t = useT();
  const tc = useTc();
  if (!view.setId) return null;
  const n = view.members.length;
  return (
    <div className="set-progress" role="group" aria-label={t('set.progress.label')} data-testid="set-progress">
      <p>{t('set.progress.summary', { setId: view.setId, members: tc('count.drives', n), done: tc('set.progress.done', membersSealed(view)) })}</p>
      <ol className="plain">
        {view.members.map((m) => (
          <li key={m.position} data-testid={`set-member-${m.position}`} data-state={m.state}>
            {t(`set.member.${m.state}`, { position: m.position, members: n, driveId: m.driveId ?? '—' })}
          </li>
        ))}
      </ol>
    </div>
  );
}
