/**
 * Writes whole tar entries into memory: header, file content read from the source, padding,
 * and the entry's index line. The sealing loop writes one entry this way whenever it fits in
 * the current buffer; the tar builder workers write batches of consecutive entries that fill
 * one shared-memory slot (many small files sealed by several cores).
 */
import { encodeIndexEntry, encodeWalkedEntry, entryPathFields, type IndexEntry } from '../../format/index-codec.js';
import { encodeTarHeader, isUtf8, padding, writePlainTarHeader, type TarEntryType, type TarHeader } from '../../format/tar.js';
import { ScelleError } from '../../errors/scelle-error.js';
import type { SourceEntry } from './scan.js';
import { readWholeSource } from './source-read.js';

/** What writing an entry needs to know of it (a scan entry has all of it). */
export type TarEntrySource = Pick<SourceEntry, 'sourcePath' | 'archivePath' | 'linkTarget' | 'type' | 'size' | 'mode' | 'mtimeMs' | 'tarBytes' | 'totals'>;

/** The tar header of a scanned entry. */
export function tarHeaderOf(e: TarEntrySource): TarHeader {
  return { path: e.archivePath, type: e.type, size: e.size, mode: e.mode, mtime: Math.floor(e.mtimeMs / 1000), linkTarget: e.linkTarget };
}

/** The index entry of a scanned entry whose content starts at stream offset `offset` (no hash yet). */
export function indexEntryOf(e: TarEntrySource, offset: number): IndexEntry {
  const entry = { ...entryPathFields(e.archivePath, e.linkTarget), type: e.type, size: e.size, mode: e.mode, mtime: e.mtimeMs, offset } as IndexEntry;
  if (e.totals) Object.assign(entry, e.totals);
  return entry;
}

/** One entry written by {@link writeTarEntry}. */
export interface WrittenEntry {
  /** Bytes written (its tarBytes). */
  length: number;
  /** Its encoded index line. */
  line: string;
  /** For a file: its content's SHA-256. */
  file?: { sha256: string };
}

/**
 * Writes entry `e` at `out[pos]`, which is absolute stream offset `start + pos`; `out` must
 * have e.tarBytes bytes of room there. Throws E_SOURCE_CHANGED / E_SOURCE_UNREADABLE like a
 * seal, and E_INTERNAL when the entry's size differs from what the scan computed.
 */
export function writeTarEntry(e: TarEntrySource, out: Buffer, pos: number, start: number): WrittenEntry {
  const header = tarHeaderOf(e);
  let h = writePlainTarHeader(header, out, pos);
  if (h === 0) {
    const encoded = encodeTarHeader(header);
    encoded.copy(out, pos);
    h = encoded.length;
  }
  const pad = padding(e.size);
  if (h + e.size + pad !== e.tarBytes) throw new ScelleError('E_INTERNAL', `tar entry ${e.archivePath.toString()} is ${h + e.size + pad} bytes, the scan counted ${e.tarBytes}`);
  const dataAt = pos + h;
  let sha256: string | undefined;
  if (e.type === 'file') {
    sha256 = readWholeSource(e, out.subarray(dataAt, dataAt + e.size));
    out.fill(0, dataAt + e.size, dataAt + e.size + pad);
  }
  const file = sha256 === undefined ? undefined : { sha256 };
  // The common entry (a file or folder with a UTF-8 name) is encoded directly.
  if (e.type !== 'symlink' && isUtf8(e.archivePath)) {
    const line = encodeWalkedEntry(e.archivePath.toString('utf8'), e.type, e.size, e.mode, e.mtimeMs, start + dataAt, sha256 ?? e.totals!);
    return { length: e.tarBytes, line, file };
  }
  const entry = indexEntryOf(e, start + dataAt);
  if (sha256 !== undefined) entry.sha256 = sha256;
  return { length: e.tarBytes, line: encodeIndexEntry(entry), file };
}

/** An entry of a batch as it crosses to a worker: byte strings as latin1 (exact bytes). */
export interface BatchEntry {
  sourcePath: string;
  /** Where the archive path starts in the source path (it is the source path's tail). */
  archiveAt: number;
  linkTarget?: string;
  type: TarEntryType;
  size: number;
  mode: number;
  mtimeMs: number;
  tarBytes: number;
  totals?: SourceEntry['totals'];
}

function archiveStartOf(e: TarEntrySource): number {
  const at = e.sourcePath.length - e.archivePath.length;
  if (at < 0 || !e.sourcePath.subarray(at).equals(e.archivePath)) throw new ScelleError('E_INTERNAL', 'an archive path is not the tail of its source path');
  return at;
}

/** A scan entry as a {@link BatchEntry}. */
export function toBatchEntry(e: TarEntrySource): BatchEntry {
  return {
    sourcePath: e.sourcePath.toString('latin1'),
    archiveAt: archiveStartOf(e),
    linkTarget: e.linkTarget?.toString('latin1'),
    type: e.type,
    size: e.size,
    mode: e.mode,
    mtimeMs: e.mtimeMs,
    tarBytes: e.tarBytes,
    totals: e.totals,
  };
}

/** What a batch produced. */
export interface BatchResult {
  /** Bytes written at the start of the buffer (the sum of the entries' tarBytes). */
  length: number;
  /** One encoded index line per entry, in order. */
  lines: string[];
  /** The files written (for progress). */
  files: number;
  /** Their bytes. */
  bytes: number;
}

/**
 * Writes `entries` (whose tarBytes sum to at most out.length) at the start of `out`, which is
 * absolute stream offset `start`. Throws as {@link writeTarEntry}.
 */
export function buildTarBatch(entries: readonly BatchEntry[], out: Buffer, start: number): BatchResult {
  const result: BatchResult = { length: 0, lines: [], files: 0, bytes: 0 };
  for (const b of entries) {
    const sourcePath = Buffer.from(b.sourcePath, 'latin1');
    const e: TarEntrySource = {
      sourcePath,
      archivePath: sourcePath.subarray(b.archiveAt),
      linkTarget: b.linkTarget === undefined ? undefined : Buffer.from(b.linkTarget, 'latin1'),
      type: b.type,
      size: b.size,
      mode: b.mode,
      mtimeMs: b.mtimeMs,
      tarBytes: b.tarBytes,
      totals: b.totals,
    };
    const w = writeTarEntry(e, out, result.length, start);
    result.length += w.length;
    result.lines.push(w.line);
    if (w.file) {
      result.files++;
      result.bytes += b.size;
    }
  }
  return result;
}
