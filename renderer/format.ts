/**
 * Numbers, sizes, durations and dates in the user's language.
 */
import type { Language } from '../shared/ipc/index.js';

const UNITS: Record<Language, string[]> = { 'fr-CA': ['o', 'ko', 'Mo', 'Go', 'To'], en: ['B', 'kB', 'MB', 'GB', 'TB'] };

/** A byte count with a decimal unit: `1,5 Go` / `1.5 GB`. */
export function formatBytes(bytes: number, lang: Language): string {
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1000 && i < 4) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v)} ${UNITS[lang][i]}`;
}

/** A duration in seconds: `1 h 05 min`, `3 min 20 s`, `12 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** An integer with the language's grouping. */
export function formatCount(n: number, lang: Language): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** A date and time, local to the user. */
export function formatDateTime(iso: string, lang: Language): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
}
