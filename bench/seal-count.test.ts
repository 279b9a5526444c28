import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeSealCount } from './seal-count.js';
import { ScanTally, walkSources } from '../shared/engine/seal/scan.js';

describe("the seal's count alone (seal-count.ts)", () => {
  it('counts what a seal counts: every entry and the exact tar size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-count-'));
    try {
      mkdirSync(join(dir, 'src', 'a'), { recursive: true });
      for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'src', 'a', `f${i}`), 'x'.repeat(i * 100));
      writeFileSync(join(dir, 'src', 'top.txt'), 'hello');
      const r = await timeSealCount([join(dir, 'src')]);
      // The seal's own walk (scan.ts, in this thread), tallied as the sealing loop checks it.
      const tally = new ScanTally();
      for (const e of walkSources([join(dir, 'src')])) tally.add(e);
      const scan = tally.result();
      expect(r.entries).toBe(23); // src, a, 20 files in a, top.txt
      expect(r.entries).toBe(scan.entries);
      expect(r.tarSize).toBe(scan.tarSize);
      expect(r.seconds).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
