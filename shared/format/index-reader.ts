/**
 * Reads index.scx (docs/FORMAT.md §5) without holding it in memory: opening reads the header
 * line, the trailer and the small directory (a few segments at most); entry lines are then
 * decrypted segment by segment, either all in one pass ({@link IndexReader.entries}, checked
 * by {@link IndexChecker}) or from the place found by binary search over the directory
 * ({@link IndexReader.find}, {@link IndexReader.children}, {@link IndexReader.subtree}), which
 * decrypts one or two segments. Every segment authenticates before any of its bytes are used.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { FORMAT_LIMITS, checkLimit } from './limits.js';
import { ScelleError } from '../errors/scelle-error.js';
import { indexError, parseIndexDirectoryLine, parseIndexEntryLine, parseIndexHeaderLine, parseIndexTrailerLine, type IndexTrailer } from './index-codec.js';
import { entryPathBytes, type IndexEntry } from './index-line.js';
import { compareEntryPaths, compareFolders, compareToSubtree, isWithin, parentOf } from './index-order.js';
import { indexAssociatedData } from './layout.js';
import { SCELLE_LAYOUT, SegmentDecrypter } from './stream.js';
import { freeBuffers } from './free-buffers.js';

/** Random access to the ciphertext of an index. */
export interface IndexSource {
  /** Ciphertext bytes. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `position` (fewer only at the end of the file). With
   * `scratch` (at least `length` bytes), the bytes may be read into it: the result is then
   * valid until the next read with the same scratch.
   */
  readAt(position: number, length: number, scratch?: Buffer): Buffer;
  close(): void;
}

/** The index file at `path` as a source. @throws the fs error when it cannot be opened. */
export function fileSource(path: string): IndexSource {
  const fd = openSync(path, 'r');
  return fdSource(fd, fstatSync(fd).size);
}

/** An index file already open as `fd` (of `size` bytes) as a source; closing the source closes `fd`. */
export function fdSource(fd: number, size: number): IndexSource {
  return {
    size,
    readAt(position, length, scratch) {
      const out = scratch !== undefined && scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done === length ? out : out.subarray(0, done);
    },
    close: () => closeSync(fd),
  };
}

/** An index held in memory (tests, small tools). */
export function bufferSource(ciphertext: Uint8Array): IndexSource {
  const buf = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length);
  return { size: buf.length, readAt: (p, n) => buf.subarray(p, Math.min(buf.length, p + n)), close: () => undefined };
}

/** One entry line and where it starts in the index plaintext. */
export interface LocatedEntry {
  at: number;
  entry: IndexEntry;
}

/**
 * The path bytes of an entry line, read from its leading `{"path":"…"` without parsing the
 * whole line when it has the shape Scellé writes (no pathBytes); else from the parsed entry.
 */
function pathOfLine(text: string): Buffer {
  if (text.startsWith('{"path":"') && !text.includes('"pathBytes"')) {
    let i = 9;
    let escaped = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i++;
      }
    }
    const raw = text.slice(9, i);
    return Buffer.from(escaped ? (JSON.parse(`"${raw}"`) as string) : raw, 'utf8');
  }
  return entryPathBytes(parseIndexEntryLine(text));
}

/** Decrypted segments kept for random access (lookups touch one or two). */
const CACHED_SEGMENTS = 4;

/** An open index: its trailer and directory, and ways to read its entries. */
export class IndexReader {
  /** Plaintext offset of the first entry line (right after the header line). */
  readonly entriesAt: number;
  readonly trailer: IndexTrailer;
  /** The directory: the first entry line of each index segment holding the start of one. */
  readonly directory: readonly { at: number; path: Buffer }[];
  private readonly dec: SegmentDecrypter;
  private readonly plainSize: number;
  private readonly segmentCount: number;
  /** Decrypted segments, each as the slices the cipher returned (never copied into one buffer). */
  private readonly cache = new Map<number, Buffer[]>();
  /** One buffer for the ciphertext of the segment being decrypted. */
  private readonly scratch = Buffer.allocUnsafeSlow(SCELLE_LAYOUT.segmentSize);

