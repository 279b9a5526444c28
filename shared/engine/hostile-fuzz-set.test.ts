/**
 * Fuzzing with hostile sealed sets (docs/FORMAT.md §11; the one-drive cases are in
 * hostile-fuzz.test.ts, whose mutations this suite reuses). A real 3-member set, a second set of
 * the same sources (its members are "from another set"), and two real unfinished set seals are
 * made once; each case copies them and mutates them as an interceptor or insider could: the
 * manifest's `set` field (id, position, members, driveIds values and order; re-signed by the
 * station key or not), the index trailer's authenticated `set` block (re-encrypted with the data
 * key: part counts, totalSize, totals, position), members given twice, copied, from another set
 * or forged to join this one, parts moved between members, bytes and layout, unfinished members'
 * state files (their `set` plan, their parts, swapped, copied to another target). Then every
 * reader runs on the members given, in random order and subsets (loadDrives, media and full
 * verify, list, open), and `seal --resume` on the unfinished ones. The suite shows:
 * - never a crash: every failure is a ScelleError with a registered code other than E_INTERNAL;
 * - never a write outside the drive or restore folders (the sentinel is unchanged, nothing
 *   appears beside them, nothing unsafe is restored);
 * - every file restored is byte-identical to its source;
 * - members that disagree about their set (§11.3: a manifest `set` field and trailer block that
 *   differ, layouts or totals that differ, one position twice, members of two sets) are refused,
 *   with E_SET_MISMATCH when that is all that is wrong, and never opened as another set: an open
 *   that succeeds reports the set id and positions of the members given;
 * - a resume of an unaltered unfinished set either is refused or leaves a set that restores every
 *   source file.
 * The case counts and codes seen are printed. SCELLE_FUZZ_SEED and SCELLE_FUZZ_CASES explore further.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';
import { signManifest } from '../format/manifest.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../format/payload-size.js';
import { bytes, makeKeys, rewriteIndex, snapshotTree, writeTree } from '../../test/support/engine-fixtures.js';
import {
  applyBytes,
  applyDest,
  applyJsonEdit,
  applyLayout,
  byteEdit,
  codesSeen,
  codesSummary,
  destEdit,
  escapes,
  hostileValue,
  jsonEditOf,
  layoutEdit,
  plantSentinel,
  restoreTree,
  run,
  type JsonEdit,
  type Tree,
} from '../../test/support/hostile-fuzz.js';
import { list, loadDrives, open, seal, verify } from './index.js';
import type { SealOptions } from './api.js';

const CASES_SETS = Number(process.env.SCELLE_FUZZ_CASES ?? 120);
const CASES_UNFINISHED = Math.ceil(CASES_SETS / 3);
const SEED = Number(process.env.SCELLE_FUZZ_SEED ?? 20261203);
const PART = 64 * 1024;
/** A member holds two parts of 64 KiB beside the index (5 parts: members of 2, 2 and 1 parts). */
const MEMBER_BYTES = indexAndSlackBytes(30) + 2 * streamCiphertextSize(PART);
const FUZZ_TIMEOUT = 240_000;

// ---- mutations ------------------------------------------------------------------------------

/** Values for a `set` field: hostile ones, and the real ids of this set's and the other set's members. */
const TOKENS = ['@A1', '@A2', '@A3', '@B1', '@B2', '@Aset', '@Bset'] as const;
const setValue = fc.oneof(hostileValue, fc.constantFrom(...TOKENS), fc.integer({ min: 0, max: 4 }), fc.constantFrom(64, 65, [], ['@A1', '@A2']));
/** An edit to a `set` field or block, in a manifest or an index trailer. */
const setEdit = fc.oneof(
  jsonEditOf(fc.constantFrom('set', 'set', 'set.driveIds'), setValue).map((e) => ({ op: 'json' as const, e })),
  fc.record({ op: fc.constant('swapIds' as const), i: fc.nat(2), j: fc.nat(2) }),
  fc.record({ op: fc.constant('reverseIds' as const) }),
  // the public set field of the other set's member at the same position
  fc.record({ op: fc.constant('foreign' as const) }),
  fc.record({ op: fc.constant('position' as const), value: fc.integer({ min: 0, max: 4 }) }),
);
/** Edits only a trailer has: the set's layout and totals, and the member's own fields. */
const trailerOnlyEdit = fc.oneof(
  jsonEditOf(fc.constantFrom('set.partCounts', 'set', ''), setValue).map((e) => ({ op: 'json' as const, e })),
  fc.record({ op: fc.constant('shiftPart' as const), i: fc.nat(2), j: fc.nat(2) }),
  fc.record({
    op: fc.constant('delta' as const),
    field: fc.constantFrom('totalSize', 'entries', 'files', 'bytes'),
    by: fc.constantFrom(-PART, -1, 1, 512, PART),
    top: fc.boolean(),
  }),
);
type SetEdit = typeof setEdit extends fc.Arbitrary<infer T> ? T : never;
type TrailerEdit = SetEdit | (typeof trailerOnlyEdit extends fc.Arbitrary<infer T> ? T : never);

