/**
 * Shared by the hostile-drive fuzz suites (shared/engine/hostile-fuzz*.test.ts): snapshots of
 * drive folders, the mutations an interceptor or insider can make (JSON fields, bytes, the
 * folder layout, traps in the restore folder), the run of one engine call (a failure must carry
 * a registered code other than E_INTERNAL) and the check that nothing was written outside the
 * drive and restore folders.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_CODES, isScelleError } from '../../shared/errors/scelle-error.js';
import { linkStaysInside } from '../../shared/engine/restore/restore-paths.js';
import { bytes, snapshotTree, writeTree } from './engine-fixtures.js';

/** A snapshot of a folder (from snapshotTree). */
export type Tree = ReturnType<typeof snapshotTree>;

/** Writes a snapshot (from snapshotTree) back under `dir`. */
export function restoreTree(dir: string, tree: Tree): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, e] of tree) {
    const p = join(dir, Buffer.from(rel, 'latin1').toString());
    if (e.type === 'directory') mkdirSync(p, { recursive: true });
    else if (e.type === 'symlink') symlinkSync(e.data, p);
    else writeFileSync(p, e.data);
  }
}

/** True when two snapshots hold the same names, types and bytes. */
export function sameTree(a: Tree, b: Tree): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.type !== v.type || !w.data.equals(v.data)) return false;
  }
  return true;
}

// ---- mutations ------------------------------------------------------------------------------

