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
import { kindOf } from './scan.js';
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
  /** One index line per entry, in order; '' for a folder (its line needs its totals). */
  lines: string[];
  /** Files written and their bytes, in all and per segment (for the folders' totals). */
  files: number;
  bytes: number;
  segmentFiles: number[];
  segmentBytes: number[];
  /** Per folder entry, in order: its mode, mtime (ms) and content offset, three numbers each. */
  folders: number[];
  /** The entries' fingerprint records, in order. */
  fingerprint: Uint8Array;
}

/** Files larger than this are fstat'ed again after they are read (their read is not one system call). */
const RECHECK_AFTER_READ = 64 << 10;

const fingerprint = new FingerprintBytes();

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
  const result: NamedBatchResult = { length: 0, lines: [], files: 0, bytes: 0, segmentFiles: [], segmentBytes: [], folders: [], fingerprint: new Uint8Array(0) };
  fingerprint.reset();
  let pos = 0;
  for (const seg of req.segments) {
    let files = 0;
    let bytes = 0;
    let nameAt = 0;
    for (let i = 0; i < seg.kinds.length; i++) {
      const nameEnd = seg.names.indexOf(0, nameAt);
      const sourcePath = Buffer.allocUnsafe(seg.dir.length + 1 + nameEnd - nameAt);
      sourcePath.set(seg.dir, 0);
      sourcePath[seg.dir.length] = 0x2f;
      sourcePath.set(seg.names.subarray(nameAt, nameEnd), seg.dir.length + 1);
      nameAt = nameEnd + 1;
      const archivePath = sourcePath.subarray(seg.archiveAt);
      const kind = seg.kinds[i]!;
      let fd = -1;
      try {
        let st: Stats;
        if (kind === KIND_FILE) {
          fd = openSource({ sourcePath }, constants.O_NONBLOCK);
          st = fstatSync(fd);
          if (!st.isFile()) throw sourceChanged({ sourcePath }, st.isDirectory() ? 'became a folder' : 'was replaced');
        } else st = lstatListed(sourcePath);
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
        if (writePlainTarHeader(header, out, pos) === 0) encodeTarHeader(header).copy(out, pos);
        const dataAt = pos + h;
        let sha256: string | undefined;
        if (type === 'file') {
          const facts = { sourcePath, size, mtimeMs: st.mtimeMs };
          readExactly(facts, fd, out, dataAt, size);
          if (size > RECHECK_AFTER_READ) checkUnchanged(facts, fd);
          sha256 = hashOnce('sha256', out.subarray(dataAt, dataAt + size), 'hex');
          out.fill(0, dataAt + size, dataAt + size + pad);
          files++;
          bytes += size;
        }
        if (type === 'directory') {
          result.lines.push('');
          result.folders.push(mode, st.mtimeMs, req.start + dataAt);
        } else result.lines.push(indexLineOf({ archivePath, linkTarget, type, size, mode, mtimeMs: st.mtimeMs, totals: undefined }, req.start + dataAt, sha256));
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
  result.fingerprint = new Uint8Array(fingerprint.bytes()); // exact size: a view would clone its whole buffer
  return result;
}