/** How a member's set claims are altered: in its manifest (re-signed or not), its index trailer, or both alike. */
const memberEdit = fc.oneof(
  fc.record({ where: fc.constant('manifest' as const), edits: fc.array(setEdit, { minLength: 1, maxLength: 2 }), resign: fc.boolean() }),
  fc.record({ where: fc.constant('trailer' as const), edits: fc.array(fc.oneof(setEdit, trailerOnlyEdit), { minLength: 1, maxLength: 2 }), resign: fc.constant(true) }),
  fc.record({ where: fc.constant('both' as const), edits: fc.array(setEdit, { minLength: 1, maxLength: 2 }), resign: fc.constant(true) }),
);
type MemberEdit = typeof memberEdit extends fc.Arbitrary<infer T> ? T : never;

/** Which drives are given, in order: members of set A, plus a member of set B, a copy, one folder twice, or a forged member. */
const givenArb = fc.record({
  base: fc.shuffledSubarray(['A1', 'A2', 'A3'], { minLength: 1 }),
  extra: fc.constantFrom(null, null, null, 'B1', 'B2', 'B3', 'copy', 'twice', 'forged'),
  at: fc.nat(),
});
type Given = typeof givenArb extends fc.Arbitrary<infer T> ? T : never;

/** A part file of one member copied over (or beside) another's, the manifest updated and re-signed or not. */
const moveArb = fc.record({ from: fc.nat(2), to: fc.nat(2), part: fc.nat(1), at: fc.nat(2), resign: fc.boolean() });

interface SetCase {
  given: Given;
  members: (MemberEdit | null)[];
  moves: (typeof moveArb extends fc.Arbitrary<infer T> ? T : never)[];
  bytes: { m: number; e: typeof byteEdit extends fc.Arbitrary<infer T> ? T : never }[];
  layout: { m: number; e: typeof layoutEdit extends fc.Arbitrary<infer T> ? T : never }[];
  dest: string;
}
const noEdits = { members: [null, null, null], moves: [], bytes: [], layout: [], dest: 'none' };
const perMember = fc.tuple(fc.option(memberEdit, { freq: 2 }), fc.option(memberEdit, { freq: 2 }), fc.option(memberEdit, { freq: 2 }));
const onMember = <T>(a: fc.Arbitrary<T>) => fc.record({ m: fc.nat(2), e: a });
const setCaseArb: fc.Arbitrary<SetCase> = fc.oneof(
  // only which drives are given: other sets' members, copies, a folder twice, a forged member
  givenArb.map((given) => ({ ...noEdits, given })),
  // the set claims of members, public and authenticated
  fc.record({ given: givenArb, members: perMember }).map((c) => ({ ...noEdits, ...c, given: { ...c.given, extra: null } })),
  fc.record({ given: givenArb, members: perMember }).map((c) => ({ ...noEdits, ...c })),
  // parts moved between members
  fc.record({ given: givenArb, moves: fc.array(moveArb, { minLength: 1, maxLength: 2 }) }).map((c) => ({ ...noEdits, ...c, given: { ...c.given, extra: null } })),
  // damaged bytes, the layout, traps in the restore folder
  fc
    .record({ given: givenArb, bytes: fc.array(onMember(byteEdit), { maxLength: 2 }), layout: fc.array(onMember(layoutEdit), { maxLength: 2 }), dest: destEdit })
    .map((c) => ({ ...noEdits, ...c })),
  // everything at once
  fc.record({
    given: givenArb,
    members: perMember,
    moves: fc.array(moveArb, { maxLength: 1 }),
    bytes: fc.array(onMember(byteEdit), { maxLength: 1 }),
    layout: fc.array(onMember(layoutEdit), { maxLength: 1 }),
    dest: destEdit,
  }),
);

/** Unfinished sets: U1 (all drives attached, cancelled while member 2 was written: members 1 and 2 unfinished), U2 (one drive at a time: member 1 sealed, member 2 unfinished). */
const unfinishedArb = fc.record({
  flavor: fc.constantFrom('U1' as const, 'U2' as const),
  /** Edits to the state files of the unfinished members (`m` counts them), their set plan first of all. */
  state: fc.array(
    fc.record({
      m: fc.nat(1),
      edit: fc.oneof(
        jsonEditOf(fc.constantFrom('set', 'set', 'set.driveIds', 'set.partCounts', 'parts', ''), setValue).map((e) => ({ op: 'json' as const, e })),
        setEdit,
        trailerOnlyEdit.filter((e) => e.op !== 'json'),
      ),
    }),
    { maxLength: 2 },
  ),
  /** Whole member folders: a state file swapped, a member copied to another drive or moved there, a member of another set added, a member removed. */
  folders: fc.array(
    fc.record({ kind: fc.constantFrom('swap-state', 'copy-member', 'move-member', 'foreign-member', 'remove-member', 'move-part'), m: fc.nat(2), to: fc.nat(3), part: fc.nat(1) }),
    { maxLength: 2 },
  ),
  bytes: fc.array(fc.record({ m: fc.nat(2), e: byteEdit }), { maxLength: 1 }),
  layout: fc.array(fc.record({ m: fc.nat(2), e: layoutEdit }), { maxLength: 1 }),
  /** The targets given to the resume, in order, and how: as a set (`--to` several, or one and the next asked for), or one target alone. */
  targets: fc.shuffledSubarray(['v1', 'v2', 'v3', 'vnext'], { minLength: 1 }),
  mode: fc.constantFrom('more' as const, 'more' as const, 'next' as const, 'alone' as const),
});
type UnfinishedCase = typeof unfinishedArb extends fc.Arbitrary<infer T> ? T : never;
const unfinishedCaseArb = fc.oneof(
  // nothing altered: only which targets are given, and how
  unfinishedArb.map((c) => ({ ...c, state: [], folders: [], bytes: [], layout: [] })),
  // the state files' set plan
  unfinishedArb.map((c) => ({ ...c, folders: [], bytes: [], layout: [] })),
  // whole member folders
  unfinishedArb.map((c) => ({ ...c, state: [], bytes: [], layout: [] })),
  unfinishedArb,
);

