/**
 * Progress of a long job: bar, percent, bytes and files, throughput, time left, and Cancel
 * (texts from progress-view.ts).
 */
import type { ProgressDto } from '../../shared/ipc/index.js';
import { useT } from '../i18n/use-t.js';
import { progressView } from '../progress-view.js';
import { useApp } from '../store.js';

/** Shows `progress`; `onCancel` adds a Cancel button. */
export function ProgressPanel({ progress, onCancel, label }: { progress: ProgressDto | null; onCancel?: () => void; label: string }) {
  const t = useT();
  const lang = useApp((s) => s.language);
  const v = progressView(progress, lang);
  return (
    <div className="progress" role="group" aria-label={label} data-testid="progress">
      <p className="progress-phase" data-testid="progress-phase">
        {v.phase}
      </p>
      <progress max={100} value={v.percent} aria-label={t('progress.label')} aria-valuetext={v.percentText} />
      <div className="progress-text" aria-live="polite" data-testid="progress-text">
        <span className="progress-percent" data-testid="progress-percent">
          {v.percentText}
        </span>
        {v.detail !== null && <span> · {v.detail}</span>}
        <span> · {v.eta}</span>
      </div>
      {onCancel && (
        <button type="button" className="secondary" onClick={onCancel}>
          {t('progress.cancel')}
        </button>
      )}
    </div>
  );
}
