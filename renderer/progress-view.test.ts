import { describe, expect, it } from 'vitest';
import { progressLine, progressView } from './progress-view.js';

describe('progressView', () => {
  const p = { phase: 'seal' as const, bytesDone: 500_000_000, bytesTotal: 2_000_000_000, filesDone: 3, filesTotal: 10, bytesPerSecond: 250_000_000, etaSeconds: 6 };
  it('renders a report as the panel shows it', () => {
    expect(progressLine(progressView(p, 'en'))).toBe('25% · 500 MB of 2 GB · 3 files · 250 MB/s · Time left: 6 s');
    expect(progressView(p, 'en').phase).toBe('Encrypting and writing');
  });
  it('shows 100 % only when everything is done, and nothing before the first report', () => {
    expect(progressView({ ...p, bytesDone: 1_999_999_999 }, 'en').percent).toBe(99);
    expect(progressView({ ...p, bytesDone: p.bytesTotal, etaSeconds: 0 }, 'fr-CA').percentText).toBe('100 %');
    expect(progressLine(progressView(null, 'en'))).toBe('0% · Time left: estimating');
  });
});
