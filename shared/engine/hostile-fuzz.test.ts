/**
 * Fuzzing with hostile drives (fast-check): a real small sealed drive, and a real unfinished
 * seal, are copied for each case and mutated as an interceptor or an insider could — manifest
 * fields (re-signed by the station's key or not), index entries (re-encrypted with the data
 * key), seal states, bytes (flipped, truncated, appended) and the folder layout (links to a
 * sentinel folder outside, folders, FIFOs, extra and missing files, a link planted in the
 * restore folder). Every reader and writer of a drive then runs on it: load, media and full
 * verify, list, open, erase, resume. The suite shows:
 * - never a crash: every failure is a ScelleError with a registered code other than E_INTERNAL;
 * - never a write outside the drive or restore folder: the sentinel folder (where the planted
 *   links point) is byte-for-byte unchanged, nothing appears beside the drive or restore
 *   folder, and nothing restored carries setuid/setgid/sticky bits, group/other write or a link
 *   that leads out of the restore folder.
 * The case count and the zero escapes are printed. The seed is fixed (reproducible);
 * SCELLE_FUZZ_SEED and SCELLE_FUZZ_CASES explore further.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ERROR_CODES, isScelleError } from '../errors/scelle-error.js';
import { signManifest } from '../format/manifest.js';
import { bytes, makeKeys, rewriteIndex, snapshotTree, writeTree } from '../../test/support/engine-fixtures.js';
import { eraseDrive } from './erase.js';
import { list, loadDrive, open, seal, verify } from './index.js';
import { linkStaysInside } from './restore/restore-paths.js';

const CASES_SEALED = Number(process.env.SCELLE_FUZZ_CASES ?? 160);
const CASES_UNFINISHED = Math.ceil(CASES_SEALED / 4);
const PART = 64 * 1024;
/** About 20 s on an idle 2-core machine; room for a machine shared with other test runs. */
const FUZZ_TIMEOUT = 180_000;

type Tree = ReturnType<typeof snapshotTree>;

/** Writes a snapshot (from snapshotTree) back under `dir`. */
function restoreTree(dir: string, tree: Tree): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, e] of tree) {
    const p = join(dir, Buffer.from(rel, 'latin1').toString());
    if (e.type === 'directory') mkdirSync(p, { recursive: true });
    else if (e.type === 'symlink') symlinkSync(e.data, p);
    else writeFileSync(p, e.data);
  }
}

function sameTree(a: Tree, b: Tree): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.type !== v.type || !w.data.equals(v.data)) return false;
  }
  return true;
}

// ---- mutations ------------------------------------------------------------------------------

const hostileString = fc.oneof(
  fc.constantFrom(
    '../../sentinel/victim.txt',
    '/etc/passwd',
    'payload/../../x',
    'payload/part-00000.scx',
    'index.scx',
    'manifest.json',
    '.seal-state.json',
    'payload',
    '',
    'C:\\x',
    'a\u0000b',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 12 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5, 65536, 1048576, 1048577, 4294967296, 0o4777, 0o7777, null, true, [], {}),
  fc.integer(),
  hostileString,
);

/** One change to a JSON document: a value replaced, an element repeated, a key removed — anywhere, or below `under`. */
const jsonEdit = fc.record({
  under: fc.constantFrom('', '', 'keyslots', 'payload.parts', 'keyslots.0', 'payload', 'index', 'station', 'parts', 'resumeSlot'),
  kind: fc.constantFrom('set', 'set', 'repeat', 'delete'),
  at: fc.nat(),
  value: hostileValue,
  times: fc.integer({ min: 2, max: 40 }),
});
type JsonEdit = typeof jsonEdit extends fc.Arbitrary<infer T> ? T : never;

