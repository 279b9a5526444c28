/**
 * The sealing walk when tar builder workers seal the entries: the sources' folders listed in
 * index order (shared/format/index-order.ts, as scan.ts walks them), without looking at the
 * entries themselves. Only folder listings are read here; each entry is lstat'ed (or opened and
 * fstat'ed) by the builder that seals it. An entry the listing cannot type (DT_UNKNOWN) is
 * lstat'ed here to know whether to go into it.
 *
 * Memory: the listings of the folders on the current path, as in scan.ts.
 */
import { lstatOrThrow, childPath, readdirOrThrow, topSources, type SubtreeTotals } from './scan.js';
import { changedSources } from './source-read.js';
import type { NamedBatchSegment } from './named-batch.js';

/** A regular file by its listing: the builder opens it directly (O_NOFOLLOW) and fstats it. */
export const KIND_FILE = 0;
/** A folder the walk went into: the builder lstats it, and it must still be a folder. */
export const KIND_FOLDER = 1;
/** Anything else (a link, or what the listing could not type): the builder lstats it. */
export const KIND_OTHER = 2;

/** The children of one folder (or one source), sorted, as one block of the index order. */
export interface Listing {
  /** The folder's source path (for a source: its parent's path, '' for '/'). */
  dir: Buffer;
  /** Where the archive path starts in a child's source path. */
  archiveAt: number;
  /** The children's names as latin1 strings (one character per byte), sorted bytewise. */
  names: string[];
  /** Per child: KIND_FILE, KIND_FOLDER or KIND_OTHER. */
  kinds: Uint8Array;
  /** Per child that is a folder: the totals of what lies below it, filled in as it is sealed. */
  below: (SubtreeTotals | undefined)[];
  /** The totals of the folder this block belongs to (its children are added to them), or null for the sources' block. */
  totals: SubtreeTotals | null;
}

function* listFolder(dir: Buffer, archiveAt: number, totals: SubtreeTotals): Generator<Listing> {
  // Latin1 strings compare character by character as their bytes do.
  const children = readdirOrThrow(dir, 'latin1').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names: string[] = new Array(children.length);
  const kinds = new Uint8Array(children.length);
  const below: (SubtreeTotals | undefined)[] = new Array(children.length);
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    names[i] = c.name;
    if (c.isFile()) continue; // KIND_FILE
    kinds[i] = KIND_OTHER;
    if (c.isSymbolicLink()) continue;
    const path = childPath(dir, Buffer.from(c.name, 'latin1'));
    const untyped = !c.isDirectory() && !c.isFIFO() && !c.isSocket() && !c.isBlockDevice() && !c.isCharacterDevice();
    if (c.isDirectory() || (untyped && lstatOrThrow(path).isDirectory())) {
      kinds[i] = KIND_FOLDER;
      below[i] = { entries: 0, files: 0, bytes: 0 };
      yield* listFolder(path, archiveAt, below[i]!);
    }
  }
  yield { dir, archiveAt, names, kinds, below, totals };
}

/**
 * The listings of `sources` in index order: the blocks of every folder, then one single-entry
 * listing per source (the sources' block). Throws as scan.ts's walkSources.
 */
export function* walkListings(sources: readonly string[]): Generator<Listing> {
  const top = topSources(sources);
  const below: (SubtreeTotals | undefined)[] = [];
  const kinds: number[] = [];
  for (const t of top) {
    const st = lstatOrThrow(t.abs);
    if (st.isDirectory()) {
      const totals = { entries: 0, files: 0, bytes: 0 };
      yield* listFolder(t.abs, t.archiveAt, totals);
      below.push(totals);
      kinds.push(KIND_FOLDER);
    } else {
      below.push(undefined);
      kinds.push(st.isFile() ? KIND_FILE : KIND_OTHER);
    }
  }
  for (let i = 0; i < top.length; i++) {
    const t = top[i]!;
    yield { dir: t.abs.subarray(0, t.archiveAt - 1), archiveAt: t.archiveAt, names: [t.name.toString('latin1')], kinds: Uint8Array.of(kinds[i]!), below: [below[i]], totals: null };
  }
}

/** A folder entry of a batch: its line is encoded once its subtree's totals are complete. */
export interface FolderInBatch {
  archivePath: Buffer;
  /** What lies below it. */
  below: SubtreeTotals;
  /** The totals of the folder it is in (null for a source). */
  parent: SubtreeTotals | null;
}

/**
 * Children [from, to) of listing `l` as a batch segment (exact-size arrays: a view would clone
 * its whole buffer); its folders are added to `folders` when given.
 */
export function segmentOf(l: Listing, from: number, to: number, folders?: FolderInBatch[]): NamedBatchSegment {
  const names = new Uint8Array(Buffer.from(l.names.slice(from, to).join('\0') + '\0', 'latin1'));
  if (folders) {
    for (let i = from; i < to; i++) {
      if (l.kinds[i] === KIND_FOLDER)
        folders.push({ archivePath: childPath(l.dir, Buffer.from(l.names[i]!, 'latin1')).subarray(l.archiveAt), below: l.below[i]!, parent: l.totals });
    }
  }
  return { dir: new Uint8Array(l.dir), archiveAt: l.archiveAt, names, kinds: l.kinds.slice(from, to) };
}

/** The children of the listings, in order, taken in runs. */
export class ListingCursor {
  private listing: Listing | undefined;
  private at = 0;

  constructor(private readonly listings: Generator<Listing>) {
    this.listing = this.nextNonEmpty();
  }

  /** True when every child was taken. */
  done(): boolean {
    return this.listing === undefined;
  }

  /** The next `n` children as [listing, from, to) ranges; E_SOURCE_CHANGED when there are fewer. */
  take(n: number): [Listing, number, number][] {
    const ranges = this.takeUpTo(n);
    if (ranges.reduce((sum, [, from, to]) => sum + to - from, 0) < n) throw changedSources();
    return ranges;
  }

  /** The next `n` children, or all that are left when there are fewer. */
  takeUpTo(n: number): [Listing, number, number][] {
    const ranges: [Listing, number, number][] = [];
    for (let l = this.listing; n > 0 && l !== undefined; l = this.listing) {
      const to = Math.min(l.names.length, this.at + n);
      ranges.push([l, this.at, to]);
      n -= to - this.at;
      this.at = to;
      if (to === l.names.length) {
        this.listing = this.nextNonEmpty();
        this.at = 0;
      }
    }
    return ranges;
  }

  private nextNonEmpty(): Listing | undefined {
    for (let r = this.listings.next(); !r.done; r = this.listings.next()) if (r.value.names.length > 0) return r.value;
    return undefined;
  }
}
