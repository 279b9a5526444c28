/**
 * Writes index.scx as the seal goes (docs/FORMAT.md §5): entry lines are encrypted segment by
 * segment straight into the file, so neither the index nor the list of entries is ever held
 * whole in memory, and no index plaintext reaches the drive. Keeps only one segment of
 * plaintext and one directory line per index segment.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import { ScelleError } from '../errors/scelle-error.js';
import { encodeIndexDirectoryLine, encodeIndexHeader, encodeIndexTrailer, parseIndexEntryLine, type IndexTrailer } from './index-codec.js';
import { CIPHER_UPDATE_SLICE, SCELLE_LAYOUT, SegmentEncrypter } from './stream.js';
import { freeBuffers } from './free-buffers.js';
import { indexAssociatedData } from './layout.js';

/** What the index file became. */
export interface WrittenIndex {
  /** Ciphertext bytes. */
  size: number;
  /** Hex SHA-256 of the ciphertext (for the manifest). */
  sha256: string;
}

/** The totals the seal knows at the end; the writer adds the entry count and the directory. */
export type IndexTotals = Omit<IndexTrailer, 'trailer' | 'entries' | 'directoryAt'>;

/**
 * Streaming writer of one index file. Call {@link addEntryLine} for each encoded entry line in
 * index order, then {@link finish}. The file is created (or truncated) at construction.
 */
export class IndexWriter {
  private readonly fd: number;
  private readonly enc: SegmentEncrypter;
  private readonly hash: Hash = createHash('sha256');
  private staged = Buffer.allocUnsafe(2 * SCELLE_LAYOUT.segmentSize);
  private stagedLength = 0;
  /** Plaintext offset of staged[0]. */
  private stagedStart = 0;
  private segment = 0;
  private size = 0;
  private entries = 0;
  /** The first entry line of each segment in which an entry line starts. */
  private readonly directory: { at: number; line: string }[] = [];
  private lastDirectorySegment = -1;
  private closed = false;

  /** @throws the fs error when the file cannot be created. */
  constructor(file: string, dataKey: Uint8Array, driveId: string) {
    // O_NOFOLLOW: a link planted where the index goes is never written through.
    this.fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o644);
    this.enc = new SegmentEncrypter(dataKey, indexAssociatedData(driveId));
    this.write(this.enc.header);
    this.append(encodeIndexHeader({ format: 'scelle/1', driveId }));
  }

  /** Plaintext bytes written so far (the offset of the next line). */
  get offset(): number {
    return this.stagedStart + this.stagedLength;
  }

  /** Entry lines added so far. */
  get entryCount(): number {
    return this.entries;
  }

  /** Appends one encoded entry line (from encodeIndexEntry), in index order. */
  addEntryLine(line: string): void {
    const at = this.offset;
    const segment = SCELLE_LAYOUT.segmentOf(at);
    if (segment !== this.lastDirectorySegment) {
      this.directory.push({ at, line });
      this.lastDirectorySegment = segment;
    }
    this.entries++;
    this.append(line);
  }

  /**
   * Appends `count` encoded entry lines given as their UTF-8 bytes, each ending in '\n', in index
   * order: the same as {@link addEntryLine} for each, without a string per line (the tar builders
   * encode lines straight into bytes).
   */
  addEntryLineBytes(lines: Uint8Array, count: number): void {
    const start = this.offset;
    // A directory line for each line that starts a segment's lines: only the lines after a segment boundary are looked at.
    for (let i = 0; i < lines.length;) {
      const segment = SCELLE_LAYOUT.segmentOf(start + i);
      const end = lines.indexOf(0x0a, i) + 1;
      if (segment !== this.lastDirectorySegment) {
        this.directory.push({ at: start + i, line: Buffer.from(lines.buffer, lines.byteOffset + i, end - i).toString('utf8') });
        this.lastDirectorySegment = segment;
        i = end;
        continue;
      }
      const next = segmentStart(segment + 1) - start;
      if (next >= lines.length) break;
      i = lines.indexOf(0x0a, next - 1) + 1; // the first line starting at or after the next segment
    }
    this.entries += count;
    this.appendBytes(lines);
  }

  /**
   * Writes the directory and the trailer, ends the stream, fsyncs and closes the file.
   * @throws ScelleError E_FORMAT_INDEX when the totals are inconsistent; fs errors.
   */
  finish(totals: IndexTotals): WrittenIndex {
    const directoryAt = this.offset;
    for (const d of this.directory) {
      const e = parseIndexEntryLine(d.line.slice(0, -1));
      this.append(encodeIndexDirectoryLine(e.pathBytes === undefined ? { at: d.at, path: e.path } : { at: d.at, path: e.path, pathBytes: e.pathBytes }));
    }
    this.append(encodeIndexTrailer({ trailer: 'scelle/1', ...totals, entries: this.entries, directoryAt }));
    this.flushSegments(true);
    fsyncSync(this.fd);
    this.close();
    return { size: this.size, sha256: this.hash.digest('hex') };
  }

  /** Closes the file without finishing it (the seal failed; the file is rewritten on resume). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private append(text: string): void {
    const n = Buffer.byteLength(text);
    this.reserve(n);
    this.staged.write(text, this.stagedLength);
    this.stagedLength += n;
    this.flushSegments(false);
  }

  private appendBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.staged.set(bytes, this.stagedLength);
    this.stagedLength += bytes.length;
    this.flushSegments(false);
  }

  private reserve(n: number): void {
    if (this.stagedLength + n <= this.staged.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.staged.length * 2, this.stagedLength + n));
    this.staged.copy(bigger, 0, 0, this.stagedLength);
    this.staged = bigger;
  }

  private capacity(): number {
    return this.segment === 0 ? SCELLE_LAYOUT.firstSegmentPlaintextSize : SCELLE_LAYOUT.segmentPlaintextSize;
  }

  /** Encrypts every full segment that more bytes follow (and, when `last`, the rest as the last one). */
  private flushSegments(last: boolean): void {
    let from = 0;
    while (this.stagedLength - from > this.capacity()) {
      const cap = this.capacity();
      this.encryptSegment(this.staged.subarray(from, from + cap), false);
      from += cap;
      this.stagedStart += cap;
    }
    if (last) {
      this.encryptSegment(this.staged.subarray(from, this.stagedLength), true);
      this.stagedStart += this.stagedLength - from;
      from = this.stagedLength;
    }
    if (from > 0) {
      this.staged.copy(this.staged, 0, from, this.stagedLength);
      this.stagedLength -= from;
    }
  }

  private encryptSegment(plain: Buffer, last: boolean): void {
    const cipher = this.enc.startSegment(this.segment++, last);
    for (let p = 0; p < plain.length; p += CIPHER_UPDATE_SLICE) {
      const body = cipher.update(plain.subarray(p, p + CIPHER_UPDATE_SLICE));
      this.write(body);
      freeBuffers([body]); // written: freed now, not at the next collection (free-buffers.ts)
    }
    const rest = cipher.final();
    if (rest.length > 0) this.write(rest);
    this.write(cipher.getAuthTag());
  }

  private write(bytes: Buffer): void {
    if (this.closed) throw new ScelleError('E_INTERNAL', 'index writer used after close');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.hash.update(bytes);
    this.size += bytes.length;
  }
}

/** Plaintext offset where index segment `n` starts. */
function segmentStart(n: number): number {
  return n === 0 ? 0 : SCELLE_LAYOUT.firstSegmentPlaintextSize + (n - 1) * SCELLE_LAYOUT.segmentPlaintextSize;
}
