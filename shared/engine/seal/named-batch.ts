/**
 * A tar builder's batch when the builder looks at the entries itself: the sealing loop sends
 * only folder paths and sorted child names (from their listings, listing-walk.ts) with where the
 * batch starts in the stream and how long the count found it; the builder lstats each entry (or,
 * for a regular file by its listing, opens it without following links and fstats it), writes its
 * tar header, content and padding, hashes the content, encodes its index line, and writes its
 * fingerprint record (entry-fingerprint.ts), so the sealing loop never looks at single files.
 *
 * A folder's index line carries the totals of its subtree, which only the sealing loop knows
 * once every batch before it is settled: the builder leaves it empty and reports the folder's
 * mode, mtime and offset instead.
 */
import { closeSync, fstatSync, lstatSync, readlinkSync, constants, type Stats } from 'node:fs';
import { hash as hashOnce } from 'node:crypto';
import { ScelleError } from '../../errors/scelle-error.js';
import { encodeTarHeader, padding, tarHeaderSize, writePlainTarHeader, type TarHeader } from '../../format/tar.js';
import { FingerprintBytes } from './entry-fingerprint.js';
import { KIND_FILE, KIND_FOLDER } from './listing-walk.js';
import { kindOf, tarEntrySize } from './scan.js';
import { changedSources, checkUnchanged, openSource, readExactly, sourceChanged } from './source-read.js';
import { indexLineOf } from './tar-batch.js';

/** The children of one folder (a run of one listing) in a batch. */
export interface NamedBatchSegment {
  /** The folder's source path. */
  dir: Uint8Array;
  /** Where the archive path starts in a child's source path. */
  archiveAt: number;
  /** The children's names, each followed by a NUL byte (which no name holds). */
  names: Uint8Array;
  /** Per child: KIND_FILE, KIND_FOLDER or KIND_OTHER (listing-walk.ts). */
  kinds: Uint8Array;
}

/** A batch: consecutive entries making `length` bytes of the stream from absolute offset `start`. */
export interface NamedBatchRequest {
  start: number;
  /** The bytes the count found these entries make (the plan's run). */
  length: number;
  segments: NamedBatchSegment[];
}

/** What a batch produced. */
export interface NamedBatchResult {
  /** Bytes written at the start of the slot (= the request's length). */
  length: number;
  /** The index lines of the entries that are not folders, in order, as UTF-8 bytes. */
  lines: Uint8Array;
  /** How many lines `lines` holds. */
  lineCount: number;
  /** Files written and their bytes, in all and per segment (for the folders' totals). */
  files: number;
  bytes: number;
  segmentFiles: number[];
  segmentBytes: number[];
  /**
   * Per folder entry, in order, five numbers: its mode, mtime (ms), content offset, where its
   * line goes in `lines` (a byte offset) and how many lines come before it there.
   */
  folders: number[];
  /** The entries' fingerprint records, in order. */
  fingerprint: Uint8Array;
}

/** Average bytes per entry under which a batch is zeroed whole rather than header by header. */
const ZERO_WHOLE_BATCH_BELOW = 2048;

/** Files larger than this are fstat'ed again after they are read (their read is not one system call). */
const RECHECK_AFTER_READ = 64 << 10;

const fingerprint = new FingerprintBytes();
/** The batch's index lines (UTF-8): no string per line survives the batch. */
let lines = Buffer.allocUnsafe(512 << 10);
let linesLength = 0;

function addLine(line: string): void {
  if (linesLength + 3 * line.length > lines.length) {
    const grown = Buffer.allocUnsafe(Math.max(2 * lines.length, linesLength + 3 * line.length));
    lines.copy(grown, 0, 0, linesLength);
    lines = grown;
  }
  linesLength += lines.write(line, linesLength);
}