/** Every (container, key) in a JSON value, in a stable order. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  else if (v && typeof v === 'object')
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  return out;
}

function applyJsonEdit(doc: unknown, e: JsonEdit): void {
  let root: unknown = doc;
  for (const k of e.under === '' ? [] : e.under.split('.')) root = (root as Record<string, unknown> | null)?.[k];
  if (root === null || typeof root !== 'object') root = doc;
  // Repeating below an array repeats its elements (e.g. 17+ keyslots, many parts).
  const all = Array.isArray(root) && e.kind === 'repeat' ? root.map((_, i) => [root, i] as [unknown[], number]) : slots(root);
  if (all.length === 0) return;
  const [container, key] = all[e.at % all.length]!;
  if (e.kind === 'set') (container as Record<string | number, unknown>)[key] = e.value;
  else if (e.kind === 'delete') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (Array.isArray(container)) {
    container.splice(key as number, 0, ...Array.from({ length: e.times }, () => structuredClone(container[key as number])));
  }
}

const indexEdit = fc.oneof(
  fc.record({
    entry: fc.nat(),
    field: fc.constant('linkTarget'),
    value: fc.constantFrom('/etc/passwd', '../../../sentinel/victim.txt', 'x/../..', '..', '../a.txt', 'sub/../../..', 'C:/Windows'),
  }),
  fc.record({ entry: fc.nat(), field: fc.constant('mode'), value: fc.constantFrom(0o104755, 0o4755, 0o2755, 0o1777, 0o40777, 0o666, 0o7777, -1, 2 ** 40) }),
  fc.record({
    entry: fc.nat(),
    field: fc.constant('path'),
    value: fc.constantFrom('../escape', '/abs', 'data/../../x', 'data/link/evil', '', 'data//x', 'data/./x', 'data/a.txt'),
  }),
  fc.record({
    entry: fc.nat(),
    field: fc.constantFrom('size', 'offset', 'type', 'mtime', 'sha256', 'pathBytes', 'trailer'),
    value: fc.oneof(fc.constantFrom('symlink', 'directory', 'file', -1, 0, 2 ** 40), hostileValue),
  }),
);

const byteEdit = fc.record({
  file: fc.constantFrom('manifest.json', 'manifest.sig', 'index.scx', 'payload/part-00000.scx', 'payload/part-00001.scx', '.seal-state.json'),
  kind: fc.constantFrom('flip', 'truncate', 'append'),
  at: fc.nat(),
  data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});

const layoutEdit = fc.record({
  name: fc.constantFrom(
    'manifest.json',
    'manifest.sig',
    'index.scx',
    'payload',
    'payload/part-00000.scx',
    'payload/part-00001.scx',
    'payload/part-00002.scx',
    '.seal-state.json',
    'LISEZMOI-README.txt',
    '.manifest.json.tmp',
    'payload/extra.scx',
    'extra',
  ),
  kind: fc.constantFrom('link-to-victim', 'link-to-sentinel-dir', 'dangling-link', 'folder', 'remove', 'fifo', 'extra-bytes', 'mode-000'),
});

const destEdit = fc.constantFrom('none', 'none', 'link-data-to-sentinel', 'link-file-to-victim', 'existing-file');

interface Case {
  index: (typeof indexEdit extends fc.Arbitrary<infer T> ? T : never)[];
  manifest: JsonEdit[];
  resign: boolean;
  state: JsonEdit[];
  bytes: (typeof byteEdit extends fc.Arbitrary<infer T> ? T : never)[];
  layout: (typeof layoutEdit extends fc.Arbitrary<infer T> ? T : never)[];
  dest: string;
}

const none = { index: [], manifest: [], resign: false, state: [], bytes: [], layout: [], dest: 'none' };
/** One family of mutation per case (so that each reaches the code it aims at), then some mixed. */
const caseArb: fc.Arbitrary<Case> = fc.oneof(
  // an insider re-encrypts the index: paths, links, modes, sizes, offsets (and a trap in the restore folder)
  fc.record({ index: fc.array(indexEdit, { minLength: 1, maxLength: 2 }), dest: destEdit }).map((c) => ({ ...none, ...c })),
  // an insider re-signs an altered manifest with the station key; an interceptor cannot re-sign
  fc.record({ manifest: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), resign: fc.boolean() }).map((c) => ({ ...none, ...c })),
  // an insider re-signs a manifest with more keyslots or parts than a reader accepts
  fc
    .record({
      manifest: fc.array(
        fc.record({
          under: fc.constantFrom('keyslots', 'payload.parts'),
          kind: fc.constant('repeat'),
          at: fc.nat(),
          value: fc.constant(null),
          times: fc.integer({ min: 2, max: 40 }),
        }),
        { minLength: 1, maxLength: 1 },
      ),
      resign: fc.constant(true),
    })
    .map((c) => ({ ...none, ...c })),
  // damaged or truncated bytes
  fc.record({ bytes: fc.array(byteEdit, { minLength: 1, maxLength: 2 }) }).map((c) => ({ ...none, ...c })),
  // the folder layout: links to the sentinel, folders, FIFOs, extra and missing files
  fc.record({ layout: fc.array(layoutEdit, { minLength: 1, maxLength: 3 }), dest: destEdit }).map((c) => ({ ...none, ...c })),
  // everything at once
  fc.record({
    index: fc.array(indexEdit, { maxLength: 2 }),
    manifest: fc.array(jsonEdit, { maxLength: 3 }),
    resign: fc.boolean(),
    state: fc.array(jsonEdit, { maxLength: 3 }),
    bytes: fc.array(byteEdit, { maxLength: 2 }),
    layout: fc.array(layoutEdit, { maxLength: 3 }),
    dest: destEdit,
  }),
);

