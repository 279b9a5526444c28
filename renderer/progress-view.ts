/**
 * What the UI shows for a progress report: phase, percent, bytes and files, throughput and
 * time left, as text in the user's language. Pure, so the e2e tests can render the engine's
 * own reports the same way and compare them with the screen.
 */
import type { Language, ProgressDto } from '../shared/ipc/index.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { translate } from './i18n/index.js';

/** The texts of one progress report (`detail` is null before the first report). */
export interface ProgressView {
  phase: string;
  percent: number;
  percentText: string;
  detail: string | null;
  eta: string;
}

/** Renders `progress` (null: the job has started but reported nothing yet) in `lang`. */
export function progressView(progress: ProgressDto | null, lang: Language): ProgressView {
  const total = progress?.bytesTotal ?? 0;
  const percent = progress && total > 0 ? Math.min(100, Math.floor((progress.bytesDone / total) * 100)) : 0;
  return {
    phase: progress ? translate(lang, `phase.${progress.phase}`) : translate(lang, 'common.working'),
    percent,
    percentText: translate(lang, 'progress.percent', { percent }),
    detail: progress
      ? translate(lang, 'progress.detail', { done: formatBytes(progress.bytesDone, lang), total: formatBytes(total, lang), files: formatCount(progress.filesDone, lang), speed: formatBytes(progress.bytesPerSecond, lang) })
      : null,
    eta: progress?.etaSeconds != null ? translate(lang, 'progress.eta', { eta: formatDuration(progress.etaSeconds) }) : translate(lang, 'progress.etaUnknown'),
  };
}

/** The progress line as displayed: percent · detail · time left. */
export function progressLine(v: ProgressView): string {
  return [v.percentText, v.detail, v.eta].filter((x): x is string => x !== null).join(' · ');
}
