import { describe, expect, it } from 'vitest';
import { progressFiles, progressLine, progressView } from './progress-view.js';

describe('progressView', () => {
  const p = { phase: 'seal' as const, bytesDone: 500_000_000, bytesTotal: 2_000_000_000, filesDone: 3, filesTotal: 10, bytesPerSecond: 250_000_000, etaSeconds: 6 };
  it('renders a report as the panel shows it', () => {
    expect(progressLine(progressView(p, 'en'))).toBe('25% · 500 MB of 2 GB · file 4 of 10 · 250 MB/s · Time left: 6 s');
    expect(progressView(p, 'en').phase).toBe('Encrypting and writing');
  });
  it('shows 100 % only when everything is done, and nothing before the first report', () => {
    expect(progressView({ ...p, bytesDone: 1_999_999_999 }, 'en').percent).toBe(99);
    expect(progressView({ ...p, bytesDone: p.bytesTotal, etaSeconds: 0 }, 'fr-CA').percentText).toBe('100 %');
    expect(progressLine(progressView(null, 'en'))).toBe('0% · Time left: estimating');
  });
  it('names the file under way while a single large file is sealed, never "0 files"', () => {
    const big = { phase: 'seal' as const, bytesDone: 700_000_000, bytesTotal: 2_000_000_000, filesDone: 0, filesTotal: 1, bytesPerSecond: 350_000_000, etaSeconds: 4 };
    expect(progressView(big, 'fr-CA').detail).toBe('700 Mo sur 2 Go · fichier 1 sur 1 · 350 Mo/s');
    expect(progressView(big, 'en').detail).toBe('700 MB of 2 GB · file 1 of 1 · 350 MB/s');
    for (const lang of ['fr-CA', 'en'] as const) expect(progressLine(progressView(big, lang))).not.toMatch(/\b0 (files|fichiers?)\b/);
  });
  it('counts files with plural forms once all are done or while counting, and omits them before there are any', () => {
    const done = { ...p, filesDone: 1, filesTotal: 1 };
    expect(progressFiles(done, 'fr-CA')).toBe('1 fichier');
    expect(progressFiles(done, 'en')).toBe('1 file');
    const scan = { ...p, phase: 'scan' as const, filesDone: 2, filesTotal: 0 };
    expect(progressFiles(scan, 'en')).toBe('2 files');
    expect(progressFiles({ ...scan, filesDone: 0 }, 'en')).toBeNull();
    expect(progressView({ ...scan, filesDone: 0 }, 'en').detail).toBe('500 MB of 2 GB · 250 MB/s');
  });
  it('groups large file counts as the language does', () => {
    const many = { ...p, filesDone: 999_999, filesTotal: 1_000_000 };
    const frNumber = new Intl.NumberFormat('fr-CA').format(1_000_000);
    expect(progressFiles(many, 'fr-CA')).toBe(`fichier ${frNumber} sur ${frNumber}`);
    expect(progressFiles({ ...many, filesDone: 1_000_000 }, 'fr-CA')).toBe(`${frNumber} de fichiers`);
    expect(progressFiles(many, 'en')).toBe('file 1,000,000 of 1,000,000');
  });
});
