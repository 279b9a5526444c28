import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from './format.js';

describe('format', () => {
  it('formats sizes in both languages', () => {
    expect(formatBytes(1_500_000_000, 'en')).toBe('1.5 GB');
    expect(formatBytes(1_500_000_000, 'fr-CA').replace(/\s/g, ' ')).toBe('1,5 Go');
    expect(formatBytes(999, 'en')).toBe('999 B');
  });
  it('formats durations', () => {
    expect(formatDuration(12)).toBe('12 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
  });
});
