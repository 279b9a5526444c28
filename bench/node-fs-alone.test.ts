import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, extract } from './node-fs-alone.js';

describe("tar's file calls made from Node (node-fs-alone.ts)", () => {
  it('extracts what tar -c archived, contents, modes and times, and reads every file of a tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-fs-alone-'));
    const src = join(dir, 'src');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`d${i % 3}/sous-dossier/f${i}.bin`] = Buffer.alloc(i * 97, i);
    files[`${'n'.repeat(120)}/long.txt`] = Buffer.from('a name longer than ustar holds');
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(join(src, rel, '..'), { recursive: true });
      writeFileSync(join(src, rel), content, { mode: 0o640 });
    }
    execFileSync('tar', ['-cf', join(dir, 'a.tar'), '-C', dir, 'src']);
    create(src);
    const out = join(dir, 'out');
    mkdirSync(out);
    extract(join(dir, 'a.tar'), out);
    for (const [rel, content] of Object.entries(files)) {
      const restored = join(out, 'src', rel);
      expect(readFileSync(restored).equals(content), rel).toBe(true);
      expect(statSync(restored).mode & 0o777).toBe(0o640);
      expect(Math.floor(statSync(restored).mtimeMs / 1000)).toBe(Math.floor(statSync(join(src, rel)).mtimeMs / 1000));
    }
  });
});
