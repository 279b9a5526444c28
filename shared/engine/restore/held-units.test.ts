import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '../api.js';
import { HeldUnits } from './held-units.js';
import { unitsOf, type RestoreItem, type RestoreUnit } from './restore-pool.js';
import { jobOf } from './restore-unit.js';

const jobsOf = (u: RestoreUnit) => u.files.targets.map((_, i) => jobOf(u.files, i));
const file = (i: number, size = 10): RestoreItem => ({
  entry: { path: `d${i % 3}/f${i}`, type: 'file', size, mode: 0o640, mtime: i + 0.5, offset: i * 512, sha256: i.toString(16).padStart(64, '0') } satisfies IndexEntry,
  target: Buffer.from(`/dest/d${i % 3}/f${i}`),
});
const parent = (item: RestoreItem) => ('after' in item ? null : item.target.subarray(0, item.target.lastIndexOf(0x2f)));

/** Holds `items` as open's plan does: each item's folder noted before the item. */
function hold(items: RestoreItem[], maxFiles?: number): HeldUnits {
  const held = new HeldUnits(maxFiles);
  for (const item of items) {
    const dir = parent(item);
    if (dir) held.needsFolder(dir);
    held.add(item);
  }
  return held;
}

describe('units held by the plan', () => {
  it('are the units unitsOf cuts from the same items, with their actions', () => {
    const ran: number[] = [];
    const items: RestoreItem[] = [];
    for (let i = 0; i < 9000; i++) {
      items.push(file(i, i === 5000 ? 40 << 20 : 10));
      if (i % 1000 === 999) items.push({ after: () => ran.push(i) });
    }
    const held = [...hold(items).units(() => undefined)!];
    const streamed = [...unitsOf(items[Symbol.iterator]())];
    expect(held.map((u) => [u.files.targets.length, u.actions.length])).toEqual(streamed.map((u) => [u.files.targets.length, u.actions.length]));
    expect(held.flatMap(jobsOf)).toEqual(streamed.flatMap(jobsOf));
    for (const u of held) for (const a of u.actions) a();
    expect(ran).toEqual(Array.from({ length: 9 }, (_, k) => k * 1000 + 999));
  });

  it('create the folders of a unit before handing it out, each run of one folder once', () => {
    // Two units (4096 files each at most); folders change every file here (i % 3).
    const items = Array.from({ length: 5000 }, (_, i) => file(i));
    const created: string[] = [];
    const units = hold(items).units((dir) => created.push(dir.toString()))!;
    units.next();
    // Only the first unit's folders so far: one per change of folder among its 4096 files.
    expect(created).toHaveLength(4096);
    expect(created.slice(0, 4)).toEqual(['/dest/d0', '/dest/d1', '/dest/d2', '/dest/d0']);
    units.next();
    expect(created).toHaveLength(5000);
    expect(units.next().done).toBe(true);
  });

  it('note a folder once for consecutive files in it', () => {
    const items = Array.from({ length: 6 }, (_, i) => ({ ...file(i), target: Buffer.from(`/dest/${i < 3 ? 'a' : 'b'}/f${i}`) }));
    const created: string[] = [];
    Array.from(hold(items).units((dir) => created.push(dir.toString()))!);
    expect(created).toEqual(['/dest/a', '/dest/b']);
  });

  it('are dropped, all of them, once more files than the budget came', () => {
    const items = Array.from({ length: 11 }, (_, i) => file(i));
    expect(hold(items.slice(0, 10), 10).units(() => undefined)).not.toBeNull();
    expect(hold(items, 10).units(() => undefined)).toBeNull();
  });

  it('surface a folder that cannot be created when its unit is handed out', () => {
    const units = hold([file(0)]).units(() => {
      throw new Error('exists and is not a folder');
    })!;
    expect(() => units.next()).toThrow('exists and is not a folder');
  });
});
