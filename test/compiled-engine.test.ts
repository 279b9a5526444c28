// The engine's worker-thread paths, which exist only in the compiled build (dist/): the
// engine unit tests run from the TypeScript sources, where every pipeline stays in one
// thread. Requires `npm run build` (the test command builds first).
import { describe, expect, it, beforeAll } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, makeFullDevice, makeKeys, randomBytes, tempDir, writeTree } from './support/engine-fixtures.js';
import type * as Engine from '../shared/engine/index.js';
import type { Progress } from '../shared/engine/api.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../shared/format/payload-size.js';

const built = fileURLToPath(new URL('../dist/shared/engine/index.js', import.meta.url));
let engine: typeof Engine;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  engine = (await import(built)) as typeof Engine;
});

/** This process's threads (Linux: /proc/self/task; each test file runs in a process of its own). */
const threads = () => readdirSync('/proc/self/task').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The thread count once earlier workers have exited (a thread ends shortly after its worker stops). */
async function settledThreads(): Promise<number> {
  await sleep(300);
  return threads();
}
/** True once the thread count is back to `count` or below (waits up to a second). */
async function threadsBackTo(count: number): Promise<boolean> {
  for (let i = 0; i < 50 && threads() > count; i++) await sleep(20);
  return threads() <= count;
}

/** Writes `tree` into a new folder and seals its `data` folder to a new target, for the escrow key of `keys`. */
async function sealData(keys: ReturnType<typeof makeKeys>, tree: Record<string, Buffer>) {
  const src = tempDir();
  writeTree(src, tree);
  return engine.seal({
    sources: [join(src, 'data')],
    target: tempDir(),
    station: keys.station,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
  });
}

describe('restore workers (compiled engine)', () => {
  it('stop promptly on cancel: exit with E_CANCELLED, and every file left behind is complete and verified', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    // Enough work (≈ 160 MB over several units) that the restore is far from done when the first progress arrives.
    for (let i = 0; i < 1000; i++) tree[`data/d${i % 13}/f${i}.bin`] = bytes(2000 + (i % 50) * 300, i + 1);
    for (let i = 0; i < 300; i++) tree[`data/m${i % 7}/g${i}.bin`] = randomBytes(512 << 10);
    writeTree(src, tree);
    const target = tempDir();
    const sealed = await engine.seal({
      sources: [join(src, 'data')],
      target,
      station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] },
    });
    const dest = tempDir();
    const controller = new AbortController();
    const seen: Progress[] = [];
    const opening = engine.open({
      driveDir: sealed.driveDir,
      dest,
      pinnedRoots: [root.publicKey],
      secret: { kind: 'x25519', secretKey: escrow.secretKey },
      signal: controller.signal,
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
    const keys = makeKeys();
    const { root, escrow } = keys;
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 1200; i++) tree[`data/f${i}.bin`] = bytes(1000 + i * 13, i + 7);
    for (let i = 0; i < 3; i++) tree[`data/big-${i}.bin`] = bytes(9 << 20, 900 + i);
    const sealed = await sealData(keys, tree);
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };
    let last: Progress | null = null;
    const dest = tempDir();
    const opened = await engine.open({
      driveDir: sealed.driveDir,
      dest,
      pinnedRoots: [root.publicKey],
      secret,
      onProgress: (p) => {
        last = p;
      },
    });
    const total = Object.values(tree).reduce((a, b) => a + b.length, 0);
    expect(opened).toMatchObject({ files: 1203, bytes: total, verified: true });
    expect(last).toMatchObject({ phase: 'open', bytesDone: total, bytesTotal: total, filesDone: 1203, filesTotal: 1203 });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
  });
  it('restore on the workers folders as the drive holds them: empty ones created, modes and times set after their files', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 1500; i++) tree[`data/d${i % 5}/f${i}.txt`] = bytes(100 + (i % 17), i + 3);
    writeTree(src, tree);
    mkdirSync(join(src, 'data', 'vide', 'sous-dossier'), { recursive: true });
    chmodSync(join(src, 'data', 'd3'), 0o750);
    for (const d of ['d0', 'd3', 'vide']) utimesSync(join(src, 'data', d), 1_600_000_000, 1_600_000_000);
    const sealed = await engine.seal({
      sources: [join(src, 'data')],
      target: tempDir(),
      station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] },
    });
    const dest = tempDir();
    const opened = await engine.open({ driveDir: sealed.driveDir, dest, pinnedRoots: [root.publicKey], secret: { kind: 'x25519', secretKey: escrow.secretKey } });
    expect(opened).toMatchObject({ files: 1500, verified: true });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
    expect(statSync(join(dest, 'data', 'vide', 'sous-dossier')).isDirectory()).toBe(true);
    expect(statSync(join(dest, 'data', 'd3')).mode & 0o777).toBe(0o750);
    for (const d of ['d0', 'd3', 'vide']) expect(statSync(join(dest, 'data', d)).mtimeMs).toBe(1_600_000_000_000);
  });
  // Linux only: the threads are counted in /proc/self/task (each test file runs in its own process).
  it.runIf(process.platform === 'linux')('refuse a whole-drive open in the plan (E_RESTORE_EXISTS) with nothing written and no worker left running', async () => {
    const keys = makeKeys();
    const { root, escrow } = keys;
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 1500; i++) tree[`data/d${i % 9}/f${i}.bin`] = bytes(100 + i, i + 3);
    const sealed = await sealData(keys, tree);
    const dest = tempDir();
    mkdirSync(join(dest, 'data', 'd0'), { recursive: true });
    writeFileSync(join(dest, 'data', 'd0', 'f0.bin'), 'mine');
    const before = await settledThreads();
    await expect(engine.open({ driveDir: sealed.driveDir, dest, pinnedRoots: [root.publicKey], secret: { kind: 'x25519', secretKey: escrow.secretKey } })).rejects.toMatchObject({
      code: 'E_RESTORE_EXISTS',
    });
    expect(readdirSync(dest, { recursive: true }).map(String).sort()).toEqual(['data', 'data/d0', 'data/d0/f0.bin']);
    expect(readFileSync(join(dest, 'data', 'd0', 'f0.bin'), 'utf8')).toBe('mine');
    expect(await threadsBackTo(before)).toBe(true);
  });
});

