/**
 * The sealed set a looked-up drive belongs to (docs/CUSTODY.md §3.1): which member it is, and a
 * table of every member with its custody state, tracking number and chain status, so that Support
 * sees the whole set whichever member's tracking number was searched. A member's drive id looks
 * that member up.
 */
import type { CustodySetDto } from '../../../shared/ipc/index.js';
import { hasMessage } from '../../i18n/index.js';
import { useT } from '../../i18n/use-t.js';

/** The set's members; `onLookUp` searches one member by its drive id. */
export function SetMembers({ set, onLookUp }: { set: CustodySetDto; onLookUp: (driveId: string) => void }) {
  const t = useT();
  const label = (prefix: 'state' | 'incident', v: string) => (hasMessage(`${prefix}.${v}`) ? t(`${prefix}.${v}` as 'state.sealed') : v);
  return (
    <div data-testid="set-members">
      <p>{t('support.set.title', { setId: set.setId, position: set.position, members: set.members })}</p>
      {!set.ok && <p className="bad">{t('support.set.notOk')}</p>}
      <table>
        <caption>{t('support.set.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('support.set.col.position')}</th>
            <th scope="col">{t('support.set.col.drive')}</th>
            <th scope="col">{t('support.set.col.state')}</th>
            <th scope="col">{t('support.set.col.tracking')}</th>
            <th scope="col">{t('support.set.col.chain')}</th>
          </tr>
        </thead>
        <tbody>
          {set.memberViews.map((m) => (
            <tr key={m.driveId} aria-current={m.position === set.position ? 'true' : undefined}>
              <td>{m.position}</td>
              <th scope="row">
                <button type="button" className="linklike mono" onClick={() => onLookUp(m.driveId)}>
                  {m.driveId}
                </button>
              </th>
              <td>
                {m.state === null ? t('support.set.unknown') : label('state', m.state)}
                {m.incident !== null && ` (${label('incident', m.incident)})`}
              </td>
              <td className="mono">{m.trackingNumber ?? '—'}</td>
              <td className={m.chain === 'ok' && m.anomalies === 0 ? 'good' : 'bad'}>
                {m.chain === null ? '—' : m.chain === 'ok' && m.anomalies === 0 ? t('support.summaryOk') : t('support.set.chainNotOk')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
