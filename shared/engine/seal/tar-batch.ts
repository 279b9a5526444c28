/**
 * Writes whole tar entries into memory: header, file content read from the source, padding,
 * and the entry's index line. The sealing loop writes one entry this way whenever it fits in
 * the current buffer; the tar builder workers write batches of consecutive entries that fill
 * one shared-memory slot (many small files sealed by several cores), looking at each entry
 * themselves (named-batch.ts).
 */
import { encodeEntryLine, encodeWalkedEntry, entryPathFields, type IndexEntry } from '../../format/index-line.js';
import { encodeTarHeader, isUtf8, padding, writePlainTarHeader, type TarHeader } from '../../format/tar.js';
import { ScelleError } from '../../errors/scelle-error.js';
import type { SourceEntry } from './scan.js';
import { readWholeSource } from './source-read.js';

/** What writing an entry needs to know of it (a scan entry has all of it). */
export type TarEntrySource = Pick<SourceEntry, 'sourcePath' | 'archivePath' | 'linkTarget' | 'type' | 'size' | 'mode' | 'mtimeMs' | 'tarBytes' | 'totals'>;

/** The tar header of a scanned entry. */
export function tarHeaderOf(e: TarEntrySource): TarHeader {
  return { path: e.archivePath, type: e.type, size: e.size, mode: e.mode, mtime: Math.floor(e.mtimeMs / 1000), linkTarget: e.linkTarget };
}

/** What an entry's index line says of it. */
export type IndexedEntryFacts = Pick<TarEntrySource, 'archivePath' | 'linkTarget' | 'type' | 'size' | 'mode' | 'mtimeMs' | 'totals'>;

/** The index entry of a scanned entry whose content starts at stream offset `offset` (no hash yet). */
export function indexEntryOf(e: IndexedEntryFacts, offset: number): IndexEntry {
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
  return { length: e.tarBytes, line: indexLineOf(e, start + dataAt, sha256), file: sha256 === undefined ? undefined : { sha256 } };
}

/** The encoded index line of entry `e` whose content starts at stream offset `offset`; a file's `sha256`, a folder's totals in e.totals. */
export function indexLineOf(e: IndexedEntryFacts, offset: number, sha256: string | undefined): string {
  // The common entry (a file or folder with a UTF-8 name) is encoded directly.
  if (e.type !== 'symlink' && isUtf8(e.archivePath)) return encodeWalkedEntry(e.archivePath.toString('utf8'), e.type, e.size, e.mode, e.mtimeMs, offset, sha256 ?? e.totals!);
  // A link or a name that is not UTF-8: every field, still without the schema (the names and
  // targets come from the file system, which gives neither an empty name nor a NUL).
  const entry = indexEntryOf(e, offset);
  if (sha256 !== undefined) entry.sha256 = sha256;
  return encodeEntryLine(entry);
}