describe('restore crew (compiled engine: restore workers started before the plan)', () => {
  const pool = fileURLToPath(new URL('../dist/shared/engine/restore/restore-pool.js', import.meta.url));
  const settings = () => ({
    description: { driveDir: tempDir(), driveId: 'none', dataKey: new Uint8Array(32), partFiles: [], partSizes: [], partPlaintextSize: 1 << 20 },
    overwrite: false,
    keepModes: false,
    umask: 0o022,
    fsyncEachFile: false,
  });
  const quiet = { signal: undefined, onProgress: () => undefined };

  // Linux only: the threads are counted in /proc/self/task.
  it.runIf(process.platform === 'linux')('stops every worker when it is not used (a plan that refused the restore, or found it small)', async () => {
    const { RestoreCrew } = (await import(pool)) as typeof import('../shared/engine/restore/restore-pool.js');
    const before = await settledThreads();
    const crew = new RestoreCrew(settings(), 2);
    await sleep(200);
    expect(threads()).toBeGreaterThanOrEqual(before + 2);
    await crew.stop();
    expect(await threadsBackTo(before)).toBe(true);
  });

  it('runs one restore, with nothing to restore resolving at once, and refuses a second', async () => {
    const { RestoreCrew } = (await import(pool)) as typeof import('../shared/engine/restore/restore-pool.js');
    const crew = new RestoreCrew(settings(), 2);
    const ran: number[] = [];
    await crew.run([{ after: () => ran.push(1) }][Symbol.iterator](), quiet);
    expect(ran).toEqual([1]);
    await expect(crew.run([][Symbol.iterator](), quiet)).rejects.toMatchObject({ code: 'E_INTERNAL' });
    await crew.stop();
  });
});

