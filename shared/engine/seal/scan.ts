/**
 * Walks the sources of a seal without following symbolic links (count-sources.ts counts them
 * first), yielding the entries in the order of the tar stream and the index (shared/format/index-order.ts): the blocks of the
 * folders below a folder first, then the folder's own children sorted bytewise; the sources
 * themselves form the last block, sorted by name. A folder's entry carries the totals of what
 * lies below it. Names are kept as bytes so that names that are not valid UTF-8 survive.
 *
 * Memory: the listings of the folders on the current path, never the list of entries, so
 * counting and sealing a million files costs what one folder's listing costs.
 */
import { createHash, type Hash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ScelleError } from '../../errors/scelle-error.js';
import { END_OF_ARCHIVE, padding, tarHeaderSize, type TarEntryType } from '../../format/tar.js';
import { BatchPlanner, type BatchPlan } from './batch-plan.js';
import { fingerprintFields } from './entry-fingerprint.js';

/** The totals of a folder's subtree (everything below it, at any depth). */
export interface SubtreeTotals {
  entries: number;
  files: number;
  bytes: number;
}

/** One entry to seal. */
export interface SourceEntry {
  /** Absolute path on this machine, as bytes. */
  sourcePath: Buffer;
  /** Relative '/'-separated path in the tar stream and index, as bytes. */
  archivePath: Buffer;
  type: TarEntryType;
  size: number;
  mode: number;
  mtimeMs: number;
  linkTarget?: Buffer;
  /** Bytes of the entry in the tar stream: headers, data and padding. */
  tarBytes: number;
  /** Folders: what lies below. */
  totals?: SubtreeTotals;
}

/** What counting the sources found: totals and a fingerprint of what was seen. */
export interface ScanResult {
  /** Number of entries. */
  entries: number;
  files: number;
  bytes: number;
  /** Exact size of the tar stream these entries make. */
  tarSize: number;
  /** SHA-256 over names, types, sizes, modes, mtimes and link targets: changes when the sources do. */
  fingerprint: string;
  /** How the stream is cut into tar builder batches (when the count was asked for it). */
  plan?: BatchPlan;
}

/** What a source is by its lstat; E_SOURCE_UNSUPPORTED for a FIFO, socket or device. */
export function kindOf(st: Stats, path: Buffer): TarEntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  const what = st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device';
  throw new ScelleError('E_SOURCE_UNSUPPORTED', `${path.toString()} is a ${what}, which scelle/1 cannot store`, { path: path.toString(), kind: what });
}

/** lstat of a source, its errors as E_SOURCE_NOT_FOUND / E_SOURCE_UNREADABLE. */
export function lstatOrThrow(path: Buffer): Stats {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ScelleError('E_SOURCE_NOT_FOUND', `${path.toString()} does not exist`, { path: path.toString() });
    throw new ScelleError('E_SOURCE_UNREADABLE', `${path.toString()} cannot be read (${code})`, { path: path.toString(), errno: String(code) });
  }
}