/** What the fixed set and the other set look like (filled once sealed). */
interface SetFacts {
  setId: string;
  driveIds: string[];
  names: string[];
  trees: Tree[];
  manifestSets: Record<string, unknown>[];
}

function resolve(v: unknown, a: SetFacts, b: SetFacts): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, a, b));
  if (typeof v !== 'string' || !v.startsWith('@')) return v;
  if (v === '@Aset') return a.setId;
  if (v === '@Bset') return b.setId;
  const facts = v[1] === 'A' ? a : b;
  return facts.driveIds[Number(v[2]) - 1];
}

/** Applies set edits to `doc.set` (a manifest or a trailer), for member `k` (0-based). */
function applySetEdits(doc: Record<string, unknown>, edits: TrailerEdit[], k: number, a: SetFacts, b: SetFacts): void {
  for (const edit of edits) {
    const set = doc.set as Record<string, unknown> | undefined;
    switch (edit.op) {
      case 'json':
        applyJsonEdit(doc, { ...edit.e, value: resolve(edit.e.value, a, b) } as JsonEdit);
        break;
      case 'swapIds':
      case 'reverseIds': {
        const ids = set?.driveIds;
        if (!Array.isArray(ids)) break;
        if (edit.op === 'reverseIds') ids.reverse();
        else [ids[edit.i], ids[edit.j]] = [ids[edit.j], ids[edit.i]];
        break;
      }
      case 'foreign':
        if (set) Object.assign(set, structuredClone(b.manifestSets[k]));
        break;
      case 'position':
        if (set) set.position = edit.value;
        break;
      case 'shiftPart': {
        const counts = set?.partCounts;
        if (!Array.isArray(counts) || typeof counts[edit.i] !== 'number' || typeof counts[edit.j] !== 'number') break;
        counts[edit.i]--;
        counts[edit.j]++;
        break;
      }
      case 'delta': {
        const holder = edit.top ? doc : set;
        if (holder && typeof holder[edit.field] === 'number') holder[edit.field] = (holder[edit.field] as number) + edit.by;
        break;
      }
    }
  }
}

// ---- the world of one case --------------------------------------------------------------------

interface World {
  root: string;
  dest: string;
  sentinel: string;
  /** Volume folder name → the drive folder names it started with. */
  volumes: Map<string, string[]>;
}

function makeWorld(base: string): World {
  const root = mkdtempSync(join(base, 'case-'));
  const w: World = { root, dest: join(root, 'dest'), sentinel: join(root, 'sentinel'), volumes: new Map() };
  mkdirSync(w.dest);
  plantSentinel(w.sentinel);
  return w;
}

/** Places a copy of a drive folder (`tree`) named `name` on volume `vol`; returns its path. */
function place(w: World, vol: string, name: string, tree: Tree | null): string {
  const dir = join(w.root, vol, name);
  mkdirSync(join(w.root, vol), { recursive: true });
  if (tree) restoreTree(dir, tree);
  w.volumes.set(vol, [...(w.volumes.get(vol) ?? []), name]);
  return dir;
}

/** Places a copy of a whole target folder (`tree`) as volume `vol`; returns the drive folders on it. */
function placeVolume(w: World, vol: string, tree: Tree): string[] {
  const dir = join(w.root, vol);
  restoreTree(dir, tree);
  const names = readdirSync(dir);
  w.volumes.set(vol, names);
  return names.map((n) => join(dir, n));
}

/** A drive folder name a seal may write on a volume (a member it creates or resumes). */
const isDriveFolderName = (n: string) => /^SCELLE-[0-9A-Za-z-]+$/.test(n);

/**
 * What escaped the drive and restore folders in world `w`. On a volume: the drive folders it started
 * with only, or (`seals`: a seal ran, which may create members) drive folders only.
 */
function worldEscapes(w: World, sentinelBefore: Tree, seals = false): string[] {
  const found = escapes(w, sentinelBefore, new Map([...w.volumes].map(([v, names]) => [v, (n: string) => (seals ? isDriveFolderName(n) : names.includes(n))])));
  // A seal writes drive folders only: never a link or a file on a volume.
  for (const v of w.volumes.keys()) for (const n of readdirSync(join(w.root, v))) if (!lstatSync(join(w.root, v, n)).isDirectory()) found.push(`${v}/${n} is not a folder`);
  return found;
}

