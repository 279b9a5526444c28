// The engine's worker-thread paths, which exist only in the compiled build (dist/): the
// engine unit tests run from the TypeScript sources, where every pipeline stays in one
// thread. Requires `npm run build` (the test command builds first).
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, makeKeys, tempDir, writeTree } from './support/engine-fixtures.js';
import type * as Engine from '../shared/engine/index.js';
import type { Progress } from '../shared/engine/api.js';

const built = fileURLToPath(new URL('../dist/shared/engine/index.js', import.meta.url));
let engine: typeof Engine;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  engine = (await import(built)) as typeof Engine;
});

describe('restore workers (compiled engine)', () => {
  it('stop promptly on cancel: exit with E_CANCELLED, and every file left behind is complete and verified', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 3000; i++) tree[`data/d${i % 13}/f${i}.bin`] = bytes(2000 + (i % 50) * 300, i + 1);
    writeTree(src, tree);
    const target = tempDir();
    const sealed = await engine.seal({ sources: [join(src, 'data')], target, station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] } });
    const dest = tempDir();
    const controller = new AbortController();
    const seen: Progress[] = [];
    const opening = engine.open({
      driveDir: sealed.driveDir, dest, pinnedRoots: [root.publicKey], secret: { kind: 'x25519', secretKey: escrow.secretKey }, signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.filesDone > 0) controller.abort();
      },
    });
    await expect(opening).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const restored = Object.keys(tree).filter((rel) => existsSync(join(dest, rel)));
    expect(restored.length).toBeGreaterThan(0);
    expect(restored.length).toBeLessThan(Object.keys(tree).length);
    for (const rel of restored) expect(readFileSync(join(dest, rel)).equals(tree[rel]!)).toBe(true);
    expect(readdirSync(dest, { recursive: true }).filter((n) => String(n).includes('scelle-partial'))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('restore byte-exact and report progress up to every byte and file', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 1200; i++) tree[`data/f${i}.bin`] = bytes(1000 + i * 13, i + 7);
    for (let i = 0; i < 3; i++) tree[`data/big-${i}.bin`] = bytes(9 << 20, 900 + i);
    writeTree(src, tree);
    const sealed = await engine.seal({ sources: [join(src, 'data')], target: tempDir(), station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] } });
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };
    let last: Progress | null = null;
    const dest = tempDir();
    const opened = await engine.open({ driveDir: sealed.driveDir, dest, pinnedRoots: [root.publicKey], secret, onProgress: (p) => { last = p; } });
    const total = Object.values(tree).reduce((a, b) => a + b.length, 0);
    expect(opened).toMatchObject({ files: 1203, bytes: total, verified: true });
    expect(last).toMatchObject({ phase: 'open', bytesDone: total, bytesTotal: total, filesDone: 1203, filesTotal: 1203 });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
  });
});