/** A folder's listing, its errors as E_SOURCE_CHANGED (gone) / E_SOURCE_UNREADABLE. */
export function readdirOrThrow(path: Buffer): Dirent<Buffer>[];
/** The same with the names as latin1 strings (one character per byte: exact, and far cheaper than a Buffer per name). */
export function readdirOrThrow(path: Buffer, encoding: 'latin1'): Dirent[];
export function readdirOrThrow(path: Buffer, encoding: 'buffer' | 'latin1' = 'buffer'): Dirent<Buffer>[] | Dirent[] {
  try {
    return encoding === 'buffer' ? readdirSync(path, { encoding: 'buffer', withFileTypes: true }) : readdirSync(path, { encoding, withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ScelleError('E_SOURCE_CHANGED', `${path.toString()} disappeared while being read`, { path: path.toString() });
    throw new ScelleError('E_SOURCE_UNREADABLE', `folder ${path.toString()} cannot be listed (${code})`, { path: path.toString(), errno: String(code) });
  }
}

/** Size in the tar stream of one entry: headers, data and padding. */
export function tarEntrySize(e: Omit<SourceEntry, 'tarBytes'>): number {
  const header = tarHeaderSize({ path: e.archivePath, type: e.type, size: e.size, mode: e.mode, mtime: Math.floor(e.mtimeMs / 1000), linkTarget: e.linkTarget });
  return header + e.size + padding(e.size);
}

/** `base` + '/' + `name`, in one allocation. */
export function childPath(base: Buffer, name: Buffer): Buffer {
  const p = Buffer.allocUnsafe(base.length + 1 + name.length);
  base.copy(p, 0);
  p[base.length] = 0x2f;
  name.copy(p, base.length + 1);
  return p;
}

/**
 * The entry at `sourcePath`; its archive path is sourcePath's bytes from `archiveAt` on (the
 * source's own name and what follows), shared rather than copied. `totals` is given for a folder
 * the walk went into (E_SOURCE_CHANGED when that and what lstat says differ).
 */
export function entryAt(sourcePath: Buffer, archiveAt: number, totals: SubtreeTotals | undefined): SourceEntry {
  const st = lstatOrThrow(sourcePath);
  const type = kindOf(st, sourcePath);
  if (type === 'directory') {
    if (totals === undefined) throw new ScelleError('E_SOURCE_CHANGED', `${sourcePath.toString()} became a folder while being read`, { path: sourcePath.toString() });
  } else if (totals !== undefined) {
    throw new ScelleError('E_SOURCE_CHANGED', `${sourcePath.toString()} stopped being a folder while being read`, { path: sourcePath.toString() });
  }
  const e: SourceEntry = {
    sourcePath,
    archivePath: sourcePath.subarray(archiveAt),
    type,
    size: type === 'file' ? st.size : 0,
    mode: st.mode & 0o7777,
    mtimeMs: st.mtimeMs,
    linkTarget: type === 'symlink' ? readlinkSync(sourcePath, { encoding: 'buffer' }) : undefined,
    tarBytes: 0,
    totals,
  };
  e.tarBytes = tarEntrySize(e);
  return e;
}

/** Adds entry `e` (and what lies below it) to the totals of the folder it is in. */
export function addToTotals(t: SubtreeTotals, e: SourceEntry): void {
  t.entries += 1 + (e.totals?.entries ?? 0);
  t.files += (e.type === 'file' ? 1 : 0) + (e.totals?.files ?? 0);
  t.bytes += e.size + (e.totals?.bytes ?? 0);
}

/** Everything below folder `sourcePath`, in index order; returns the folder's totals. */
function* walkFolder(sourcePath: Buffer, archiveAt: number): Generator<SourceEntry, SubtreeTotals> {
  const children = readdirOrThrow(sourcePath).sort((a, b) => Buffer.compare(a.name, b.name));
  // Paths are made when needed, not kept for the whole listing: a folder may hold millions of entries.
  const below: (SubtreeTotals | undefined)[] = new Array(children.length);
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.isFile() || c.isSymbolicLink()) continue;
    const path = childPath(sourcePath, c.name);
    if (c.isDirectory() || lstatOrThrow(path).isDirectory()) below[i] = yield* walkFolder(path, archiveAt);
  }
  const totals: SubtreeTotals = { entries: 0, files: 0, bytes: 0 };
  for (let i = 0; i < children.length; i++) {
    const e = entryAt(childPath(sourcePath, children[i]!.name), archiveAt, below[i]);
    addToTotals(totals, e);
    yield e;
  }
  return totals;
}

/**
 * The entries of `sources` in index order (see module doc), read as they are yielded.
 * Throws E_USAGE (no source, the root folder, two sources with the same name),
 * E_SOURCE_NOT_FOUND, E_SOURCE_UNREADABLE, E_SOURCE_UNSUPPORTED (FIFO, socket, device),
 * E_SOURCE_CHANGED (a folder appeared or disappeared meanwhile).
 */