  /**
   * Opens the index of drive `driveId` with its data key. Reads and checks the header line,
   * the trailer and the directory.
   * @throws ScelleError E_FORMAT_INDEX (does not authenticate, malformed, inconsistent),
   *   E_FORMAT_UNSUPPORTED (another format), E_FORMAT_LIMIT (a line, or the whole index relative
   *   to its trailer's entry count, beyond bounds). The source is closed on error.
   */
  static open(source: IndexSource, dataKey: Uint8Array, driveId: string): IndexReader {
    try {
      return new IndexReader(source, dataKey, driveId);
    } catch (e) {
      source.close();
      if (e instanceof ScelleError && (e.code === 'E_FORMAT_INDEX' || e.code === 'E_FORMAT_UNSUPPORTED' || e.code === 'E_FORMAT_LIMIT')) throw e;
      if (e instanceof ScelleError) throw new ScelleError('E_FORMAT_INDEX', `the index does not authenticate: ${e.message}`, {}, { cause: e });
      throw e;
    }
  }

  private constructor(
    private readonly source: IndexSource,
    dataKey: Uint8Array,
    driveId: string,
  ) {
    const header = source.readAt(0, SCELLE_LAYOUT.headerSize);
    this.dec = new SegmentDecrypter(dataKey, indexAssociatedData(driveId), header);
    this.plainSize = SCELLE_LAYOUT.plaintextSize(source.size);
    this.segmentCount = SCELLE_LAYOUT.segmentCount(this.plainSize);

    const first = this.lines(0, this.plainSize).next();
    if (first.done) throw indexError('is empty');
    const head = parseIndexHeaderLine(first.value.text);
    if (head.driveId !== driveId) throw indexError('belongs to another drive', 1);
    this.entriesAt = first.value.end;

    const trailerAt = this.lastLineStart();
    const trailerLine = this.lines(trailerAt, this.plainSize).next();
    this.trailer = parseIndexTrailerLine(trailerLine.done ? '' : trailerLine.value.text);
    const t = this.trailer;
    if (t.directoryAt < this.entriesAt || t.directoryAt > trailerAt) throw indexError('trailer: directoryAt lies outside the index');
    if ((t.entries === 0) !== (t.directoryAt === this.entriesAt)) throw indexError('trailer: the entry count disagrees with the entry lines');
    // Relative to its trailer, an index holds a header, one line per entry, at most one directory
    // line per entry and the trailer, each bounded: anything bigger is refused before it is read.
    checkLimit('index bytes', this.plainSize, (2 * t.entries + 2) * FORMAT_LIMITS.indexLineBytes);

    const directory: { at: number; path: Buffer }[] = [];
    let lastSegment = -1;
    for (const line of this.lines(t.directoryAt, trailerAt)) {
      const d = parseIndexDirectoryLine(line.text);
      const segment = SCELLE_LAYOUT.segmentOf(d.at);
      const path = entryPathBytes(d);
      if (d.at < this.entriesAt || d.at >= t.directoryAt || segment <= lastSegment) throw indexError('directory: a line is out of place');
      if (directory.length === 0 && d.at !== this.entriesAt) throw indexError('directory: does not start at the first entry');
      if (directory.length > 0 && compareEntryPaths(directory[directory.length - 1]!.path, path) >= 0) throw indexError('directory: paths out of order');
      directory.push({ at: d.at, path });
      lastSegment = segment;
    }
    if ((directory.length === 0) !== (t.entries === 0)) throw indexError('directory: missing');
    this.directory = directory;
  }

  /** Closes the file. */
  close(): void {
    for (const slices of this.cache.values()) freeBuffers(slices);
    this.cache.clear();
    this.source.close();
  }

  /** Every entry, in index order, without the whole-index checks (see {@link IndexChecker}). */
  *entries(): Generator<IndexEntry> {
    for (const l of this.scan(this.entriesAt)) yield l.entry;
  }

  /** Entries from plaintext offset `from` (the start of an entry line) to the end of the entries. */
  *scan(from: number): Generator<LocatedEntry> {
    for (const line of this.lines(from, this.trailer.directoryAt)) yield { at: line.start, entry: parseIndexEntryLine(line.text) };
  }

