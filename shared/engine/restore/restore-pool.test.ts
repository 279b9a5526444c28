import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '../api.js';
import { unitsOf, type RestoreUnit } from './restore-pool.js';
import { jobOf } from './restore-unit.js';
import { helperThreadCount } from '../workers/parallelism.js';

/** The restore jobs a unit carries, as a worker reads them. */
const jobsOf = (u: RestoreUnit) => u.files.targets.map((_, i) => jobOf(u.files, i));

// Every field differs from file to file, so that a field read from the wrong place shows.
const entry = (offset: number, size: number): IndexEntry => ({
  path: `f${offset}`,
  type: 'file',
  size,
  mode: 0o600 | (offset % 0o77),
  mtime: offset * 3 + 1.5,
  offset,
  sha256: offset.toString(16).padStart(64, 'a'),
});

describe('restore units', () => {
  it('keep every file once, in tar order, and close at 32 MiB or 4096 files', () => {
    const jobs = [
      ...Array.from({ length: 5000 }, (_, i) => ({ entry: entry(i * 1024, 100), target: Buffer.from(`/d/f${i}`) })),
      ...Array.from({ length: 5 }, (_, i) => ({ entry: entry(1e8 + i * 2e7, 20 << 20), target: Buffer.from(`/d/big${i}`) })),
    ];
    const units = [...unitsOf(jobs[Symbol.iterator]())];
    expect(units.map((u) => jobsOf(u).length)).toEqual([4096, 906, 2, 1]);
    expect(units.flatMap(jobsOf)).toEqual(jobs);
    expect([...unitsOf([][Symbol.iterator]())]).toEqual([]);
  });
  it('carry each action with the unit it follows, counting it toward the unit size', () => {
    const ran: number[] = [];
    const items = [
      { entry: entry(0, 1), target: Buffer.from('/d/a') },
      { after: () => ran.push(1) },
      ...Array.from({ length: 4095 }, (_, i) => ({ after: () => ran.push(i + 2) })),
      { entry: entry(512, 1), target: Buffer.from('/d/b') },
    ];
    const units = [...unitsOf(items[Symbol.iterator]())];
    expect(units.map((u) => [jobsOf(u).length, u.actions.length])).toEqual([
      [1, 4095],
      [1, 1],
    ]);
    for (const u of units) for (const a of u.actions) a();
    expect(ran).toEqual(Array.from({ length: 4096 }, (_, i) => i + 1));
  });
  it('are cut as the files come, never reading ahead of the unit being filled', () => {
    let produced = 0;
    function* files() {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        yield { entry: entry(i * 512, 0), target: Buffer.from(`/d/f${i}`) };
      }
    }
    const units = unitsOf(files());
    units.next();
    expect(produced).toBe(4096);
  });
  it('carry names that are not UTF-8 byte for byte', () => {
    const target = Buffer.from([0x2f, 0x64, 0x2f, 0x63, 0x61, 0x66, 0xe9]);
    const [unit] = [...unitsOf([{ entry: entry(0, 1), target }][Symbol.iterator]())];
    expect(jobsOf(unit!)[0]!.target.equals(target)).toBe(true);
  });
  it('use at least two workers and at most four', () => {
    expect(helperThreadCount()).toBeGreaterThanOrEqual(2);
    expect(helperThreadCount()).toBeLessThanOrEqual(4);
  });
});