export function* walkSources(sources: readonly string[]): Generator<SourceEntry> {
  const top = topSources(sources);
  const below: (SubtreeTotals | undefined)[] = [];
  for (const t of top) below.push(lstatOrThrow(t.abs).isDirectory() ? yield* walkFolder(t.abs, t.archiveAt) : undefined);
  for (let i = 0; i < top.length; i++) yield entryAt(top[i]!.abs, top[i]!.archiveAt, below[i]);
}

/** One source as given: its name, absolute path, and where its name starts in that path. */
export interface TopSource {
  name: Buffer;
  abs: Buffer;
  archiveAt: number;
}

/** The sources, resolved and sorted by name. Throws E_USAGE as {@link walkSources}. */
export function topSources(sources: readonly string[]): TopSource[] {
  if (sources.length === 0) throw new ScelleError('E_USAGE', 'no source to seal was given');
  const top: TopSource[] = [];
  const names = new Set<string>();
  for (const source of sources) {
    const abs = resolve(source);
    const name = basename(abs);
    if (name === '' || abs === '/') throw new ScelleError('E_USAGE', 'the root folder cannot be sealed as a whole; choose folders inside it');
    if (names.has(name)) throw new ScelleError('E_USAGE', `two sources are named "${name}"; rename one or seal their parent folder`, { name });
    names.add(name);
    const absBytes = Buffer.from(abs);
    const nameBytes = Buffer.from(name);
    top.push({ name: nameBytes, abs: absBytes, archiveAt: absBytes.length - nameBytes.length });
  }
  top.sort((a, b) => Buffer.compare(a.name, b.name));
  return top;
}

/** Accumulates the totals and fingerprint of entries as they are walked. */
export class ScanTally {
  entries = 0;
  files = 0;
  bytes = 0;
  tarSize = END_OF_ARCHIVE.length;
  private readonly fp: Hash = createHash('sha256');
  /** One entry's fixed-size fields, hashed after its path (binary: no text formatting per entry; entry-fingerprint.ts). */
  private readonly fields = new Float64Array(6);
  private readonly fieldBytes = new Uint8Array(this.fields.buffer);

  /** @param planner when given, also records how the stream is cut into tar builder batches. */
  constructor(private readonly planner?: BatchPlanner) {}

  /** Counts one entry. */
  add(e: SourceEntry): void {
    this.entries++;
    if (e.type === 'file') {
      this.files++;
      this.bytes += e.size;
    }
    this.tarSize += e.tarBytes;
    this.planner?.add(e.tarBytes);
    fingerprintFields(this.fields, e.archivePath.length, e.type, e.size, e.mode, e.mtimeMs, e.linkTarget);
    this.fp.update(e.archivePath);
    this.fp.update(this.fieldBytes);
    if (e.linkTarget !== undefined) this.fp.update(e.linkTarget);
  }

  /**
   * Counts consecutive entries whose fingerprint records (entry-fingerprint.ts) are `records`,
   * in the order they were made (what one batch of a tar builder saw); `tarBytes` is their tar
   * size, or each one's when the batches are planned.
   */
  addRecords(records: Uint8Array, entries: number, files: number, bytes: number, tarBytes: number | Float64Array): void {
    this.entries += entries;
    this.files += files;
    this.bytes += bytes;
    if (typeof tarBytes === 'number') this.tarSize += tarBytes;
    else
      for (const t of tarBytes) {
        this.tarSize += t;
        this.planner?.add(t);
      }
    this.fp.update(records);
  }

  /** The result (once: the fingerprint's hash is finished). */
  result(): ScanResult {
    const r: ScanResult = { entries: this.entries, files: this.files, bytes: this.bytes, tarSize: this.tarSize, fingerprint: this.fp.digest('hex') };
    if (this.planner) r.plan = this.planner.finish();
    return r;
  }
}