  /**
   * The first entry for which `before(path)` is false, where `before` is true for a prefix
   * of the index order and false after: binary search over the directory, then a scan of at
   * most one segment. Returns its offset (the end of the entries when there is none).
   */
  seek(before: (path: Buffer) => boolean): number {
    let lo = 0;
    let hi = this.directory.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.directory[mid]!.path)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return this.directory.length > 0 ? this.directory[0]!.at : this.trailer.directoryAt;
    for (const line of this.lines(this.directory[lo - 1]!.at, this.trailer.directoryAt)) {
      if (!before(pathOfLine(line.text))) return line.start;
    }
    return this.trailer.directoryAt;
  }

  /** The entry with exactly these path bytes, or null. */
  find(path: Uint8Array): IndexEntry | null {
    const at = this.seek((p) => compareEntryPaths(p, path) < 0);
    for (const { entry } of this.scan(at)) return entryPathBytes(entry).equals(path) ? entry : null;
    return null;
  }

  /** The entries directly inside `folder` (the root when empty), in index order. */
  *children(folder: Uint8Array): Generator<IndexEntry> {
    const at = this.seek((p) => compareFolders(parentOf(p), folder) < 0);
    for (const { entry } of this.scan(at)) {
      if (compareFolders(parentOf(entryPathBytes(entry)), folder) !== 0) return;
      yield entry;
    }
  }

  /** Everything below `folder` (not the folder's own entry), in index order. */
  *subtree(folder: Uint8Array): Generator<LocatedEntry> {
    const at = this.seek((p) => compareToSubtree(p, folder) < 0);
    for (const located of this.scan(at)) {
      if (!isWithin(parentOf(entryPathBytes(located.entry)), folder)) return;
      yield located;
    }
  }

  /** The decrypted plaintext of segment `i` (authenticated), in the cipher's slices. */
  private slices(i: number): Buffer[] {
    const hit = this.cache.get(i);
    if (hit) return hit;
    const start = SCELLE_LAYOUT.segmentCiphertextStart(i);
    const end = Math.min(this.source.size, (i + 1) * SCELLE_LAYOUT.segmentSize);
    const ct = this.source.readAt(start, end - start, this.scratch);
    if (ct.length !== end - start) throw new ScelleError('E_FORMAT_INDEX', `the index is shorter than its size (segment ${i})`);
    const plain = this.dec.decryptSegmentSlices(i, ct, i === this.segmentCount - 1);
    if (this.cache.size >= CACHED_SEGMENTS) {
      const oldest = this.cache.keys().next().value!;
      // Freed at once, not at the next collection (a full pass decrypts the whole index).
      freeBuffers(this.cache.get(oldest)!);
      this.cache.delete(oldest);
    }
    this.cache.set(i, plain);
    return plain;
  }

  /** The decrypted plaintext of segment `i` in one buffer. */
  private segment(i: number): Buffer {
    const s = this.slices(i);
    return s.length === 1 ? s[0]! : Buffer.concat(s);
  }

  /**
   * Offset where the last line starts. Called once the header line was read (so the index is
   * not empty); an index that does not end with a newline is refused when its last line is read.
   */
  private lastLineStart(): number {
    let seg = this.segmentCount - 1;
    let data = this.segment(seg);
    let searchFrom = data.length - 2;
    for (;;) {
      const nl = searchFrom < 0 ? -1 : data.lastIndexOf(0x0a, searchFrom);
      if (nl >= 0) return SCELLE_LAYOUT.segmentPlaintextStart(seg) + nl + 1;
      if (seg === 0) return 0;
      seg--;
      data = this.segment(seg);
      searchFrom = data.length - 1;
    }
  }

  /**
   * The lines starting in [from, to), `from` being the start of a line. The whole lines of each
   * slice of plaintext the cipher returned are checked as UTF-8 and decoded at once (one check
   * and one decode per slice, not per line); a line split across slices is joined first.
   */
  private *lines(from: number, to: number): Generator<IndexLine> {
    if (from >= to) return;
    let seg = SCELLE_LAYOUT.segmentOf(from);
    let lineStart = from;
    let carry: Buffer[] = [];
    while (seg < this.segmentCount) {
      let chunkStart = SCELLE_LAYOUT.segmentPlaintextStart(seg);
      for (const data of this.slices(seg)) {
        const dataStart = chunkStart;
        chunkStart += data.length;
        if (chunkStart <= lineStart) continue;
        let i = Math.max(lineStart, dataStart) - dataStart;
        if (carry.length > 0) {
          const nl = data.indexOf(0x0a, i);
          if (nl >= 0) {
            const line = lineOf(Buffer.concat([...carry, data.subarray(i, nl)]), lineStart);
            carry = [];
            yield line;
            lineStart = line.end;
            if (lineStart >= to) return;
            i = nl + 1;
          }
        }
        const last = carry.length > 0 ? -1 : data.lastIndexOf(0x0a);
        if (last >= i) {
          for (const line of wholeLines(data, i, last, lineStart)) {
            yield line;
            lineStart = line.end;
            if (lineStart >= to) return;
          }
          i = last + 1;
        }
        // Copied: a line may outlive the cached segments its start lies in.
        if (i < data.length) carry.push(Buffer.from(data.subarray(i)));
        if (chunkStart - lineStart > FORMAT_LIMITS.indexLineBytes) checkLimit('index line bytes', chunkStart - lineStart, FORMAT_LIMITS.indexLineBytes);
      }
      seg++;
    }
    throw indexError('does not end with a newline (truncated?)');
  }
}

