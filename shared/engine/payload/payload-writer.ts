/**
 * Writes the payload parts of a drive: receives the tar stream in order, cuts it into parts
 * of `partPlaintextSize` bytes, encrypts each part as its own Tink stream (fresh salt and
 * nonce prefix) with the associated data `scelle/1 payload <driveId> part <n>`, hashes the
 * ciphertext, and fsyncs each part file (and its folder) before reporting it done.
 * Writing starts at `startOffset` (the end of the parts an earlier, interrupted run
 * finished), so a resume re-encrypts only the unfinished part, under a new salt.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { SizedStreamEncryptor } from '../../format/stream.js';
import { targetError } from '../target-errors.js';
import { writeAll } from '../durable-fs.js';
import { ScelleError } from '../../errors/scelle-error.js';
import { partFileName, payloadAssociatedData } from '../../format/layout.js';
import { unsafeEntryError } from '../drive-files.js';
import { freeBuffers } from '../../format/free-buffers.js';

/** A finished part, as the manifest lists it. */
export interface PartInfo {
  index: number;
  /** Path relative to the drive folder, '/'-separated. */
  file: string;
  /** Ciphertext size. */
  size: number;
  /** Plaintext (tar) bytes it holds. */
  plaintextSize: number;
  /** hex SHA-256 of the ciphertext. */
  sha256: string;
}

/** Settings of a payload writer; all plain data so they can cross to a worker thread. */
export interface PayloadWriterConfig {
  driveDir: string;
  driveId: string;
  dataKey: Uint8Array;
  partPlaintextSize: number;
  /** Stream offset where writing starts: a multiple of partPlaintextSize. */
  startOffset: number;
  /** Total size of the tar stream (so each part's size, and its last segment, are known). */
  totalSize: number;
}

/** Where an encryptor's ciphertext goes: a part opens, receives its bytes in order, closes. */
export interface CipherOutput {
  openPart(n: number): void;
  /** Writes or copies `bytes` (the next ciphertext, in order) before it returns: its memory is freed right after. */
  data(bytes: Buffer): void;
  /** The part is complete: `plaintextSize` tar bytes went into it. */
  closePart(n: number, plaintextSize: number): void;
}

/**
 * Cuts the tar stream into parts and encrypts each as its own stream; the ciphertext goes to
 * a {@link CipherOutput}. Writing starts at `startOffset` (a resume re-encrypts only the
 * unfinished part, under a new salt).
 */
export class PartEncryptor {
  private offset: number;
  private part = -1;
  private enc: SizedStreamEncryptor | null = null;
  private partPlainBytes = 0;
  /** Each piece of ciphertext, written or copied by the output, then freed at once (free-buffers.ts). */
  private readonly emit = (ct: Buffer): void => {
    this.out.data(ct);
    freeBuffers([ct]);
  };

  constructor(
    private readonly cfg: PayloadWriterConfig,
    private readonly out: CipherOutput,
  ) {
    this.offset = cfg.startOffset;
  }

  /** Consumes the next bytes of the tar stream. Throws what the output throws. */
  write(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.floor(this.offset / this.cfg.partPlaintextSize);
      if (n !== this.part) {
        this.closePart();
        this.openPart(n);
      }
      const room = (n + 1) * this.cfg.partPlaintextSize - this.offset;
      const take = Math.min(room, chunk.length - pos);
      this.enc!.push(chunk.subarray(pos, pos + take), this.emit);
      this.partPlainBytes += take;
      this.offset += take;
      pos += take;
    }
  }

  /** Ends the stream: finishes the last part. An empty tail still yields a valid part. */
  finish(): void {
    // When an earlier run finished every part (e.g. cancelled just before the manifest), there is nothing to write.
    if (this.part < 0 && this.offset < this.cfg.totalSize) throw new ScelleError('E_INTERNAL', 'the payload stream ended early');
    this.closePart();
  }

  private openPart(n: number): void {
    this.out.openPart(n);
    this.part = n;
    const size = Math.min(this.cfg.partPlaintextSize, this.cfg.totalSize - n * this.cfg.partPlaintextSize);
    this.enc = new SizedStreamEncryptor(this.cfg.dataKey, payloadAssociatedData(this.cfg.driveId, n), size);
    this.partPlainBytes = 0;
  }

  private closePart(): void {
    if (this.part < 0 || this.enc === null) return;
    this.enc.finish(this.emit);
    this.enc = null;
    this.out.closePart(this.part, this.partPlainBytes);
  }
}

