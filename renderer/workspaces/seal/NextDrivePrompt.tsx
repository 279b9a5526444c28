/**
 * The seal's question "attach drive N of M": the drive id the member will have and the free space
 * it needs, why the drive offered last was refused, the attached drives to choose from (those
 * already holding a member of this set cannot be chosen), and Cancel, which stops the seal.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { DriveSummaryDto } from '../../../shared/ipc/index.js';
import { formatBytes } from '../../format.js';
import { hasMessage } from '../../i18n/index.js';
import { useT } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';
import type { NextDriveView } from './set-seal-view.js';

/** The prompt; `onOffer` hands a drive to the seal, `onRefresh` lists the drives again, `onCancel` stops the seal. */
export function NextDrivePrompt({
  next,
  drives,
  inUse,
  busy,
  onOffer,
  onRefresh,
  onCancel,
}: {
  next: NextDriveView;
  drives: DriveSummaryDto[];
  inUse: Set<string>;
  busy: boolean;
  onOffer: (volumeId: string) => void;
  onRefresh: () => void;
  onCancel: () => void;
}) {
  const t = useT();
  const lang = useApp((s) => s.language);
  const titleId = useId();
  const [picked, setPicked] = useState<string | null>(null);
  // The seal waits on the technician: bring the question to them (keyboard and screen readers) once.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const r = next.refused;
  const refusal =
    r &&
    (hasMessage(`set.refused.${r.code}`)
      ? t(`set.refused.${r.code}` as 'set.refused.E_USAGE', { needed: formatBytes(r.needed ?? 0, lang), free: formatBytes(r.free ?? 0, lang) })
      : t(hasMessage(`err.${r.code}`) ? (`err.${r.code}` as 'err.E_INTERNAL') : 'err.E_INTERNAL'));
  return (
    <div className="next-drive" role="dialog" aria-labelledby={titleId} data-testid="next-drive" ref={ref} tabIndex={-1}>
      <h3 id={titleId}>{t('set.next.title', { position: next.position, members: next.members })}</h3>
      <p data-testid="next-drive-need">{t('set.next.need', { driveId: next.driveId, bytes: formatBytes(next.bytesNeeded, lang) })}</p>
      {refusal && (
        <p className="bad" role="alert" data-testid="next-drive-refused">
          {t('set.next.refused', { reason: refusal })}
        </p>
      )}
      <fieldset>
        <legend>{t('set.next.legend')}</legend>
        {drives.map((d) => (
          <label key={d.id} className="choice">
            <input type="radio" name="next-drive" value={d.id} checked={picked === d.id} disabled={inUse.has(d.id)} onChange={() => setPicked(d.id)} />
            {t(inUse.has(d.id) ? 'set.next.driveInUse' : 'set.next.drive', {
              label: d.label || d.mountpoint,
              free: d.freeBytes === null ? t('common.unknown') : formatBytes(d.freeBytes, lang),
            })}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button type="button" disabled={!picked || busy || inUse.has(picked)} onClick={() => picked && onOffer(picked)}>
          {t('set.next.use')}
        </button>
        <button type="button" className="secondary" onClick={onRefresh}>
          {t('set.next.refresh')}
        </button>
        <button type="button" className="danger" onClick={onCancel}>
          {t('set.next.cancel')}
        </button>
      </div>
    </div>
  );
}