/** One line of the index plaintext: where it starts, where the next begins, its text. */
interface IndexLine {
  start: number;
  end: number;
  text: string;
}

/** A line from its bytes (without the newline) starting at plaintext offset `start`. */
function lineOf(bytes: Buffer, start: number): IndexLine {
  if (bytes.length === 0) throw indexError(`blank line at offset ${start}`);
  if (!isUtf8(bytes)) throw indexError(`a line at offset ${start} is not valid UTF-8`);
  return { start, end: start + bytes.length + 1, text: bytes.toString('utf8') };
}

/**
 * The lines in data[from, last), `last` being the offset of a newline and `from` the start
 * of a line at plaintext offset `start`. Valid UTF-8 (the usual case) is decoded at once; a
 * region holding invalid bytes is read line by line so the lines before the bad one are still
 * given and the error names the bad line.
 */
function* wholeLines(data: Buffer, from: number, last: number, start: number): Generator<IndexLine> {
  const region = data.subarray(from, last);
  if (!isUtf8(region)) {
    for (let i = from; i <= last;) {
      const nl = data.indexOf(0x0a, i);
      const line = lineOf(data.subarray(i, nl), start);
      yield line;
      start = line.end;
      i = nl + 1;
    }
    return;
  }
  const text = region.toString('utf8');
  // ASCII text (every Scellé-written index of plain names) has one byte per character.
  const ascii = text.length === region.length;
  for (let p = 0; p <= text.length;) {
    let q = text.indexOf('\n', p);
    if (q < 0) q = text.length;
    if (q === p) throw indexError(`blank line at offset ${start}`);
    const line = text.slice(p, q);
    const end = start + (ascii ? q - p : Buffer.byteLength(line, 'utf8')) + 1;
    yield { start, end, text: line };
    start = end;
    p = q + 1;
  }
}

/** How an error names an entry (built only when one is thrown). */
const where = (entry: IndexEntry) => `entry ${JSON.stringify(entry.path)}`;

/** Running totals of one folder's subtree. */
interface Totals {
  entries: number;
  files: number;
  bytes: number;
}

/**
 * The whole-index checks of one full pass (docs/FORMAT.md §5 and §8): entries strictly in
 * index order (so paths are unique), tar offsets strictly increasing and inside the tar
 * stream, every folder's totals equal to what lies below it, nothing below a file or link,
 * the directory naming exactly the first entry of each segment, and the trailer's counts.
 * Memory: the folders on the current path and the finished subfolders waiting for their
 * parent's block (the width of a folder, never the whole index).
 */
export class IndexChecker {
  private previous: Buffer | null = null;
  private previousOffset = -1;
  private directoryNext = 0;
  private lastSegment = -1;
  private readonly total: Totals = { entries: 0, files: 0, bytes: 0 };
  /** Open folders, outermost (the root) first, with the totals of what was seen below them. */
  private readonly open: { path: Uint8Array; totals: Totals }[] = [{ path: new Uint8Array(0), totals: { entries: 0, files: 0, bytes: 0 } }];
  /** Finished subtrees whose folder's own entry has not been seen yet, by path (latin1). */
  private readonly pending = new Map<string, Totals>();

  constructor(private readonly reader: IndexReader) {}