/**
 * Bytes written to a part between two background flushes. Left to the kernel, a part's pages
 * stay dirty until its fsync (a machine with much memory starts writing them back only past
 * a tenth of it), so the disk would write a whole part after the encryption ended; flushed as
 * they go, the disk writes while the seal encrypts and the part's fsync has little left to do.
 */
const FLUSH_EVERY = 64 << 20;

/**
 * Writes encrypted parts to the drive: hashes the ciphertext, and fsyncs each part file (and
 * its folder) before reporting it done; every FLUSH_EVERY bytes the part written so far is
 * flushed in the background (on its own descriptor, without waiting). Throws E_TARGET_* on
 * write failures (a failed background flush is reported by the part's own fsync).
 */
export class PartFileWriter implements CipherOutput {
  private fd = -1;
  private part = -1;
  private path = '';
  private hash: Hash | null = null;
  private partCipherBytes = 0;
  private sinceFlush = 0;
  private flushing = false;
  private readonly payloadDir: string;

  constructor(
    driveDir: string,
    private readonly onPart: (p: PartInfo) => void,
  ) {
    this.payloadDir = join(driveDir, 'payload');
    try {
      mkdirSync(this.payloadDir, { recursive: true });
    } catch (e) {
      throw targetError(e, this.payloadDir);
    }
  }

  openPart(n: number): void {
    const path = join(this.payloadDir, partFileName(n).slice('payload/'.length));
    try {
      // Never through a link a hostile drive folder could hold (a resume checks first too).
      this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw unsafeEntryError(partFileName(n), 'link');
      throw targetError(e, path);
    }
    this.part = n;
    this.path = path;
    this.hash = createHash('sha256');
    this.partCipherBytes = 0;
    this.sinceFlush = 0;
  }

  data(bytes: Buffer): void {
    this.hash!.update(bytes);
    this.partCipherBytes += bytes.length;
    try {
      writeAll(this.fd, bytes);
    } catch (e) {
      throw targetError(e, partFileName(this.part));
    }
    this.sinceFlush += bytes.length;
    if (this.sinceFlush >= FLUSH_EVERY && !this.flushing) this.flushInBackground();
  }

  /**
   * Starts writing the part's dirty pages to the disk without waiting (fdatasync on the
   * thread pool, through a descriptor of its own, closed when done). Best effort: on any
   * error the part's fsync at its close writes what is left and reports the failure (Linux
   * reports a write-back error to every descriptor open when it happened).
   */
  private flushInBackground(): void {
    this.sinceFlush = 0;
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch {
      return;
    }
    this.flushing = true;
    fdatasync(fd, () => {
      this.flushing = false;
      try {
        closeSync(fd);
      } catch {
        /* nothing left to do */
      }
    });
  }

  closePart(n: number, plaintextSize: number): void {
    const file = partFileName(n);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      const dirFd = openSync(this.payloadDir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (e) {
      throw targetError(e, file);
    }
    this.fd = -1;
    this.onPart({ index: n, file, size: this.partCipherBytes, plaintextSize, sha256: this.hash!.digest('hex') });
  }

  /** Closes the open part file without finishing it (after an error or cancel). */
  abort(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing */
      }
      this.fd = -1;
    }
  }
}

/** Encrypts and writes in one thread: the in-thread sink and the one-worker sink run one. */
export class PayloadWriter {
  private readonly files: PartFileWriter;
  private readonly encryptor: PartEncryptor;

  constructor(cfg: PayloadWriterConfig, onPart: (p: PartInfo) => void) {
    this.files = new PartFileWriter(cfg.driveDir, onPart);
    this.encryptor = new PartEncryptor(cfg, this.files);
  }

  /** Consumes the next bytes of the tar stream. Throws E_TARGET_* on write failures. */
  write(chunk: Uint8Array): void {
    this.encryptor.write(chunk);
  }

  /** Ends the stream: finishes the last part. */
  finish(): void {
    this.encryptor.finish();
  }

  /** Closes the open part file without finishing it (after an error or cancel). */
  abort(): void {
    this.files.abort();
  }
}
