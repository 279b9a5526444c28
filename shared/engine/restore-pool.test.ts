import { describe, expect, it } from 'vitest';
import type { IndexEntry } from './api.js';
import { unitBounds, unitJobs } from './restore-pool.js';
import { helperThreadCount } from './parallelism.js';

const entry = (offset: number, size: number): IndexEntry => ({ path: `f${offset}`, type: 'file', size, mode: 0o644, mtime: 0, offset, sha256: '0'.repeat(64) });

describe('restore units', () => {
  it('keep every file once, in tar order, and close at 32 MiB or 4096 files', () => {
    const jobs = [
      ...Array.from({ length: 5000 }, (_, i) => ({ entry: entry(i * 1024, 100), target: Buffer.from(`/d/f${i}`) })),
      ...Array.from({ length: 5 }, (_, i) => ({ entry: entry(1e8 + i * 2e7, 20 << 20), target: Buffer.from(`/d/big${i}`) })),
    ];
    const bounds = unitBounds(jobs);
    expect(bounds).toEqual([0, 4096, 5002, 5004, 5005]);
    const units = bounds.slice(1).map((end, i) => unitJobs(jobs, bounds[i]!, end));
    expect(units.flat().map((j) => j.entry)).toEqual(jobs.map((j) => j.entry));
    expect(unitBounds([])).toEqual([0]);
  });
  it('carry names that are not UTF-8 byte for byte', () => {
    const target = Buffer.from([0x2f, 0x64, 0x2f, 0x63, 0x61, 0x66, 0xe9]);
    const [job] = unitJobs([{ entry: entry(0, 1), target }], 0, 1);
    expect(Buffer.from(job!.target, 'latin1').equals(target)).toBe(true);
  });
  it('use at least two workers and at most four', () => {
    expect(helperThreadCount()).toBeGreaterThanOrEqual(2);
    expect(helperThreadCount()).toBeLessThanOrEqual(4);
  });
});
