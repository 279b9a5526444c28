/**
 * Builds one contiguous stretch of the tar stream, a batch of consecutive entries that fits
 * in one buffer: headers, file contents read from the sources, padding; returns each file's
 * SHA-256 and the encoded index lines. The same code runs on the tar builder workers (many
 * small files sealed by several cores) and could run in any thread.
 */
import { encodeIndexEntry } from '../format/index-codec.js';
import { encodeTarHeader, padding, writePlainTarHeader, type TarEntryType, type TarHeader } from '../format/tar.js';
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry } from './api.js';
import { entryPathFields } from './entry-path.js';
import { readWholeSource } from './source-read.js';

/** An entry of a batch as it crosses to a worker: byte strings as latin1 (exact bytes). */
export interface BatchEntry {
  /** Entry number in the scan. */
  index: number;
  sourcePath: string;
  archivePath: string;
  linkTarget?: string;
  type: TarEntryType;
  size: number;
  mode: number;
  mtimeMs: number;
  tarBytes: number;
}

/** What a batch produced. */
export interface BatchResult {
  /** Bytes written at the start of the buffer (the sum of the entries' tarBytes). */
  length: number;
  /** One encoded index line per entry, in order. */
  lines: string[];
  /** The files' hashes and where their data ends in the stream, for the seal state. */
  files: { index: number; sha256: string; end: number }[];
  /** Sum of the files' sizes. */
  bytes: number;
}

/**
 * Writes `entries` (whose tarBytes sum to at most out.length) into `out`, which starts at
 * absolute stream offset `start`. Throws E_SOURCE_CHANGED / E_SOURCE_UNREADABLE like a seal,
 * and E_INTERNAL when an entry's size differs from what the scan computed.
 */
export function buildTarBatch(entries: readonly BatchEntry[], out: Buffer, start: number): BatchResult {
  const lines: string[] = [];
  const files: BatchResult['files'] = [];
  let pos = 0;
  let bytes = 0;
  for (const e of entries) {
    const archivePath = Buffer.from(e.archivePath, 'latin1');
    const linkTarget = e.linkTarget === undefined ? undefined : Buffer.from(e.linkTarget, 'latin1');
    const header: TarHeader = { path: archivePath, type: e.type, size: e.size, mode: e.mode, mtime: Math.floor(e.mtimeMs / 1000), linkTarget };
    let h = writePlainTarHeader(header, out, pos);
    if (h === 0) {
      const encoded = encodeTarHeader(header);
      encoded.copy(out, pos);
      h = encoded.length;
    }
    const pad = padding(e.size);
    if (h + e.size + pad !== e.tarBytes) throw new ScelleError('E_INTERNAL', `tar entry ${e.index} is ${h + e.size + pad} bytes, the scan counted ${e.tarBytes}`);
    pos += h;
    const entry = { ...entryPathFields(archivePath, linkTarget), type: e.type, size: e.size, mode: e.mode, mtime: e.mtimeMs, offset: start + pos } as IndexEntry;
    if (e.type === 'file') {
      entry.sha256 = readWholeSource({ sourcePath: Buffer.from(e.sourcePath, 'latin1'), size: e.size, mtimeMs: e.mtimeMs }, out.subarray(pos, pos + e.size));
      files.push({ index: e.index, sha256: entry.sha256, end: start + pos + e.size });
      pos += e.size;
      out.fill(0, pos, pos + pad);
      pos += pad;
      bytes += e.size;
    }
    lines.push(encodeIndexEntry(entry));
  }
  return { length: pos, lines, files, bytes };
}