describe('tar builder workers (compiled engine, many small files)', () => {
  function manyFiles(count: number): Record<string, Buffer> {
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) tree[`data/d${i % 17}/f${String(i).padStart(5, '0')}.bin`] = bytes(1500 + (i % 40) * 400, i + 3);
    return tree;
  }

  async function openAll(driveDir: string, k: ReturnType<typeof makeKeys>): Promise<string> {
    const dest = tempDir();
    await engine.open({ driveDir, dest, pinnedRoots: [k.root.publicKey], secret: { kind: 'x25519', secretKey: k.escrow.secretKey } });
    return dest;
  }

  it('refuse a source that changed while sealing, report nothing sealed, and refuse to resume over the change', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree = manyFiles(3000);
    writeTree(src, tree);
    const last = Object.keys(tree).sort().at(-1)!;
    const target = tempDir();
    const opts = { sources: [join(src, 'data')], target, station: k.station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] } };
    let truncated = false;
    const failing = engine.seal({
      ...opts,
      onProgress: (p) => {
        // The first batches are being built; the last file's batch is not yet sent out.
        if (p.phase === 'seal' && !truncated) {
          truncated = true;
          truncateSync(join(src, last), 10);
        }
      },
    });
    await expect(failing).rejects.toMatchObject({ code: 'E_SOURCE_CHANGED' });
    expect(truncated).toBe(true);
    const unfinished = engine.findUnfinishedSeals(target);
    expect(unfinished).toHaveLength(1);
    expect(existsSync(join(unfinished[0]!, 'manifest.json'))).toBe(false);

    writeFileSync(join(src, last), tree[last]!);
    const resumedWithChange = engine.seal({ ...opts, resume: true });
    await expect(resumedWithChange).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
  });

  it('stop on cancel without a manifest, then resume to a drive that opens byte-exact', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree = manyFiles(3000);
    writeTree(src, tree);
    const target = tempDir();
    const opts = {
      sources: [join(src, 'data')],
      target,
      station: k.station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] },
      partPlaintextSize: 8 << 20,
    };
    const controller = new AbortController();
    const cancelled = engine.seal({
      ...opts,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'seal') controller.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const [unfinished] = engine.findUnfinishedSeals(target);
    expect(existsSync(join(unfinished!, 'manifest.json'))).toBe(false);

    const resumed = await engine.seal({ ...opts, resume: true });
    expect(resumed).toMatchObject({ resumed: true, files: 3000 });
    const dest = await openAll(resumed.driveDir, k);
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
  });

  it('seal a tree of many files to the same drive content as a seal in one thread, the payload written in the sealing thread or on a worker', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree = manyFiles(2500);
    writeTree(src, tree);
    const sources = [join(src, 'data')];
    const recipients = { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] };
    const secret = { kind: 'x25519' as const, secretKey: k.escrow.secretKey };
    const single = await engine.seal({ sources, target: tempDir(), station: k.station, recipients }, { sinkMode: 'inline' });
    const expected = (await engine.list({ driveDir: single.driveDir, pinnedRoots: [k.root.publicKey], secret })).entries;
    for (const sinkMode of [undefined, 'inline-shared', 'worker'] as const) {
      const parallel = await engine.seal({ sources, target: tempDir(), station: k.station, recipients }, { sinkMode });
      const listed = await engine.list({ driveDir: parallel.driveDir, pinnedRoots: [k.root.publicKey], secret });
      expect(listed.entries, String(sinkMode)).toEqual(expected);
      const full = await engine.verify({ driveDir: parallel.driveDir, pinnedRoots: [k.root.publicKey], secret });
      expect(full.problems, String(sinkMode)).toEqual([]);
    }
  });

  it('count a large tree on the builders (from 2,048 entries): the seal then sees exactly what the count saw', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 17_000; i++) tree[`data/d${i % 9}/f${String(i).padStart(5, '0')}`] = bytes(i % 300, i);
    writeTree(src, tree);
    const recipients = { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] };
    // A fingerprint, tar size or plan that differs from the seal's walk fails the seal (E_SOURCE_CHANGED).
    const sealed = await engine.seal({ sources: [join(src, 'data')], target: tempDir(), station: k.station, recipients });
    expect(sealed).toMatchObject({ files: 17_000, bytes: Object.values(tree).reduce((n, b) => n + b.length, 0) });
  });

  it("count for the app's live count on the builders too: the seal's totals, folders included, and no worker left after", async () => {
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 17_000; i++) tree[`data/d${i % 9}/f${String(i).padStart(5, '0')}`] = bytes(i % 300, i);
    writeTree(src, tree);
    const before = await settledThreads();
    let most = 0;
    const totals = await engine.countSourceTotals([join(src, 'data')], { onCount: () => (most = Math.max(most, threads())) });
    expect(totals).toEqual({ files: 17_000, folders: 10, bytes: Object.values(tree).reduce((n, b) => n + b.length, 0) }); // data, d0…d8
    if (process.platform === 'linux') {
      expect(most).toBeGreaterThanOrEqual(before + 2); // counted on the tar builder workers
      expect(await threadsBackTo(before)).toBe(true);
    }
  });

  // Linux only: the threads are counted in /proc/self/task.
  it.runIf(process.platform === 'linux')('leave no worker running when a seal stops after its count: cancelled while building, or refused before (E_RESUME_MISMATCH)', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 17_000; i++) tree[`data/d${i % 9}/f${String(i).padStart(5, '0')}`] = bytes(100 + (i % 300), i);
    writeTree(src, tree);
    const recipients = { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] };
    const target = tempDir();
    const before = await settledThreads();
    // The count's workers go on to build; cancelled as the building starts, they stop with the seal.
    const controller = new AbortController();
    const sealing = engine.seal({
      sources: [join(src, 'data')],
      target,
      station: k.station,
      recipients,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'seal') controller.abort();
      },
    });
    await expect(sealing).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(await threadsBackTo(before)).toBe(true);
    // The sources change; the resume counts them on workers, then refuses before building anything.
    writeFileSync(join(src, 'data', 'd0', 'added'), 'new');
    await expect(engine.seal({ sources: [join(src, 'data')], target, station: k.station, recipients, resume: true })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
    expect(await threadsBackTo(before)).toBe(true);
  });

  it('seal a varied tree (nested and empty folders, links, empty files, a file larger than a batch, a name that is not UTF-8, two sources) as a seal in one thread does', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    // More entries than BUILDERS_FROM_ENTRIES (count-sources.ts): the parallel seal builds on the tar builders.
    for (let i = 0; i < 2100; i++) tree[`data/d${i % 5}/s${i % 3}/f${String(i).padStart(4, '0')}.bin`] = bytes(i % 7 === 0 ? 0 : 100 + (i % 13) * 700, i + 1);
    tree['data/d2/huge.bin'] = bytes(6 << 20, 99); // larger than a sink slot: written by the sealing loop between batches
    tree['data/top.txt'] = Buffer.from('top');
    tree['solo.txt'] = Buffer.from('a source that is a file');
    writeTree(src, tree);
    mkdirSync(join(src, 'data/empty/inner'), { recursive: true });
    symlinkSync('../top.txt', join(src, 'data/d1/link-to-top'));
    symlinkSync('no-such-file', join(src, 'data/d3/s1/dangling'));
    writeFileSync(Buffer.concat([Buffer.from(join(src, 'data/d4/latin1-')), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    const sources = [join(src, 'solo.txt'), join(src, 'data')];
    const recipients = { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] };
    const parallel = await engine.seal({ sources, target: tempDir(), station: k.station, recipients });
    const single = await engine.seal({ sources, target: tempDir(), station: k.station, recipients }, { sinkMode: 'inline' });
    const secret = { kind: 'x25519' as const, secretKey: k.escrow.secretKey };
    const listA = await engine.list({ driveDir: parallel.driveDir, pinnedRoots: [k.root.publicKey], secret });
    const listB = await engine.list({ driveDir: single.driveDir, pinnedRoots: [k.root.publicKey], secret });
    expect(listA.entries.length).toBe(2104 + 23 + 2); // files (2100, huge, top, solo, latin1); folders (data, d*, d*/s*, empty, empty/inner); links
    expect(listA.entries).toEqual(listB.entries);
    const full = await engine.verify({ driveDir: parallel.driveDir, pinnedRoots: [k.root.publicKey], secret });
    expect(full.problems).toEqual([]);
    const dest = await openAll(parallel.driveDir, k);
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
  });
});

