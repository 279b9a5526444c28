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

/** An append-only, replayable list of index lines (see module doc). Call close() when done. */
export class IndexSpool {
  private readonly dir: string;
  private readonly fd: number;
  private readonly key = randomBytes(32);
  private readonly enc: SegmentEncrypter;
  private readonly header: Buffer;
  /** Ciphertext length of each chunk written, in order. */
  private readonly chunkLengths: number[] = [];
  private staged: string[] = [];
  private stagedBytes = 0;
  private closed = false;

  /** @throws the fs error when the temporary file cannot be created. */
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'scelle-spool-'));
    this.fd = openSync(join(this.dir, 'lines'), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    this.enc = new SegmentEncrypter(this.key, AD);
    this.header = this.enc.header;
  }

  /** Appends one encoded entry line (ending in "\n"). */
  addEntryLine(line: string): void {
    this.staged.push(line);
    this.stagedBytes += line.length;
    if (this.stagedBytes >= CHUNK) this.flushChunk();
  }

  /** Appends `count` encoded entry lines given as their UTF-8 bytes, each ending in "\n" (as IndexWriter.addEntryLineBytes). */
  addEntryLineBytes(lines: Uint8Array, count: number): void {
    const text = Buffer.from(lines.buffer, lines.byteOffset, lines.length).toString('utf8');
    let from = 0;
    for (let n = 0; n < count; n++) {
      const end = text.indexOf('\n', from) + 1;
      this.addEntryLine(text.slice(from, end));
      from = end;
    }
  }

  /** Every line appended so far, in order (decrypted chunk by chunk). */
  *lines(): Generator<string> {
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
      const text = dec.decryptSegment(i, ct, false).toString('utf8');
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        yield text.slice(from, nl + 1);
        from = nl + 1;
      }
    }
    yield* [...this.staged];
  }

  /** Deletes the file and forgets the key. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
    this.key.fill(0);
  }

  /** Encrypts the staged lines as one chunk (whole lines only, so replay never splits one). */
  private flushChunk(): void {
    const plain = Buffer.from(this.staged.join(''), 'utf8');
    const cipher = this.enc.startSegment(this.chunkLengths.length, false);
    const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    let done = 0;
    while (done < ct.length) done += writeSync(this.fd, ct, done, ct.length - done);
    this.chunkLengths.push(plain.length + TAG_SIZE);
    this.staged = [];
    this.stagedBytes = 0;
  }
}
