// What each engine worker of the built command line loads when it starts: every seal, open and
// verify starts several, and a worker pays for each module it loads. The tar builders once
// loaded the schema library (zod, ~200 KB) through the index codec and spent ~35 ms each doing
// it; they now encode lines with shared/format/index-line.ts alone. (The unlock-code key worker
// still loads it through keyslot.ts: it starts once per seal, for an Argon2id of about a second.)
// Requires `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const bundle = fileURLToPath(new URL('../dist/cli-bundle', import.meta.url));

/** The bundle's files that `entry` loads, itself included (static imports of sibling chunks). */
function loadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(bundle, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

beforeAll(() => {
  if (!existsSync(join(bundle, 'scelle.js'))) throw new Error('dist/cli-bundle is missing: run `npm run build` first (npm test does it)');
});

describe('the engine workers of the built command line', () => {
  for (const worker of ['tar-builder-worker', 'payload-worker', 'part-writer-worker', 'restore-worker', 'segment-worker', 'file-hash-worker']) {
    it(`${worker} starts without the schema library`, () => {
      const files = loadedBy(`${worker}.js`);
      const withZod = files.filter((f) => readFileSync(join(bundle, f), 'utf8').includes('node_modules/zod/'));
      expect(withZod, `${worker} loads ${files.join(', ')}`).toEqual([]);
    });
  }

  it('the command itself does load it (so the check above looks at the right thing)', () => {
    expect(loadedBy('scelle.js').some((f) => readFileSync(join(bundle, f), 'utf8').includes('node_modules/zod/'))).toBe(true);
  });
});
