/**
 * What the UI shows for a progress report: phase, percent, bytes and files, throughput and
 * time left, as text in the user's language. Pure, so the e2e tests can render the engine's
 * own reports the same way and compare them with the screen.
 */
import type { Language, ProgressDto } from '../shared/ipc/index.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { translate, translateCount } from './i18n/index.js';

/** The texts of one progress report (`detail` is null before the first report). */
export interface ProgressView {
  phase: string;
  percent: number;
  percentText: string;
  detail: string | null;
  eta: string;
}

/**
 * The files part of a progress line: while files remain, the one under way ("fichier 1 sur 1"
 * while a single large file is sealed, never "0 fichier"); once all are done, or while files
 * are being counted (no total yet), how many ("10 fichiers"); null when there is nothing to
 * count yet.
 */
export function progressFiles(progress: ProgressDto, lang: Language): string | null {
  const { filesDone, filesTotal } = progress;
  if (filesTotal > 0 && filesDone < filesTotal) {
    return translate(lang, 'progress.fileOf', { current: formatCount(filesDone + 1, lang), total: formatCount(filesTotal, lang) });
  }
  const files = Math.max(filesDone, filesTotal);
  return files > 0 ? translateCount(lang, 'count.files', files) : null;
}

/** Renders `progress` (null: the job has started but reported nothing yet) in `lang`. */
export function progressView(progress: ProgressDto | null, lang: Language): ProgressView {
  const total = progress?.bytesTotal ?? 0;
  const percent = progress && total > 0 ? Math.min(100, Math.floor((progress.bytesDone / total) * 100)) : 0;
  return {
    phase: progress ? translate(lang, `phase.${progress.phase}`) : translate(lang, 'common.working'),
    percent,
    percentText: translate(lang, 'progress.percent', { percent }),
    detail: progress ? detailText(progress, lang) : null,
    eta: progress?.etaSeconds != null ? translate(lang, 'progress.eta', { eta: formatDuration(progress.etaSeconds) }) : translate(lang, 'progress.etaUnknown'),
  };
}

function detailText(progress: ProgressDto, lang: Language): string {
  const values = { done: formatBytes(progress.bytesDone, lang), total: formatBytes(progress.bytesTotal, lang), speed: formatBytes(progress.bytesPerSecond, lang) };
  const files = progressFiles(progress, lang);
  return files === null ? translate(lang, 'progress.detailNoFiles', values) : translate(lang, 'progress.detail', { ...values, files });
}

/** The progress line as displayed: percent · detail · time left. */
export function progressLine(v: ProgressView): string {
  return [v.percentText, v.detail, v.eta].filter((x): x is string => x !== null).join(' · ');
}