/** Unfinished seals: the state file, bytes and layout. */
const unfinishedArb: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ state: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }) }).map((c) => ({ ...none, ...c })),
  fc.record({ bytes: fc.array(byteEdit, { minLength: 1, maxLength: 2 }) }).map((c) => ({ ...none, ...c })),
  fc.record({ layout: fc.array(layoutEdit, { minLength: 1, maxLength: 3 }) }).map((c) => ({ ...none, ...c })),
  fc
    .record({ state: fc.array(jsonEdit, { maxLength: 3 }), bytes: fc.array(byteEdit, { maxLength: 2 }), layout: fc.array(layoutEdit, { maxLength: 3 }) })
    .map((c) => ({ ...none, ...c })),
);

// ---- the world of one case --------------------------------------------------------------------

interface World {
  root: string;
  vol: string;
  driveDir: string;
  dest: string;
  sentinel: string;
}

function makeWorld(base: string, driveName: string, drive: Tree): World {
  const root = mkdtempSync(join(base, 'case-'));
  const world = { root, vol: join(root, 'vol'), driveDir: join(root, 'vol', driveName), dest: join(root, 'dest'), sentinel: join(root, 'sentinel') };
  restoreTree(world.driveDir, drive);
  mkdirSync(world.dest);
  writeTree(world.sentinel, { 'victim.txt': 'must never change', 'dir/keep.bin': bytes(4096, 7), 'data/a.txt': 'sentinel copy' });
  return world;
}

function rel(w: World, name: string): string {
  return join(w.driveDir, name);
}