/** Strings an attacker would try: traversals, drive file names, empty, NUL, oversized. */
export const hostileString = fc.oneof(
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

/** Values an attacker would try in a JSON field: bounds, wrong types, hostile strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5, 65536, 1048576, 1048577, 4294967296, 0o4777, 0o7777, null, true, [], {}),
  fc.integer(),
  hostileString,
);

/** One change to a JSON document: a value replaced, an element repeated, a key removed — anywhere, or below `under` (a dotted path). */
export function jsonEditOf(under: fc.Arbitrary<string>, value: fc.Arbitrary<unknown> = hostileValue) {
  return fc.record({ under, kind: fc.constantFrom('set', 'set', 'repeat', 'delete'), at: fc.nat(), value, times: fc.integer({ min: 2, max: 40 }) });
}

/** jsonEditOf over the places of a manifest and a seal state that matter most. */
export const jsonEdit = jsonEditOf(fc.constantFrom('', '', 'keyslots', 'payload.parts', 'keyslots.0', 'payload', 'index', 'station', 'parts', 'resumeSlot'));

/** One JSON edit (see jsonEditOf). */
export interface JsonEdit {
  under: string;
  kind: string;
  at: number;
  value: unknown;
  times: number;
}

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

/** Applies one edit to `doc` in place. */
export function applyJsonEdit(doc: unknown, e: JsonEdit): void {
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

/** Damaged bytes of one drive file: a bit flipped, the file truncated or extended. */
export const byteEdit = fc.record({
  file: fc.constantFrom('manifest.json', 'manifest.sig', 'index.scx', 'payload/part-00000.scx', 'payload/part-00001.scx', '.seal-state.json'),
  kind: fc.constantFrom('flip', 'truncate', 'append'),
  at: fc.nat(),
  data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});
/** One byteEdit. */
export type ByteEdit = typeof byteEdit extends fc.Arbitrary<infer T> ? T : never;

/** A change to the drive folder's layout: links to the sentinel, folders, FIFOs, extra and missing files. */
export const layoutEdit = fc.record({
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
/** One layoutEdit. */
export type LayoutEdit = typeof layoutEdit extends fc.Arbitrary<infer T> ? T : never;

/** A trap planted in the restore folder before an open. */
export const destEdit = fc.constantFrom('none', 'none', 'link-data-to-sentinel', 'link-file-to-victim', 'existing-file');

/** The sentinel folder the planted links point into: it must never change. */
export function plantSentinel(sentinel: string): void {
  writeTree(sentinel, { 'victim.txt': 'must never change', 'dir/keep.bin': bytes(4096, 7), 'data/a.txt': 'sentinel copy' });
}

/** True when the folders leading to `name` in the drive are real folders (the harness itself never writes through a link). */
function reachable(driveDir: string, name: string): boolean {
  const parts = name.split('/');
  for (let i = 1; i < parts.length; i++) {
    try {
      if (!lstatSync(join(driveDir, parts.slice(0, i).join('/'))).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Applies a layout edit to the drive folder `driveDir` (links point into `sentinel`). */
export function applyLayout(driveDir: string, sentinel: string, e: LayoutEdit): void {
  if (!reachable(driveDir, e.name)) return;
  const p = join(driveDir, e.name);
  const clear = () => rmSync(p, { recursive: true, force: true });
  try {
    switch (e.kind) {
      case 'link-to-victim':
        clear();
        symlinkSync(join(sentinel, 'victim.txt'), p);
        break;
      case 'link-to-sentinel-dir':
        clear();
        symlinkSync(join(sentinel, 'dir'), p);
        break;
      case 'dangling-link':
        clear();
        symlinkSync(join(sentinel, 'not-there'), p);
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

/** Applies a byte edit to a file of the drive folder `driveDir` (when it is a regular file). */
export function applyBytes(driveDir: string, e: ByteEdit): void {
  if (!reachable(driveDir, e.file)) return;
  const p = join(driveDir, e.file);
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

/** Applies `edits` to the JSON file at `path`; returns its new bytes, or null when it is not a readable JSON file. */
export function editJsonFile(path: string, edits: JsonEdit[]): Buffer | null {
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

/** Plants a destEdit trap in the restore folder `dest`. */
export function applyDest(dest: string, sentinel: string, kind: string): void {
  if (kind === 'link-data-to-sentinel') symlinkSync(sentinel, join(dest, 'data'));
  if (kind === 'link-file-to-victim') {
    mkdirSync(join(dest, 'data'));
    symlinkSync(join(sentinel, 'victim.txt'), join(dest, 'data/a.txt'));
  }
  if (kind === 'existing-file') writeTree(dest, { 'data/a.txt': 'the user’s own file' });
}

// ---- what must hold ---------------------------------------------------------------------------

const KNOWN = new Set<string>(ERROR_CODES);

/** How often each code was seen (reported at the end of a suite). */
export const codesSeen = new Map<string, number>();

/** codesSeen as text. */
export function codesSummary(): string {
  return [...codesSeen].map(([k, v]) => `${k}×${v}`).join(' ');
}

/**
 * Runs one engine call; a failure must be a ScelleError with a registered code other than
 * E_INTERNAL (so must every problem a verify report lists). Returns the call's result, or the
 * failure's code.
 */
export async function run<T>(what: string, fn: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    const r = await fn();
    const problems = (r as { problems?: { code: string }[] } | undefined)?.problems ?? [];
    for (const p of problems) {
      if (!KNOWN.has(p.code) || p.code === 'E_INTERNAL') throw new Error(`${what}: verify reported ${p.code}`);
      codesSeen.set(p.code, (codesSeen.get(p.code) ?? 0) + 1);
    }
    return { ok: true, value: r };
  } catch (e) {
    if (process.env.SCELLE_FUZZ_DEBUG && isScelleError(e) && e.code === process.env.SCELLE_FUZZ_DEBUG) console.log(what, e.message);
    if (!isScelleError(e) || !KNOWN.has(e.code) || e.code === 'E_INTERNAL') {
      throw new Error(`${what} crashed instead of a stable error: ${isScelleError(e) ? `${e.code} ${e.message}` : String((e as Error)?.stack ?? e)}`);
    }
    codesSeen.set(e.code, (codesSeen.get(e.code) ?? 0) + 1);
    return { ok: false, code: e.code };
  }
}

/** The folders of one case: the volumes holding drive folders, the restore folder, the sentinel. */
export interface FuzzFolders {
  root: string;
  dest: string;
  sentinel: string;
}

/**
 * Problems showing a write outside the drive or restore folder (empty when none): the sentinel
 * changed, something appeared beside the folders of `w` or on a volume (`volumes`: each folder
 * under `w.root` holding drive folders, with the names allowed on it), or something restored
 * carries an unsafe mode or a link leading out of the restore folder.
 */
export function escapes(w: FuzzFolders, sentinelBefore: Tree, volumes: ReadonlyMap<string, (name: string) => boolean>): string[] {
  const found: string[] = [];
  if (!sameTree(snapshotTree(w.sentinel), sentinelBefore)) found.push('the sentinel folder changed');
  const beside = readdirSync(w.root).sort();
  const expected = ['dest', 'sentinel', ...volumes.keys()].sort();
  if (beside.join() !== expected.join()) found.push(`unexpected entries beside the folders: ${beside.join()}`);
  for (const [vol, allowed] of volumes) {
    const onVolume = readdirSync(join(w.root, vol));
    if (onVolume.some((n) => !allowed(n))) found.push(`unexpected entries on ${vol}: ${onVolume.join()}`);
  }
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