describe('three-stage payload pipeline (compiled engine, large files)', () => {
  function largeFiles(): Record<string, Buffer> {
    return { 'data/a.bin': bytes(9 << 20, 1), 'data/b.bin': bytes(9 << 20, 2), 'data/c.bin': bytes(7 << 20, 3), 'data/petit.txt': Buffer.from('petit') };
  }

  async function expectOpensExact(driveDir: string, k: ReturnType<typeof makeKeys>, tree: Record<string, Buffer>): Promise<void> {
    const secret = { kind: 'x25519' as const, secretKey: k.escrow.secretKey };
    const full = await engine.verify({ driveDir, pinnedRoots: [k.root.publicKey], secret });
    expect(full.problems).toEqual([]);
    const dest = tempDir();
    await engine.open({ driveDir, dest, pinnedRoots: [k.root.publicKey], secret });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
  }

  it('write every part byte-exact, with the same index as a seal in one thread', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree = largeFiles();
    writeTree(src, tree);
    const opts = {
      sources: [join(src, 'data')],
      station: k.station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] },
      partPlaintextSize: 8 << 20,
    };
    const piped = await engine.seal({ ...opts, target: tempDir() }, { sinkMode: 'pipeline' });
    expect(piped.parts).toBe(4);
    await expectOpensExact(piped.driveDir, k, tree);
    const single = await engine.seal({ ...opts, target: tempDir() }, { sinkMode: 'inline' });
    const secret = { kind: 'x25519' as const, secretKey: k.escrow.secretKey };
    const a = await engine.list({ driveDir: piped.driveDir, pinnedRoots: [k.root.publicKey], secret });
    const b = await engine.list({ driveDir: single.driveDir, pinnedRoots: [k.root.publicKey], secret });
    expect(a.entries).toEqual(b.entries);
  });

  it('report a full target (ENOSPC on part 1) as E_TARGET_FULL without a manifest, then resume byte-exact', async () => {
    const k = makeKeys();
    const src = tempDir();
    const tree = largeFiles();
    writeTree(src, tree);
    const target = tempDir();
    const opts = {
      sources: [join(src, 'data')],
      target,
      station: k.station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] },
      partPlaintextSize: 8 << 20,
    };
    let armed = false;
    const full = engine.seal(
      {
        ...opts,
        onProgress: (p) => {
          if (p.phase !== 'seal' || armed) return;
          armed = true;
          const [driveDir] = readdirSync(target).filter((n) => n.startsWith('SCELLE-'));
          // A full device where the part goes (a link there would be refused, never written through).
          makeFullDevice(join(target, driveDir!, 'payload/part-00001.scx'));
        },
      },
      { sinkMode: 'pipeline' },
    );
    await expect(full).rejects.toMatchObject({ code: 'E_TARGET_FULL' });
    const [unfinished] = engine.findUnfinishedSeals(target);
    expect(existsSync(join(unfinished!, 'manifest.json'))).toBe(false);
    unlinkSync(join(unfinished!, 'payload/part-00001.scx'));
    const resumed = await engine.seal({ ...opts, resume: true }, { sinkMode: 'pipeline' });
    expect(resumed).toMatchObject({ resumed: true, parts: 4 });
    await expectOpensExact(resumed.driveDir, k, tree);
  });

  it('stop on cancel without a manifest', async () => {
    const k = makeKeys();
    const src = tempDir();
    writeTree(src, largeFiles());
    const target = tempDir();
    const controller = new AbortController();
    const cancelled = engine.seal(
      {
        sources: [join(src, 'data')],
        target,
        station: k.station,
        recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] },
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'seal') controller.abort();
        },
      },
      { sinkMode: 'pipeline' },
    );
    await expect(cancelled).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const [unfinished] = engine.findUnfinishedSeals(target);
    expect(existsSync(join(unfinished!, 'manifest.json'))).toBe(false);
  });
});