/** Restored files and links that differ from their source (paths relative to the restore folder). */
function wrongRestores(dest: string, source: string, trap: string): string[] {
  const wrong: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const rel = relative(dest, p);
      const st = lstatSync(p);
      // What the test itself planted in the restore folder (destEdit) is not the restore's doing.
      if ((trap === 'link-data-to-sentinel' && rel === 'data') || (trap !== 'none' && rel === 'data/a.txt')) continue;
      const src = join(source, rel);
      const sst = lstatSync(src, { throwIfNoEntry: false });
      if (st.isSymbolicLink()) {
        if (!sst?.isSymbolicLink() || readlinkSync(src) !== readlinkSync(p)) wrong.push(rel);
      } else if (st.isDirectory()) {
        if (!sst?.isDirectory()) wrong.push(rel);
        else walk(p);
      } else if (!sst?.isFile() || !readFileSync(src).equals(readFileSync(p))) wrong.push(rel);
    }
  };
  walk(dest);
  return wrong;
}

/** Every file and link of the source, restored byte for byte? (names of those missing or wrong) */
function missingRestores(dest: string, source: string): string[] {
  const missing: string[] = [];
  for (const [rel, e] of snapshotTree(source)) {
    const p = join(dest, rel);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) missing.push(rel);
    else if (e.type === 'file' && (!st.isFile() || !readFileSync(p).equals(e.data))) missing.push(rel);
    else if (e.type === 'symlink' && (!st.isSymbolicLink() || !readlinkSync(p, { encoding: 'buffer' }).equals(e.data))) missing.push(rel);
  }
  return missing;
}

type SetClaims = { manifest: unknown; trailer: Record<string, unknown> | null };

/** Canonical JSON (object keys sorted), to compare claims whatever their key order. */
const json = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : 1))) : x,
  );
const publicPart = (t: Record<string, unknown> | null | undefined) => (t ? { id: t.id, position: t.position, members: t.members, driveIds: t.driveIds } : null);
const layoutPart = (t: Record<string, unknown> | null | undefined) => {
  if (!t) return null;
  const { position: _position, ...rest } = t;
  return rest;
};

// ---- the suite ----------------------------------------------------------------------------------

