/**
 * Progress of a long job: bar, percent, bytes and files, throughput, time left, and Cancel.
 */
import type { ProgressDto } from '../../shared/ipc/index.js';
import { formatBytes, formatCount, formatDuration } from '../format.js';
import { useT } from '../i18n/use-t.js';
import { useApp } from '../store.js';

/** Shows `progress`; `onCancel` adds a Cancel button. */
export function ProgressPanel({ progress, onCancel, label }: { progress: ProgressDto | null; onCancel?: () => void; label: string }) {
  const t = useT();
  const lang = useApp((s) => s.language);
  const total = progress?.bytesTotal ?? 0;
  const percent = progress && total > 0 ? Math.min(100, Math.floor((progress.bytesDone / total) * 100)) : 0;
  return (
    <div className="progress" role="group" aria-label={label}>
      <p className="progress-phase">{progress ? t(`phase.${progress.phase}`) : t('common.working')}</p>
      <progress max={100} value={percent} aria-label={t('progress.label')} aria-valuetext={t('progress.percent', { percent })} />
      <div className="progress-text" aria-live="polite">
        <span className="progress-percent" data-testid="progress-percent">{t('progress.percent', { percent })}</span>
        {progress && (
          <span> · {t('progress.detail', { done: formatBytes(progress.bytesDone, lang), total: formatBytes(total, lang), files: formatCount(progress.filesDone, lang), speed: formatBytes(progress.bytesPerSecond, lang) })}</span>
        )}
        <span> · {progress?.etaSeconds != null ? t('progress.eta', { eta: formatDuration(progress.etaSeconds) }) : t('progress.etaUnknown')}</span>
      </div>
      {onCancel && <button type="button" className="secondary" onClick={onCancel}>{t('progress.cancel')}</button>}
    </div>
  );
}