describe('verify (compiled engine: ciphertext hashes on a worker beside decryption on another)', () => {
  async function sealedLarge() {
    const k = makeKeys();
    const src = tempDir();
    writeTree(src, { 'data/a.bin': randomBytes(12 << 20), 'data/b.bin': randomBytes(12 << 20), 'data/c.bin': randomBytes(12 << 20), 'data/petit.txt': 'petit' });
    const sealed = await engine.seal({
      sources: [join(src, 'data')],
      target: tempDir(),
      station: k.station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: k.escrow.publicKey }] },
      partPlaintextSize: 16 << 20,
    });
    return { k, driveDir: sealed.driveDir, secret: { kind: 'x25519' as const, secretKey: k.escrow.secretKey } };
  }

  it('pass an intact drive, with progress up to every byte of both checks', async () => {
    const { k, driveDir, secret } = await sealedLarge();
    let last: Progress | null = null;
    const report = await engine.verify({
      driveDir,
      pinnedRoots: [k.root.publicKey],
      secret,
      onProgress: (p) => {
        last = p;
      },
    });
    expect(report).toMatchObject({ ok: true, level: 'full', files: 4, problems: [] });
    expect(last).not.toBeNull();
    expect(last!.bytesDone).toBe(last!.bytesTotal);
    expect(last!.filesDone).toBe(4);
  });

  it('report a damaged part both ways: its ciphertext hash and the segment that fails authentication', async () => {
    const { k, driveDir, secret } = await sealedLarge();
    const part = join(driveDir, 'payload/part-00001.scx');
    const buf = readFileSync(part);
    buf[buf.length >> 1]! ^= 0x40;
    writeFileSync(part, buf);
    const media = await engine.verify({ driveDir, pinnedRoots: [k.root.publicKey] });
    expect(media.problems.map((p) => p.code)).toEqual(['E_FORMAT_PART_HASH']);
    const full = await engine.verify({ driveDir, pinnedRoots: [k.root.publicKey], secret });
    expect(full.ok).toBe(false);
    expect(full.problems.map((p) => p.code)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_AUTH']);
  });

  it('stop on cancel with E_CANCELLED', async () => {
    const { k, driveDir, secret } = await sealedLarge();
    const controller = new AbortController();
    const run = engine.verify({ driveDir, pinnedRoots: [k.root.publicKey], secret, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});

describe('sealed sets (compiled engine: payload workers, tar builders, restore workers)', () => {
  it('seals many small files across three members with the workers, and restores them whole, or all but what a withheld member holds', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    // More entries than BUILDERS_FROM_ENTRIES (count-sources.ts), so the members are built on the tar builders.
    for (let i = 0; i < 2100; i++) tree[`lot/d${i % 17}/f${i}.bin`] = bytes(1400 + (i % 40) * 320, i + 7);
    for (let i = 0; i < 10; i++) tree[`lot/gros/g${i}.bin`] = randomBytes((1 << 20) + i * 4099);
    writeTree(src, tree);
    const part = 1 << 20;
    const memberBytes = indexAndSlackBytes(2130) + 11 * streamCiphertextSize(part);
    const targets = [tempDir(), tempDir(), tempDir()];
    const sealed = await engine.seal({
      sources: [join(src, 'lot')],
      target: targets[0]!,
      station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] },
      partPlaintextSize: part,
      set: { more: targets.slice(1), memberBytes },
    });
    const members = sealed.set!.members;
    expect(members.map((m) => m.parts)).toEqual([11, 11, members[2]!.parts]);
    expect(members[2]!.parts).toBeGreaterThan(0);
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };
    for (const m of members) {
      const report = await engine.verify({ driveDir: m.driveDir, pinnedRoots: [root.publicKey], secret });
      expect(report.problems).toEqual([]);
    }
    const all = tempDir();
    const opened = await engine.open({ driveDir: members[1]!.driveDir, members: [members[2]!.driveDir, members[0]!.driveDir], dest: all, pinnedRoots: [root.publicKey], secret });
    expect(opened.files).toBe(2110);
    for (const [p, content] of Object.entries(tree)) expect(readFileSync(join(all, p)).equals(content), p).toBe(true);

    const some = tempDir();
    const partial = await engine.open({ driveDir: members[0]!.driveDir, members: [members[2]!.driveDir], dest: some, pinnedRoots: [root.publicKey], secret });
    const missing = partial.set!.absent[0]!;
    expect(missing.position).toBe(2);
    expect(partial.files + missing.files).toBe(2110);
    let restored = 0;
    for (const [p, content] of Object.entries(tree)) {
      if (!existsSync(join(some, p))) continue;
      expect(readFileSync(join(some, p)).equals(content), p).toBe(true);
      restored++;
    }
    expect(restored).toBe(partial.files);
  });

  it('seals large files across three members on one three-stage pipeline, attached at once or asked for one by one, and every member opens byte-exact', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 3; i++) tree[`gros/f${i}.bin`] = randomBytes((5 << 19) + i * 7919);
    tree['gros/petit.txt'] = bytes(300, 5);
    writeTree(src, tree);
    const part = 1 << 20;
    const memberBytes = indexAndSlackBytes(5) + 3 * streamCiphertextSize(part);
    const recipients = { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] };
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };

    // All attached: each member finishes and closes behind the next one's first bytes.
    const attached = [tempDir(), tempDir(), tempDir()];
    const together = await engine.seal(
      { sources: [join(src, 'gros')], target: attached[0]!, station, recipients, partPlaintextSize: part, set: { more: attached.slice(1), memberBytes } },
      { sinkMode: 'pipeline' },
    );
    // One by one: a member is sealed (manifest written) before the next drive is asked for.
    const asked: { position: number; previousSealed: boolean }[] = [];
    const later = [tempDir(), tempDir()];
    const started: string[] = [];
    const oneByOne = await engine.seal(
      {
        sources: [join(src, 'gros')],
        target: tempDir(),
        station,
        recipients,
        partPlaintextSize: part,
        set: {
          more: [],
          memberBytes,
          nextTarget: async (r) => {
            asked.push({ position: r.position, previousSealed: existsSync(join(started[r.position - 2]!, 'manifest.json')) });
            return later[r.position - 2]!;
          },
          onMemberStarted: (m) => started.push(join(m.target, `SCELLE-${m.driveId}`)),
        },
      },
      { sinkMode: 'pipeline' },
    );
    expect(asked).toEqual([
      { position: 2, previousSealed: true },
      { position: 3, previousSealed: true },
    ]);
    for (const sealed of [together, oneByOne]) {
      const members = sealed.set!.members;
      expect(members.map((m) => m.parts)).toEqual([3, 3, 2]);
      for (const m of members) expect((await engine.verify({ driveDir: m.driveDir, pinnedRoots: [root.publicKey], secret })).problems).toEqual([]);
      const dest = tempDir();
      const opened = await engine.open({ driveDir: members[2]!.driveDir, members: [members[1]!.driveDir, members[0]!.driveDir], dest, pinnedRoots: [root.publicKey], secret });
      expect(opened.files).toBe(4);
      for (const [p, content] of Object.entries(tree)) expect(readFileSync(join(dest, p)).equals(content), p).toBe(true);
    }
  });

  it('reports a member that fills up as the next one starts (E_TARGET_FULL, nothing sealed), then resumes to a set that opens byte-exact', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 3; i++) tree[`gros/f${i}.bin`] = randomBytes((5 << 19) + i * 7919);
    writeTree(src, tree);
    const part = 1 << 20;
    const targets = [tempDir(), tempDir()];
    const opts = {
      sources: [join(src, 'gros')],
      target: targets[0]!,
      station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] },
      partPlaintextSize: part,
    };
    const set = { more: targets.slice(1), memberBytes: indexAndSlackBytes(4) + 5 * streamCiphertextSize(part) };
    const full = engine.seal(
      {
        ...opts,
        set: {
          ...set,
          // Member 1's last part goes to a full device: it fails while member 2's first bytes are already on their way.
          onMemberStarted: (m) => {
            if (m.position === 1) makeFullDevice(join(m.target, `SCELLE-${m.driveId}`, 'payload/part-00004.scx'));
          },
        },
      },
      { sinkMode: 'pipeline' },
    );
    await expect(full).rejects.toMatchObject({ code: 'E_TARGET_FULL' });
    const [first] = engine.findUnfinishedSeals(targets[0]!);
    expect(existsSync(join(first!, 'manifest.json'))).toBe(false);
    for (const t of targets) for (const d of engine.findUnfinishedSeals(t)) expect(existsSync(join(d, 'manifest.json'))).toBe(false);
    unlinkSync(join(first!, 'payload/part-00004.scx'));
    const resumed = await engine.seal({ ...opts, resume: true, set: { more: targets.slice(1) } }, { sinkMode: 'pipeline' });
    expect(resumed.resumed).toBe(true);
    const members = resumed.set!.members;
    expect(members.map((m) => m.position)).toEqual([1, 2]);
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };
    const dest = tempDir();
    const opened = await engine.open({ driveDir: members[1]!.driveDir, members: [members[0]!.driveDir], dest, pinnedRoots: [root.publicKey], secret });
    expect(opened.files).toBe(3);
    for (const [p, content] of Object.entries(tree)) expect(readFileSync(join(dest, p)).equals(content), p).toBe(true);
  });
});
