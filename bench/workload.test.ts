import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureWorkload, folderOf, manyPath, summarizeTree, verifyTree, workloadParams } from './workload.js';

describe('the many workload', () => {
  it('scales files and folders as round(1e6 × scale) and max(1, round(1000 × scale))', () => {
    expect(workloadParams('many', 1)).toMatchObject({ files: 1_000_000, folders: 1000, minSize: 0, maxSize: 200 });
    expect(workloadParams('many', 0.01)).toMatchObject({ files: 10_000, folders: 10 });
    expect(workloadParams('many', 0.0001)).toMatchObject({ files: 100, folders: 1 });
  });
  it('spreads files evenly and in order over the folders', () => {
    const counts = new Map<number, number>();
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const d = folderOf(i, 1000, 7);
      expect(d).toBeGreaterThanOrEqual(last);
      last = d;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    expect([...counts.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect([142, 143]).toContain(c);
    expect(manyPath(42, 7)).toBe('d0042/f00007.txt');
  });
  it('is generated deterministically, sizes within 0–200 bytes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'scelle-wl-'));
    try {
      const p = workloadParams('many', 0.002);
      const a = (await ensureWorkload(join(root, 'a'), p, () => {})).workload;
      const b = (await ensureWorkload(join(root, 'b'), p, () => {})).workload;
      expect(a.files).toBe(2000);
      expect(a.dirs).toBe(2);
      expect(a.hashes).toEqual(b.hashes);
      expect(a.bytes).toBe(b.bytes);
      expect(a.bytes).toBeGreaterThan(2000 * 50);
      expect(a.bytes).toBeLessThan(2000 * 150);
      expect(summarizeTree(a.src)).toEqual({ files: 2000, dirs: 2, bytes: a.bytes, other: 0 });
      expect(await verifyTree(a, b.src)).toEqual([]);
      // Cached: the second call reuses the marker.
      expect((await ensureWorkload(join(root, 'a'), p, () => {})).generated).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