  /**
   * Checks the next entry (in index order, `at` its line offset).
   * @throws ScelleError E_FORMAT_INDEX naming what is wrong.
   */
  add(at: number, entry: IndexEntry): void {
    const path = entryPathBytes(entry);
    const t = this.reader.trailer;
    if (this.previous !== null && compareEntryPaths(this.previous, path) >= 0) throw indexError(`${where(entry)} is out of order or repeated`);
    if (entry.offset <= this.previousOffset) throw indexError(`${where(entry)}: its tar offset does not follow the previous entry's`);
    if (entry.offset + entry.size > (t.set?.totalSize ?? t.totalSize)) throw indexError(`${where(entry)}: its content lies beyond the end of the tar stream`);
    const segment = SCELLE_LAYOUT.segmentOf(at);
    if (segment !== this.lastSegment) {
      const d = this.reader.directory[this.directoryNext++];
      if (d === undefined || d.at !== at || !d.path.equals(path)) throw indexError(`directory: does not name ${where(entry)}`);
      this.lastSegment = segment;
    }
    this.previous = path;
    this.previousOffset = entry.offset;

    const parent = parentOf(path);
    this.enterBlock(parent);
    const top = this.open[this.open.length - 1]!.totals;
    top.entries++;
    if (entry.type === 'file') {
      top.files++;
      top.bytes += entry.size;
      this.total.files++;
      this.total.bytes += entry.size;
    }
    this.total.entries++;
    // Finished subtrees wait here for their folder's own entry, which comes right after them.
    let below: Totals | undefined;
    if (this.pending.size > 0) {
      const key = path.toString('latin1');
      below = this.pending.get(key);
      if (below !== undefined) {
        this.pending.delete(key);
        if (entry.type !== 'directory') throw indexError(`${where(entry)} is a ${entry.type}, yet entries lie below it`);
      }
    }
    if (entry.type === 'directory') {
      const seen = below ?? { entries: 0, files: 0, bytes: 0 };
      if (seen.entries !== entry.entries || seen.files !== entry.files || seen.bytes !== entry.bytes) {
        throw indexError(
          `${where(entry)}: its totals (${entry.entries} entries, ${entry.files} files, ${entry.bytes} bytes) differ from what lies below it (${seen.entries}, ${seen.files}, ${seen.bytes})`,
        );
      }
    }
  }

  /**
   * Ends the pass: the trailer's counts, the directory's length, and no folder left without
   * its own entry. @throws ScelleError E_FORMAT_INDEX.
   */
  finish(): Totals {
    while (this.open.length > 1) this.closeTop();
    const t = this.reader.trailer;
    // A set member's index may list only a prefix of the set's entries (§11): the folders whose
    // own entries come later are then legitimately still waiting.
    const prefixOnly = t.set !== undefined && t.entries < t.set.entries;
    if (this.pending.size > 0 && !prefixOnly)
      throw indexError(`entries lie below ${JSON.stringify(Buffer.from([...this.pending.keys()][0]!, 'latin1').toString('utf8'))}, which the index does not list as a folder`);
    if (this.directoryNext !== this.reader.directory.length) throw indexError('directory: names more segments than the entries fill');
    if (this.total.entries !== t.entries) throw indexError(`trailer says ${t.entries} entries, the index holds ${this.total.entries}`);
    if (this.total.files !== t.files) throw indexError(`trailer says ${t.files} files, the entries hold ${this.total.files}`);
    if (this.total.bytes !== t.bytes) throw indexError(`trailer says ${t.bytes} bytes, the files hold ${this.total.bytes}`);
    return { ...this.total };
  }

  /**
   * Makes `parent` the innermost open folder: closes finished subtrees, opens new ones. A folder
   * opened here was never finished before: entries are in strictly increasing index order, and
   * everything below a folder is one contiguous range of it (index-order.ts).
   */
  private enterBlock(parent: Uint8Array): void {
    while (!isWithin(parent, this.open[this.open.length - 1]!.path)) this.closeTop();
    const top = this.open[this.open.length - 1]!.path;
    if (parent.length === top.length) return;
    // Open every folder from the innermost open one down to `parent`.
    let i = top.length === 0 ? 0 : top.length + 1;
    for (;;) {
      const slash = parent.indexOf(0x2f, i);
      const end = slash < 0 ? parent.length : slash;
      const path = parent.subarray(0, end);
      this.open.push({ path, totals: { entries: 0, files: 0, bytes: 0 } });
      if (slash < 0) return;
      i = slash + 1;
    }
  }

  private closeTop(): void {
    const done = this.open.pop()!;
    const parent = this.open[this.open.length - 1]!.totals;
    parent.entries += done.totals.entries;
    parent.files += done.totals.files;
    parent.bytes += done.totals.bytes;
    this.pending.set(Buffer.from(done.path).toString('latin1'), done.totals);
  }
}