function lstatListed(sourcePath: Buffer): Stats {
  try {
    return lstatSync(sourcePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw sourceChanged({ sourcePath }, 'disappeared');
    throw new ScelleError('E_SOURCE_UNREADABLE', `${sourcePath.toString()} cannot be read (${code})`, { path: sourcePath.toString(), errno: String(code) });
  }
}

/**
 * Builds the batch into `out` (one slot). Throws E_SOURCE_CHANGED (an entry gone, replaced,
 * resized, or the batch not the length the count found), E_SOURCE_UNREADABLE,
 * E_SOURCE_UNSUPPORTED (a FIFO, socket or device).
 */
export function buildNamedBatch(req: NamedBatchRequest, out: Buffer): NamedBatchResult {
  const result: NamedBatchResult = {
    length: 0,
    lines: new Uint8Array(0),
    lineCount: 0,
    files: 0,
    bytes: 0,
    segmentFiles: [],
    segmentBytes: [],
    folders: [],
    fingerprint: new Uint8Array(0),
  };
  fingerprint.reset();
  linesLength = 0;
  // Tiny entries: the batch's bytes zeroed at once, so headers and padding are written without
  // clearing each block (one fill per entry cost more than the file's read). Larger ones: each
  // header and padding cleared on its own, not the file bytes the read overwrites anyway.
  let entries = 0;
  for (const seg of req.segments) entries += seg.kinds.length;
  const zeroedAtOnce = req.length <= entries * ZERO_WHOLE_BATCH_BELOW;
  if (zeroedAtOnce) out.fill(0, 0, req.length);
  let pos = 0;
  for (const seg of req.segments) {
    let files = 0;
    let bytes = 0;
    let nameAt = 0;
    for (let i = 0; i < seg.kinds.length; i++) {
      const nameEnd = seg.names.indexOf(0, nameAt);
      const sourcePath = sourcePathOf(seg, nameAt, nameEnd);
      nameAt = nameEnd + 1;
      const archivePath = sourcePath.subarray(seg.archiveAt);
      const kind = seg.kinds[i]!;
      let fd = -1;
      try {
        // A file (by its listing, or by lstat when the listing could not tell) is opened and fstat'ed: what is read is what is described.
        let st = kind === KIND_FILE ? null : lstatListed(sourcePath);
        if (st === null || st.isFile()) {
          fd = openSource({ sourcePath }, constants.O_NONBLOCK);
          st = fstatSync(fd);
          if (!st.isFile()) throw sourceChanged({ sourcePath }, st.isDirectory() ? 'became a folder' : 'was replaced');
        }
        const type = kindOf(st, sourcePath);
        if ((kind === KIND_FOLDER) !== (type === 'directory')) throw sourceChanged({ sourcePath }, type === 'directory' ? 'became a folder' : 'stopped being a folder');
        const size = type === 'file' ? st.size : 0;
        const mode = st.mode & 0o7777;
        const linkTarget = type === 'symlink' ? readlinkSync(sourcePath, { encoding: 'buffer' }) : undefined;
        const header: TarHeader = { path: archivePath, type, size, mode, mtime: Math.floor(st.mtimeMs / 1000), linkTarget };
        const h = tarHeaderSize(header);
        const pad = padding(size);
        // More than the count found: the sources changed (and the batch must not overrun its slot).
        if (pos + h + size + pad > req.length) throw changedSources();
        if (writePlainTarHeader(header, out, pos, zeroedAtOnce) === 0) encodeTarHeader(header).copy(out, pos);
        if (pad > 0 && !zeroedAtOnce) out.fill(0, pos + h + size, pos + h + size + pad);
        const dataAt = pos + h;
        let sha256: string | undefined;
        if (type === 'file') {
          const facts = { sourcePath, size, mtimeMs: st.mtimeMs };
          readExactly(facts, fd, out, dataAt, size);
          if (size > RECHECK_AFTER_READ) checkUnchanged(facts, fd);
          sha256 = hashOnce('sha256', out.subarray(dataAt, dataAt + size), 'hex');
          files++;
          bytes += size;
        }
        if (type === 'directory') result.folders.push(mode, st.mtimeMs, req.start + dataAt, linesLength, result.lineCount);
        else {
          addLine(indexLineOf({ archivePath, linkTarget, type, size, mode, mtimeMs: st.mtimeMs, totals: undefined }, req.start + dataAt, sha256));
          result.lineCount++;
        }
        fingerprint.add(archivePath, type, size, mode, st.mtimeMs, linkTarget);
        pos = dataAt + size + pad;
      } finally {
        if (fd >= 0) closeSync(fd);
      }
    }
    result.segmentFiles.push(files);
    result.segmentBytes.push(bytes);
    result.files += files;
    result.bytes += bytes;
  }
  // Fewer bytes than the count found: the sources changed.
  if (pos !== req.length) throw changedSources();
  result.length = pos;
  // Exact-size copies: a view would clone its whole buffer.
  result.fingerprint = new Uint8Array(fingerprint.bytes());
  result.lines = new Uint8Array(lines.subarray(0, linesLength));
  return result;
}

/** What counting a batch found (statNamedBatch). */
export interface StatBatchResult {
  /** Per entry: its bytes in the tar stream. */
  tarBytes: Float64Array;
  /** Files among the entries, and their bytes. */
  files: number;
  bytes: number;
  /** The entries' fingerprint records, in order. */
  fingerprint: Uint8Array;
}

/**
 * The entry's source path, built in one buffer for every entry: a path of its own per entry
 * (from Node's pool of small buffers) made ~75 MB of short-lived buffers in each builder over
 * a seal of a million files, which its malloc heap kept (docs/BENCHMARKS.md, session 6).
 */
let pathBuffer = Buffer.allocUnsafeSlow(4096);

/**
 * The source path (bytes) of the name at [nameAt, nameEnd) of `seg`'s names: its folder, '/',
 * the name. Valid until the next call: nothing keeps a path past its entry (errors take a copy
 * as text).
 */
function sourcePathOf(seg: NamedBatchSegment, nameAt: number, nameEnd: number): Buffer {
  const length = seg.dir.length + 1 + nameEnd - nameAt;
  if (length > pathBuffer.length) pathBuffer = Buffer.allocUnsafeSlow(2 * length);
  pathBuffer.set(seg.dir, 0);
  pathBuffer[seg.dir.length] = 0x2f;
  pathBuffer.set(seg.names.subarray(nameAt, nameEnd), seg.dir.length + 1);
  return pathBuffer.subarray(0, length);
}

/**
 * Counts the entries of `segments` for the count before a seal: lstats each (never following a
 * link) and returns its tar size and fingerprint record. Throws E_SOURCE_CHANGED (an entry gone,
 * or no longer the folder or non-folder its listing said), E_SOURCE_UNREADABLE,
 * E_SOURCE_UNSUPPORTED (a FIFO, socket or device).
 */
export function statNamedBatch(segments: readonly NamedBatchSegment[]): StatBatchResult {
  fingerprint.reset();
  const tarBytes = new Float64Array(segments.reduce((n, seg) => n + seg.kinds.length, 0));
  let n = 0;
  let files = 0;
  let bytes = 0;
  for (const seg of segments) {
    let nameAt = 0;
    for (let i = 0; i < seg.kinds.length; i++) {
      const nameEnd = seg.names.indexOf(0, nameAt);
      const sourcePath = sourcePathOf(seg, nameAt, nameEnd);
      nameAt = nameEnd + 1;
      const archivePath = sourcePath.subarray(seg.archiveAt);
      const st = lstatListed(sourcePath);
      const type = kindOf(st, sourcePath);
      if ((seg.kinds[i] === KIND_FOLDER) !== (type === 'directory')) throw sourceChanged({ sourcePath }, type === 'directory' ? 'became a folder' : 'stopped being a folder');
      const size = type === 'file' ? st.size : 0;
      const mode = st.mode & 0o7777;
      const linkTarget = type === 'symlink' ? readlinkSync(sourcePath, { encoding: 'buffer' }) : undefined;
      tarBytes[n++] = tarEntrySize({ sourcePath, archivePath, type, size, mode, mtimeMs: st.mtimeMs, linkTarget });
      if (type === 'file') {
        files++;
        bytes += size;
      }
      fingerprint.add(archivePath, type, size, mode, st.mtimeMs, linkTarget);
    }
  }
  return { tarBytes, files, bytes, fingerprint: new Uint8Array(fingerprint.bytes()) };
}
