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
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { signManifest } from '../format/manifest.js';
import { bytes, makeKeys, rewriteIndex, snapshotTree, writeTree } from '../../test/support/engine-fixtures.js';
import {
  applyBytes,
  applyDest,
  applyLayout,
  byteEdit,
  codesSeen,
  codesSummary,
  destEdit,
  editJsonFile,
  escapes,
  hostileValue,
  jsonEdit,
  layoutEdit,
  plantSentinel,
  restoreTree,
  run,
  type ByteEdit,
  type JsonEdit,
  type LayoutEdit,
  type Tree,
} from '../../test/support/hostile-fuzz.js';
import { eraseDrive } from './erase.js';
import { list, loadDrive, open, seal, verify } from './index.js';

const CASES_SEALED = Number(process.env.SCELLE_FUZZ_CASES ?? 160);
const CASES_UNFINISHED = Math.ceil(CASES_SEALED / 4);
const PART = 64 * 1024;
/** About 20 s on an idle 2-core machine; room for a machine shared with other test runs. */
const FUZZ_TIMEOUT = 180_000;

// ---- mutations ------------------------------------------------------------------------------

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

interface Case {
  index: (typeof indexEdit extends fc.Arbitrary<infer T> ? T : never)[];
  manifest: JsonEdit[];
  resign: boolean;
  state: JsonEdit[];
  bytes: ByteEdit[];
  layout: LayoutEdit[];
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
  plantSentinel(world.sentinel);
  return world;
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
            const manifest = editJsonFile(join(w.driveDir, 'manifest.json'), c.manifest);
            // An insider holding the station key re-signs the altered manifest; an interceptor cannot.
            if (manifest && c.resign) writeFileSync(join(w.driveDir, 'manifest.sig'), signManifest(manifest, keys.station.secretKey) + '\n');
            for (const b of c.bytes) applyBytes(w.driveDir, b);
            for (const l of c.layout) applyLayout(w.driveDir, w.sentinel, l);
            applyDest(w.dest, w.sentinel, c.dest);

            await run('loadDrive', () => loadDrive(w.driveDir, pinnedRoots));
            await run('verify (media)', () => verify({ driveDir: w.driveDir, pinnedRoots }));
            await run('verify (full)', () => verify({ driveDir: w.driveDir, pinnedRoots, secret }));
            await run('list', () => list({ driveDir: w.driveDir, pinnedRoots, secret }));
            await run('open', () => open({ driveDir: w.driveDir, pinnedRoots, secret, dest: w.dest }));
            await run('erase', () => eraseDrive({ driveDir: w.driveDir, overwritePayload: true }));
            const found = escapes(w, sentinelBefore, new Map([['vol', (n) => n === sealedName]]));
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
      console.log(`hostile-drive fuzz (sealed drives): ${cases} cases, ${escaped} escapes, ${Math.round(performance.now() - started)} ms; codes: ${codesSummary()}`);
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
            editJsonFile(join(w.driveDir, '.seal-state.json'), c.state);
            for (const b of c.bytes) applyBytes(w.driveDir, b);
            for (const l of c.layout) applyLayout(w.driveDir, w.sentinel, l);

            await run('seal --resume', () => seal({ ...sealOptions(w.vol), resume: true }, { sinkMode: 'inline' }));
            await run('loadDrive', () => loadDrive(w.driveDir, [keys.root.publicKey]));
            await run('erase', () => eraseDrive({ driveDir: w.driveDir }));
            const found = escapes(w, sentinelBefore, new Map([['vol', (n) => n === unfinishedName]]));
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
      console.log(`hostile-drive fuzz (unfinished seals): ${cases} cases, ${escaped} escapes, ${Math.round(performance.now() - started)} ms; codes: ${codesSummary()}`);
      expect(cases).toBe(CASES_UNFINISHED);
      expect(escaped).toBe(0);
    },
    FUZZ_TIMEOUT,
  );
});