describe('hostile-drive fuzzing of sealed sets', () => {
  let base: string;
  let keys: ReturnType<typeof makeKeys>;
  let src: string;
  let A: SetFacts;
  let B: SetFacts;
  /** Trailer set blocks of A's members, as sealed. */
  let trailersA: Record<string, unknown>[];
  /** The unfinished sets: their plan, and each of their three targets' content. */
  const unfinished: Record<'U1' | 'U2', { facts: SetFacts; volumes: Tree[] }> = {} as never;
  const sealOptions = (target: string, more: string[]): SealOptions => ({
    sources: [join(src, 'data')],
    target,
    station: keys.station,
    partPlaintextSize: PART,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
    set: { more, memberBytes: MEMBER_BYTES },
  });
  const secret = () => ({ kind: 'x25519' as const, secretKey: keys.escrow.secretKey });

  async function sealSetOnce(name: string): Promise<SetFacts> {
    const targets = [1, 2, 3].map((i) => join(base, `${name}${i}`));
    for (const t of targets) mkdirSync(t);
    const r = await seal(sealOptions(targets[0]!, targets.slice(1)), { sinkMode: 'inline' });
    expect(r.set!.members.map((m) => m.parts)).toEqual([2, 2, 1]);
    const members = r.set!.members;
    return {
      setId: r.set!.id,
      driveIds: members.map((m) => m.driveId),
      names: members.map((m) => relative(m.target, m.driveDir)),
      trees: members.map((m) => snapshotTree(m.driveDir)),
      manifestSets: members.map((m) => JSON.parse(readFileSync(join(m.driveDir, 'manifest.json'), 'utf8')).set),
    };
  }

  beforeAll(async () => {
    base = mkdtempSync(join(process.env.SCELLE_TEST_TMP ?? tmpdir(), 'scelle-fuzz-set-'));
    keys = makeKeys();
    src = join(base, 'src');
    writeTree(src, { 'data/a.txt': 'bonjour', 'data/sub/b.bin': bytes(150 * 1024, 3), 'data/c.bin': bytes(120 * 1024, 5), 'data/sub/d.txt': 'salut', 'data/tool': '#!/bin/sh\n' });
    chmodSync(join(src, 'data/tool'), 0o755);
    symlinkSync('a.txt', join(src, 'data/link'));
    A = await sealSetOnce('a');
    B = await sealSetOnce('b');
    // The trailer blocks as sealed: read back through the same helper the cases use to change them.
    trailersA = [];
    for (const [k, tree] of A.trees.entries()) {
      const dir = join(base, 'peek', A.names[k]!);
      restoreTree(dir, tree);
      await rewriteIndex(dir, keys.escrow.secretKey, keys.station.secretKey, (entries, trailer) => {
        trailersA.push(structuredClone(trailer.set) as Record<string, unknown>);
        return entries;
      });
    }
    rmSync(join(base, 'peek'), { recursive: true });

    // U1: every drive attached, cancelled once member 2 started (members 1 and 2 unfinished).
    const u1 = [1, 2, 3].map((i) => join(base, `u1-${i}`));
    const stop1 = new AbortController();
    const opts1 = sealOptions(u1[0]!, u1.slice(1));
    for (const t of u1) mkdirSync(t);
    await expect(
      seal(
        { ...opts1, signal: stop1.signal, onProgress: () => undefined, set: { ...opts1.set!, onMemberStarted: (m) => m.position === 2 && stop1.abort() } },
        { sinkMode: 'inline' },
      ),
    ).rejects.toMatchObject({ code: 'E_CANCELLED' });
    // U2: one drive at a time, cancelled once member 2 started (member 1 sealed, member 2 unfinished).
    const u2 = [1, 2, 3].map((i) => join(base, `u2-${i}`));
    const stop2 = new AbortController();
    for (const t of u2) mkdirSync(t);
    await expect(
      seal(
        {
          ...sealOptions(u2[0]!, []),
          signal: stop2.signal,
          onProgress: () => undefined,
          set: {
            more: [],
            memberBytes: MEMBER_BYTES,
            nextTarget: async (r) => u2[r.position - 1]!,
            onMemberStarted: (m) => m.position === 2 && stop2.abort(),
          },
        },
        { sinkMode: 'inline' },
      ),
    ).rejects.toMatchObject({ code: 'E_CANCELLED' });
    for (const [name, targets] of [['U1', u1] as const, ['U2', u2] as const]) {
      const [member2] = readdirSync(targets[1]!);
      const state = JSON.parse(readFileSync(join(targets[1]!, member2!, '.seal-state.json'), 'utf8'));
      const driveIds = state.set.driveIds as string[];
      unfinished[name] = {
        facts: { setId: state.set.id, driveIds, names: driveIds.map((id) => `SCELLE-${id}`), trees: [], manifestSets: [] },
        volumes: targets.map((t) => snapshotTree(t)),
      };
    }
    // What the cases start from: U1's members 1 and 2 unfinished, U2's member 1 sealed and 2 unfinished.
    const has = (v: Tree, name: string) => v.has(`${name}/.seal-state.json`);
    const [n1, n2] = unfinished.U1.facts.names;
    expect([has(unfinished.U1.volumes[0]!, n1!), has(unfinished.U1.volumes[1]!, n2!), unfinished.U1.volumes[2]!.size]).toEqual([true, true, 0]);
    const [m1, m2] = unfinished.U2.facts.names;
    expect([unfinished.U2.volumes[0]!.has(`${m1}/manifest.json`), has(unfinished.U2.volumes[1]!, m2!), unfinished.U2.volumes[2]!.size]).toEqual([true, true, 0]);
  }, FUZZ_TIMEOUT);

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  /** Mutates the copies of set A's members in world `w` as case `c` says; returns each member's final set claims. */
  async function mutate(w: World, dirs: string[], c: SetCase): Promise<SetClaims[]> {
    const claims: SetClaims[] = dirs.map((_, k) => ({ manifest: structuredClone(A.manifestSets[k]), trailer: structuredClone(trailersA[k]!) }));
    for (const [k, me] of c.members.entries()) {
      if (!me) continue;
      const dir = dirs[k]!;
      if (me.where !== 'manifest') {
        await rewriteIndex(dir, keys.escrow.secretKey, keys.station.secretKey, (entries, trailer) => {
          applySetEdits(trailer, me.edits, k, A, B);
          claims[k]!.trailer = (trailer.set ?? null) as Record<string, unknown> | null;
          return entries;
        });
      }
      if (me.where !== 'trailer') {
        const path = join(dir, 'manifest.json');
        const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
        applySetEdits(
          doc,
          me.edits.filter((e) => e.op !== 'json' || e.e.under.startsWith('set')),
          k,
          A,
          B,
        );
        claims[k]!.manifest = doc.set;
        const out = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
        writeFileSync(path, out);
        // An insider holding the station key re-signs; an interceptor cannot.
        if (me.resign) writeFileSync(join(dir, 'manifest.sig'), signManifest(out, keys.station.secretKey) + '\n');
      }
    }
    for (const mv of c.moves) {
      const from = join(dirs[mv.from]!, `payload/part-0000${mv.part}.scx`);
      const toName = `payload/part-0000${mv.at}.scx`;
      if (!existsSync(from)) continue;
      copyFileSync(from, join(dirs[mv.to]!, toName));
      if (mv.resign) {
        // An insider records the moved part in the manifest and re-signs it.
        const path = join(dirs[mv.to]!, 'manifest.json');
        const doc = JSON.parse(readFileSync(path, 'utf8'));
        const data = readFileSync(from);
        const entry = { file: toName, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
        doc.payload.parts[mv.at] = entry;
        doc.payload.parts = doc.payload.parts.filter(Boolean);
        const out = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
        writeFileSync(path, out);
        writeFileSync(join(dirs[mv.to]!, 'manifest.sig'), signManifest(out, keys.station.secretKey) + '\n');
      }
    }
    for (const b of c.bytes) applyBytes(dirs[b.m]!, b.e);
    for (const l of c.layout) applyLayout(dirs[l.m]!, w.sentinel, l.e);
    applyDest(w.dest, w.sentinel, c.dest);
    return claims;
  }

  it(
    'sealed sets: never a crash, never an escape, only exact bytes restored, members that disagree refused',
    async () => {
      const pinnedRoots = [keys.root.publicKey];
      let cases = 0;
      let refusedAsExpected = 0;
      let opened = 0;
      const refusalCodes = new Map<string, number>();
      codesSeen.clear();
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(setCaseArb, async (c) => {
          const w = makeWorld(base);
          try {
            const sentinelBefore = snapshotTree(w.sentinel);
            const dirs = A.trees.map((t, k) => place(w, `v${k + 1}`, A.names[k]!, t));
            const claims = await mutate(w, dirs, c);

            // The drives given, in order, and where each comes from.
            const given: { dir: string; origin: 'A' | 'B'; k: number }[] = c.given.base.map((id) => ({ dir: dirs[Number(id[1]) - 1]!, origin: 'A', k: Number(id[1]) - 1 }));
            const extra = c.given.extra;
            if (extra) {
              const pick = given[c.given.at % given.length]!;
              let added: (typeof given)[number];
              if (extra === 'copy') added = { ...pick, dir: place(w, 'vcopy', A.names[pick.k]!, A.trees[pick.k]!) };
              else if (extra === 'twice') added = pick;
              else {
                const k = extra === 'forged' ? c.given.at % 3 : Number(extra[1]) - 1;
                const dir = place(w, 'vb', B.names[k]!, B.trees[k]!);
                if (extra === 'forged') {
                  // An insider re-signs B's member as a member of A (its own drive id at its position).
                  const path = join(dir, 'manifest.json');
                  const doc = JSON.parse(readFileSync(path, 'utf8'));
                  doc.set = { ...structuredClone(A.manifestSets[k]), driveIds: A.driveIds.map((id, i) => (i === k ? B.driveIds[k] : id)) };
                  const out = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
                  writeFileSync(path, out);
                  writeFileSync(join(dir, 'manifest.sig'), signManifest(out, keys.station.secretKey) + '\n');
                }
                added = { dir, origin: 'B', k };
              }
              given.splice(c.given.at % (given.length + 1), 0, added);
            }
            const paths = given.map((g) => g.dir);
            const driveDir = paths[0]!;
            const members = paths.slice(1);

            // What §11.3 says of the members given.
            const fromA = given.filter((g) => g.origin === 'A');
            const untouched = (k: number) => c.members[k] === null;
            const anyB = given.some((g) => g.origin === 'B');
            const positions = given.map((g) => g.k);
            const samePositionTwice = new Set(positions).size !== positions.length;
            const twoSets = anyB && fromA.length > 0;
            // Refused before any key: the public set fields of unaltered members say so.
            const refuseNoKey = given.length > 1 && fromA.every((g) => untouched(g.k)) && extra !== 'forged' && (samePositionTwice || twoSets);
            // Refused once unlocked: a manifest that disagrees with its own index, or members whose indexes disagree.
            const selfMismatch = fromA.some((g) => json(claims[g.k]!.manifest) !== json(publicPart(claims[g.k]!.trailer)));
            const layouts = new Set(fromA.map((g) => json(layoutPart(claims[g.k]!.trailer))));
            const refuseWithKey = refuseNoKey || twoSets || selfMismatch || layouts.size > 1 || (given.length > 1 && samePositionTwice);
            const onlyMembership = c.moves.length === 0 && c.bytes.length === 0 && c.layout.length === 0 && c.members.every((m) => m === null) && extra !== 'forged';
            const setClaimsOnly = c.moves.length === 0 && c.bytes.length === 0 && c.layout.length === 0 && c.dest === 'none';
            const claimsAltered = fromA.some((g) => json(claims[g.k]!.manifest) !== json(A.manifestSets[g.k]) || json(claims[g.k]!.trailer) !== json(trailersA[g.k]));

            const outcomes: { what: string; refused: boolean; code: string | null; set?: { id: string; present: number[] } }[] = [];
            const call = async (what: string, fn: () => unknown) => {
              const r = await run(what, fn);
              if (!r.ok) return outcomes.push({ what, refused: true, code: r.code });
              const v = r.value as { ok?: boolean; problems?: { code: string }[]; set?: { id: string; present: number[] } };
              const refused = v.ok === false || (v.problems ?? []).length > 0;
              outcomes.push({ what, refused, code: refused ? (v.problems?.[0]?.code ?? null) : null, ...(v.set ? { set: { id: v.set.id, present: v.set.present } } : {}) });
            };
            await call('loadDrives', () => loadDrives(paths, pinnedRoots));
            await call('verify (media)', () => verify({ driveDir, members, pinnedRoots }));
            await call('verify (full)', () => verify({ driveDir, members, pinnedRoots, secret: secret() }));
            await call('list', () => list({ driveDir, members, pinnedRoots, secret: secret() }));
            await call('open', () => open({ driveDir, members, pinnedRoots, secret: secret(), dest: w.dest }));

            const problems: string[] = [];
            for (const o of outcomes) {
              const keyed = o.what === 'verify (full)' || o.what === 'list' || o.what === 'open';
              if ((refuseNoKey || (keyed && refuseWithKey)) && !o.refused) problems.push(`${o.what} accepted members that disagree about their set`);
              if (refuseNoKey && onlyMembership && o.refused && o.code !== 'E_SET_MISMATCH')
                problems.push(`${o.what} refused members of two sets or one twice with ${o.code}, not E_SET_MISMATCH`);
              if (keyed && refuseWithKey && setClaimsOnly && o.refused && !/^E_(SET_MISMATCH|FORMAT_)/.test(o.code ?? ''))
                problems.push(`${o.what} refused altered set claims with ${o.code}, not a precise code`);
              if (keyed && refuseWithKey && o.refused) refusalCodes.set(o.code ?? 'problem', (refusalCodes.get(o.code ?? 'problem') ?? 0) + 1);
              // Never opened as another set: with every claim unaltered, the set and positions are those given.
              if (!o.refused && o.set && !claimsAltered && !anyB) {
                const expected = [...new Set(fromA.map((g) => g.k + 1))].sort((x, y) => x - y);
                if (o.set.id !== A.setId || json(o.set.present) !== json(expected)) problems.push(`${o.what} opened ${json(o.set)} for members ${json(expected)} of ${A.setId}`);
              }
            }
            if (outcomes.find((o) => o.what === 'open')!.refused === false) opened++;
            if (refuseWithKey) refusedAsExpected++;
            const wrong = wrongRestores(w.dest, src, c.dest);
            if (wrong.length > 0) problems.push(`restored files differ from their source: ${wrong.join(', ')}`);
            problems.push(...worldEscapes(w, sentinelBefore));
            cases++;
            if (problems.length > 0) throw new Error(`${problems.join('; ')} (given ${given.map((g) => `${g.origin}${g.k + 1}`).join(' ')})`);
          } finally {
            rmSync(w.root, { recursive: true, force: true });
          }
        }),
        { numRuns: CASES_SETS, seed: SEED },
      );
      console.log(
        `hostile-drive fuzz (sealed sets): ${cases} cases, ${refusedAsExpected} whose members disagree (refused), ${opened} opened, 0 escapes, ${Math.round(performance.now() - started)} ms; codes: ${codesSummary()}; refusals of disagreeing members: ${[...refusalCodes].map(([k, v]) => `${k}×${v}`).join(' ')}`,
      );
      expect(cases).toBe(CASES_SETS);
      // The oracle is not vacuous: the cases reach both refusals and successful opens.
      expect(refusedAsExpected).toBeGreaterThan(CASES_SETS / 10);
      expect(opened).toBeGreaterThan(CASES_SETS / 10);
    },
    FUZZ_TIMEOUT,
  );
  it(
    'unfinished sets: seal --resume never crashes nor writes outside the targets, refuses mixed or doubled members, and an unaltered set resumes whole',
    async () => {
      const pinnedRoots = [keys.root.publicKey];
      let cases = 0;
      let resumed = 0;
      let resumedWhole = 0;
      codesSeen.clear();
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(unfinishedCaseArb, async (c: UnfinishedCase) => {
          const w = makeWorld(base);
          try {
            const sentinelBefore = snapshotTree(w.sentinel);
            const own = unfinished[c.flavor];
            const other = unfinished[c.flavor === 'U1' ? 'U2' : 'U1'];
            ['v1', 'v2', 'v3'].forEach((v, i) => placeVolume(w, v, own.volumes[i]!));
            placeVolume(w, 'vnext', new Map());
            const vols = ['v1', 'v2', 'v3', 'vnext'];
            /** Member k's folder (0-based), wherever it is now; null when there is none. */
            const folderOf = (k: number): string | null =>
              vols.map((v) => join(w.root, v, own.facts.names[k]!)).find((d) => lstatSync(d, { throwIfNoEntry: false })?.isDirectory()) ?? null;
            const unfinishedMembers = c.flavor === 'U1' ? [0, 1] : [1];
            const stateOf = (k: number) => join(folderOf(k) ?? '/nonexistent', '.seal-state.json');

            for (const e of c.state) {
              const k = unfinishedMembers[e.m % unfinishedMembers.length]!;
              const doc = JSON.parse(readFileSync(stateOf(k), 'utf8')) as Record<string, unknown>;
              applySetEdits(doc, [e.edit], k, own.facts, A);
              writeFileSync(stateOf(k), JSON.stringify(doc));
            }
            const setPath = c.mode !== 'alone' && (c.targets.length > 1 || c.mode === 'next');
            let expectMismatch = false;
            for (const f of c.folders) {
              const from = folderOf(f.m);
              const vol = vols[f.to]!;
              const to = join(w.root, vol);
              if (!from) continue;
              const fromVol = relative(w.root, join(from, '..'));
              const given = (v: string) => c.targets.includes(v);
              const isUnfinished = existsSync(join(from, '.seal-state.json'));
              switch (f.kind) {
                case 'swap-state': {
                  const into = folderOf((f.m + 1) % 3);
                  if (!into || !isUnfinished) break;
                  copyFileSync(join(from, '.seal-state.json'), join(into, '.seal-state.json'));
                  // The state now names another drive than its folder.
                  expectMismatch ||= setPath && given(relative(w.root, join(into, '..')));
                  break;
                }
                case 'copy-member':
                  if (existsSync(join(to, basename(from)))) break;
                  cpSync(from, join(to, basename(from)), { recursive: true });
                  // The same member unfinished on two targets given.
                  expectMismatch ||= setPath && isUnfinished && given(vol) && given(fromVol);
                  break;
                case 'move-member':
                  if (!existsSync(join(to, basename(from)))) renameSync(from, join(to, basename(from)));
                  break;
                case 'foreign-member': {
                  const name = other.facts.names[1]!;
                  if (existsSync(join(to, name))) break;
                  restoreTree(join(to, name), new Map([...other.volumes[1]!].filter(([k]) => k.startsWith(`${name}/`)).map(([k, v]) => [k.slice(name.length + 1), v])));
                  // Unfinished members of two sets on the targets given.
                  expectMismatch ||= setPath && given(vol) && unfinishedMembers.some((k) => given(relative(w.root, join(folderOf(k) ?? '/x/x', '..'))));
                  break;
                }
                case 'remove-member':
                  rmSync(from, { recursive: true, force: true });
                  break;
                case 'move-part': {
                  const into = folderOf((f.m + 1) % 3);
                  const part = join(from, `payload/part-0000${f.part}.scx`);
                  if (into && existsSync(part)) copyFileSync(part, join(into, `payload/part-0000${f.part}.scx`));
                  break;
                }
              }
            }
            for (const b of c.bytes) {
              const d = folderOf(b.m);
              if (d) applyBytes(d, b.e);
            }
            for (const l of c.layout) {
              const d = folderOf(l.m);
              if (d) applyLayout(d, w.sentinel, l.e);
            }
            const onlyFolders = c.state.length === 0 && c.bytes.length === 0 && c.layout.length === 0 && c.folders.length === 1;
            const pristine = c.state.length === 0 && c.bytes.length === 0 && c.layout.length === 0 && c.folders.length === 0;

            const targets = c.targets.map((v) => join(w.root, v));
            let asked = 0;
            const resume: SealOptions = {
              ...sealOptions(targets[0]!, []),
              resume: true,
              set:
                c.mode === 'alone'
                  ? undefined
                  : {
                      more: targets.slice(1),
                      ...(c.mode === 'next'
                        ? {
                            // The technician attaches one empty drive, then declines.
                            nextTarget: async () => {
                              if (asked++ === 0) return join(w.root, 'vnext');
                              throw new ScelleError('E_CANCELLED', 'no other drive');
                            },
                          }
                        : {}),
                    },
            };
            const problems: string[] = [];
            const r = await run('seal --resume', () => seal(resume, { sinkMode: 'inline' }));
            if (expectMismatch && onlyFolders && (r.ok || r.code !== 'E_RESUME_MISMATCH'))
              problems.push(`resume of members given twice or of two sets: ${r.ok ? 'accepted' : r.code}, not E_RESUME_MISMATCH`);
            if (r.ok) {
              resumed++;
              // Whatever was sealed opens without a crash and restores only exact bytes; unaltered, with every
              // unfinished member given, the whole set.
              const sealed = vols.flatMap((v) => readdirSync(join(w.root, v)).map((n) => join(w.root, v, n))).filter((d) => existsSync(join(d, 'manifest.json')));
              const o = await run('open the resumed set', () => open({ driveDir: sealed[0]!, members: sealed.slice(1), pinnedRoots, secret: secret(), dest: w.dest }));
              const wrong = wrongRestores(w.dest, src, 'none');
              if (wrong.length > 0) problems.push(`restored files differ from their source: ${wrong.join(', ')}`);
              const everyUnfinishedGiven = unfinishedMembers.every((k) => c.targets.includes(`v${k + 1}`));
              if (pristine && everyUnfinishedGiven) {
                const missing = missingRestores(w.dest, src);
                if (!o.ok || missing.length > 0) problems.push(`the resumed set does not restore its sources: ${o.ok ? missing.join(', ') : o.code}`);
                else resumedWhole++;
              }
            }
            problems.push(...worldEscapes(w, sentinelBefore, true));
            cases++;
            if (problems.length > 0) throw new Error(problems.join('; '));
          } finally {
            rmSync(w.root, { recursive: true, force: true });
          }
        }),
        { numRuns: CASES_UNFINISHED, seed: SEED },
      );
      console.log(
        `hostile-drive fuzz (unfinished sets): ${cases} cases, ${resumed} resumed, ${resumedWhole} unaltered resumed and restored whole, 0 escapes, ${Math.round(performance.now() - started)} ms; codes: ${codesSummary()}`,
      );
      expect(cases).toBe(CASES_UNFINISHED);
      expect(resumedWhole).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );
});
