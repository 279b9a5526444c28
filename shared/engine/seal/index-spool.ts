/**
 * The index lines of a set's seal, kept on the station so that each member's index.scx can be
 * written when that member closes (docs/FORMAT.md §11: a member's index lists every entry sealed
 * before it closed). The lines are encrypted into a private temporary file under a key that
 * lives only in this process's memory, so no index plaintext (file names) ever reaches a disk;
 * memory holds one chunk of lines and one number per chunk, flat in the number of entries.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScelleError } from '../../errors/scelle-error.js';
import { SegmentDecrypter, SegmentEncrypter, TAG_SIZE } from '../../format/stream.js';

/** Plaintext bytes per encrypted chunk. */
const CHUNK = 1 << 20;
const AD = 'scelle/1 station index spool';

/** Lines replayed from the spool: whole lines, each ending in "\n", as UTF-8 bytes. */
export interface SpooledLines {
  lines: Uint8Array;
  count: number;
}

/** An append-only, replayable list of index lines (see module doc). Call close() when done. */
export class IndexSpool {
  private readonly dir: string;
  private readonly fd: number;
  private readonly key = randomBytes(32);
  private readonly enc: SegmentEncrypter;
  private readonly header: Buffer;
  /** Ciphertext length and line count of each chunk written, in order. */
  private readonly chunkLengths: number[] = [];
  private readonly chunkCounts: number[] = [];
  private staged: Buffer[] = [];
  private stagedBytes = 0;
  private stagedCount = 0;
  private total = 0;
  private closed = false;

  /** @throws the fs error when the temporary file cannot be created. */
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'scelle-spool-'));
    this.fd = openSync(join(this.dir, 'lines'), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    this.enc = new SegmentEncrypter(this.key, AD);
    this.header = this.enc.header;
  }

  /** Lines appended so far. */
  get lineCount(): number {
    return this.total;
  }

  /** Appends one encoded entry line (ending in "\n"). */
  addEntryLine(line: string): void {
    this.stage(Buffer.from(line, 'utf8'), 1);
  }

  /** Appends `count` encoded entry lines given as their UTF-8 bytes, each ending in "\n" (as IndexWriter.addEntryLineBytes). */
  addEntryLineBytes(lines: Uint8Array, count: number): void {
    this.stage(Buffer.from(lines), count);
  }

  /** Every line appended so far, in order, a chunk at a time (decrypted as they are read). */
  *chunks(): Generator<SpooledLines> {
    const dec = new SegmentDecrypter(this.key, AD, this.header);
    let position = 0;
    for (let i = 0; i < this.chunkLengths.length; i++) {
      const length = this.chunkLengths[i]!;
      const ct = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(this.fd, ct, got, length - got, position + got);
        if (n === 0) throw new ScelleError('E_INTERNAL', 'the index spool ended early');
        got += n;
      }
      position += length;
      yield { lines: dec.decryptSegment(i, ct, false), count: this.chunkCounts[i]! };
    }
    if (this.stagedCount > 0) yield { lines: Buffer.concat(this.staged), count: this.stagedCount };
  }

  /** Deletes the file and forgets the key. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
    this.key.fill(0);
  }

  private stage(bytes: Buffer, count: number): void {
    this.staged.push(bytes);
    this.stagedBytes += bytes.length;
    this.stagedCount += count;
    this.total += count;
    if (this.stagedBytes >= CHUNK) this.flushChunk();
  }

  /** Encrypts the staged lines as one chunk (whole lines only, so replay never splits one). */
  private flushChunk(): void {
    const plain = Buffer.concat(this.staged);
    const cipher = this.enc.startSegment(this.chunkLengths.length, false);
    const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    let done = 0;
    while (done < ct.length) done += writeSync(this.fd, ct, done, ct.length - done);
    this.chunkLengths.push(plain.length + TAG_SIZE);
    this.chunkCounts.push(this.stagedCount);
    this.staged = [];
    this.stagedBytes = 0;
    this.stagedCount = 0;
  }
}