/** True when the folders leading to `name` in the drive are real folders (the harness itself never writes through a link). */
function reachable(w: World, name: string): boolean {
  const parts = name.split('/');
  for (let i = 1; i < parts.length; i++) {
    try {
      if (!lstatSync(rel(w, parts.slice(0, i).join('/'))).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function applyLayout(w: World, e: Case['layout'][number]): void {
  if (!reachable(w, e.name)) return;
  const p = rel(w, e.name);
  const clear = () => rmSync(p, { recursive: true, force: true });
  try {
    switch (e.kind) {
      case 'link-to-victim':
        clear();
        symlinkSync(join(w.sentinel, 'victim.txt'), p);
        break;
      case 'link-to-sentinel-dir':
        clear();
        symlinkSync(join(w.sentinel, 'dir'), p);
        break;
      case 'dangling-link':
        clear();
        symlinkSync(join(w.sentinel, 'not-there'), p);
        break;
      case 'folder':
        clear();
        mkdirSync(p);
        break;
      case 'remove':
        clear();
        break;
      case 'fifo':
        clear();
        execFileSync('mkfifo', [p]);
        break;
      case 'extra-bytes':
        if (!lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) writeFileSync(p, 'planted');
        break;
      case 'mode-000':
        if (!lstatSync(p).isSymbolicLink()) chmodSync(p, 0);
        break;
    }
  } catch {
    // the name's folder may be gone or not a folder: this edit does not apply
  }
}

function applyBytes(w: World, e: Case['bytes'][number]): void {
  if (!reachable(w, e.file)) return;
  const p = rel(w, e.file);
  let data: Buffer;
  try {
    if (!lstatSync(p).isFile()) return;
    data = readFileSync(p);
  } catch {
    return;
  }
  if (e.kind === 'flip' && data.length > 0) data[e.at % data.length]! ^= 1 << (e.at % 8);
  if (e.kind === 'truncate') data = data.subarray(0, data.length === 0 ? 0 : e.at % data.length);
  if (e.kind === 'append') data = Buffer.concat([data, e.data]);
  writeFileSync(p, data);
}

function editJsonFile(path: string, edits: JsonEdit[]): Buffer | null {
  let doc: unknown;
  try {
    if (!lstatSync(path).isFile()) return null;
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  for (const e of edits) applyJsonEdit(doc, e);
  const out = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(path, out);
  return out;
}

async function applyIndex(w: World, edits: Case['index'], escrowSecret: Uint8Array, stationSecret: Uint8Array): Promise<void> {
  if (edits.length === 0) return;
  await rewriteIndex(w.driveDir, escrowSecret, stationSecret, (entries, trailer) => {
    for (const e of edits) {
      if (e.field === 'trailer') {
        const keys = Object.keys(trailer);
        trailer[keys[e.entry % keys.length]!] = e.value;
        continue;
      }
      // A link target is aimed at a link entry (it is inert on others).
      const pool = e.field === 'linkTarget' ? entries.filter((x) => x.type === 'symlink') : entries;
      const entry = pool[e.entry % pool.length];
      if (entry) entry[e.field] = e.value;
    }
    return entries;
  });
}

function applyDest(w: World, kind: string): void {
  if (kind === 'link-data-to-sentinel') symlinkSync(w.sentinel, join(w.dest, 'data'));
  if (kind === 'link-file-to-victim') {
    mkdirSync(join(w.dest, 'data'));
    symlinkSync(join(w.sentinel, 'victim.txt'), join(w.dest, 'data/a.txt'));
  }
  if (kind === 'existing-file') writeTree(w.dest, { 'data/a.txt': 'the user’s own file' });
}

// ---- what must hold ---------------------------------------------------------------------------

const KNOWN = new Set<string>(ERROR_CODES);
const codesSeen = new Map<string, number>();

/** Runs one engine call; a failure must be a ScelleError with a registered code other than E_INTERNAL. */
async function run(what: string, fn: () => unknown): Promise<void> {
  try {
    const r = await fn();
    const problems = (r as { problems?: { code: string }[] } | undefined)?.problems ?? [];
    for (const p of problems) {
      if (!KNOWN.has(p.code) || p.code === 'E_INTERNAL') throw new Error(`${what}: verify reported ${p.code}`);
      codesSeen.set(p.code, (codesSeen.get(p.code) ?? 0) + 1);
    }
  } catch (e) {
    if (process.env.SCELLE_FUZZ_DEBUG && isScelleError(e) && e.code === process.env.SCELLE_FUZZ_DEBUG) console.log(what, e.message);
    if (!isScelleError(e) || !KNOWN.has(e.code) || e.code === 'E_INTERNAL') {
      throw new Error(`${what} crashed instead of a stable error: ${isScelleError(e) ? e.code : String((e as Error)?.stack ?? e)}`);
    }
    codesSeen.set(e.code, (codesSeen.get(e.code) ?? 0) + 1);
  }
}

/** Problems showing a write outside the drive or restore folder (empty when none). */
function escapes(w: World, sentinelBefore: Tree, driveName: string): string[] {
  const found: string[] = [];
  if (!sameTree(snapshotTree(w.sentinel), sentinelBefore)) found.push('the sentinel folder changed');
  const beside = readdirSync(w.root).sort();
  if (beside.join() !== 'dest,sentinel,vol') found.push(`unexpected entries beside the folders: ${beside.join()}`);
  const onVolume = readdirSync(w.vol);
  if (onVolume.some((n) => n !== driveName)) found.push(`unexpected entries on the volume: ${onVolume.join()}`);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const inDest = relative(w.dest, p);
      if (st.isSymbolicLink()) {
        // Links the test itself planted in the restore folder are not the restore's doing.
        if (inDest === 'data' || inDest === 'data/a.txt') continue;
        if (!linkStaysInside(Buffer.from(inDest), readlinkSync(p, { encoding: 'buffer' }))) found.push(`restored link leads out: ${inDest}`);
      } else {
        if ((st.mode & 0o7022) !== 0) found.push(`restored with unsafe mode ${(st.mode & 0o7777).toString(8)}: ${inDest}`);
        if (st.isDirectory()) walk(p);
      }
    }
  };
  walk(w.dest);
  return found;
}

// ---- the suite ----------------------------------------------------------------------------------

describe('hostile-drive fuzzing', () => {
  let base: string;
  let keys: ReturnType<typeof makeKeys>;
  let src: string;
  let sealedName: string;
  let sealedTree: Tree;
  let unfinishedName: string;
  let unfinishedTree: Tree;
  let unfinishedTarget: string;
  const sealOptions = (target: string) => ({
    sources: [join(src, 'data')],
    target,
    station: keys.station,
    partPlaintextSize: PART,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
  });

  beforeAll(async () => {
    base = mkdtempSync(join(process.env.SCELLE_TEST_TMP ?? tmpdir(), 'scelle-fuzz-'));
    keys = makeKeys();
    src = join(base, 'src');
    writeTree(src, { 'data/a.txt': 'bonjour', 'data/sub/b.bin': bytes(150 * 1024, 3), 'data/tool': '#!/bin/sh\n' });
    chmodSync(join(src, 'data/tool'), 0o755);
    symlinkSync('a.txt', join(src, 'data/link'));
    const target = join(base, 'sealed');
    mkdirSync(target);
    const r = await seal(sealOptions(target), { sinkMode: 'inline' });
    sealedName = relative(target, r.driveDir);
    sealedTree = snapshotTree(r.driveDir);
    // An unfinished seal: cancelled after its first part.
    unfinishedTarget = join(base, 'unfinished');
    mkdirSync(unfinishedTarget);
    const ac = new AbortController();
    await expect(seal({ ...sealOptions(unfinishedTarget), signal: ac.signal, onProgress: () => ac.abort() }, { sinkMode: 'inline' })).rejects.toMatchObject({
      code: 'E_CANCELLED',
    });
    unfinishedName = readdirSync(unfinishedTarget)[0]!;
    unfinishedTree = snapshotTree(join(unfinishedTarget, unfinishedName));
    expect(unfinishedTree.has('.seal-state.json')).toBe(true);
  });

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it(
    'sealed drives: never a crash, never a write outside the drive or restore folder, always a stable code',
    async () => {
      const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };
      const pinnedRoots = [keys.root.publicKey];
      let cases = 0;
      let escaped = 0;
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const w = makeWorld(base, sealedName, sealedTree);
          try {
            const sentinelBefore = snapshotTree(w.sentinel);
            await applyIndex(w, c.index, keys.escrow.secretKey, keys.station.secretKey);
            const manifest = editJsonFile(rel(w, 'manifest.json'), c.manifest);
            // An insider holding the station key re-signs the altered manifest; an interceptor cannot.
            if (manifest && c.resign) writeFileSync(rel(w, 'manifest.sig'), signManifest(manifest, keys.station.secretKey) + '\n');
            for (const b of c.bytes) applyBytes(w, b);
            for (const l of c.layout) applyLayout(w, l);
            applyDest(w, c.dest);

            await run('loadDrive', () => loadDrive(w.driveDir, pinnedRoots));
            await run('verify (media)', () => verify({ driveDir: w.driveDir, pinnedRoots }));
            await run('verify (full)', () => verify({ driveDir: w.driveDir, pinnedRoots, secret }));
            await run('list', () => list({ driveDir: w.driveDir, pinnedRoots, secret }));
            await run('open', () => open({ driveDir: w.driveDir, pinnedRoots, secret, dest: w.dest }));
            await run('erase', () => eraseDrive({ driveDir: w.driveDir, overwritePayload: true }));
            const found = escapes(w, sentinelBefore, sealedName);
            cases++;
            if (found.length > 0) {
              escaped++;
              throw new Error(`escape: ${found.join('; ')}`);
            }
          } finally {
            rmSync(w.root, { recursive: true, force: true });
          }
        }),
        { numRuns: CASES_SEALED, seed: Number(process.env.SCELLE_FUZZ_SEED ?? 20261202) },
      );
      console.log(
        `hostile-drive fuzz (sealed drives): ${cases} cases, ${escaped} escapes, ${Math.round(performance.now() - started)} ms; codes: ${[...codesSeen].map(([k, v]) => `${k}×${v}`).join(' ')}`,
      );
      expect(cases).toBe(CASES_SEALED);
      expect(escaped).toBe(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'unfinished seals: resume, load and erase never crash and never write outside the drive folder',
    async () => {
      let cases = 0;
      let escaped = 0;
      codesSeen.clear();
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(unfinishedArb, async (c) => {
          const w = makeWorld(base, unfinishedName, unfinishedTree);
          try {
            const sentinelBefore = snapshotTree(w.sentinel);
            editJsonFile(rel(w, '.seal-state.json'), c.state);
            for (const b of c.bytes) applyBytes(w, b);
            for (const l of c.layout) applyLayout(w, l);

            await run('seal --resume', () => seal({ ...sealOptions(w.vol), resume: true }, { sinkMode: 'inline' }));
            await run('loadDrive', () => loadDrive(w.driveDir, [keys.root.publicKey]));
            await run('erase', () => eraseDrive({ driveDir: w.driveDir }));
            const found = escapes(w, sentinelBefore, unfinishedName);
            cases++;
            if (found.length > 0) {
              escaped++;
              throw new Error(`escape: ${found.join('; ')}`);
            }
          } finally {
            rmSync(w.root, { recursive: true, force: true });
          }
        }),
        { numRuns: CASES_UNFINISHED, seed: Number(process.env.SCELLE_FUZZ_SEED ?? 20261202) },
      );
      console.log(
        `hostile-drive fuzz (unfinished seals): ${cases} cases, ${escaped} escapes, ${Math.round(performance.now() - started)} ms; codes: ${[...codesSeen].map(([k, v]) => `${k}×${v}`).join(' ')}`,
      );
      expect(cases).toBe(CASES_UNFINISHED);
      expect(escaped).toBe(0);
    },
    FUZZ_TIMEOUT,
  );
});
