/**
 * Reads the decrypted tar stream of a drive across its parts, authenticating every segment
 * before returning any of its bytes. Random access decrypts only the segments a range
 * needs; a one-segment cache makes in-order reads decrypt each segment once.
 */
import { closeSync, readSync } from 'node:fs';
import { ScelleError } from '../../errors/scelle-error.js';
import { openDriveFile } from '../drive-files.js';
import { SCELLE_LAYOUT, SegmentDecrypter } from '../../format/stream.js';
import { payloadAssociatedData } from '../../format/layout.js';
import { freeBuffers } from '../../format/free-buffers.js';

interface OpenPart {
  fd: number;
  size: number;
  decrypter: SegmentDecrypter;
  segments: number;
}

/** What the reader needs to know of the payload (from the authenticated index and the manifest). */
export interface PayloadDescription {
  driveDir: string;
  driveId: string;
  dataKey: Uint8Array;
  /** Part files relative to the drive folder, in order. */
  partFiles: string[];
  /** Plaintext bytes in each part (from the index). */
  partSizes: number[];
  partPlaintextSize: number;
  /**
   * A sealed set (docs/FORMAT.md §11): where each of the set's parts is — on a member present (its
   * folder, drive id and own part number) or on a member not given. partFiles and partSizes then
   * cover the whole set; driveDir and driveId are unused.
   */
  partPlaces?: ({ driveDir: string; driveId: string; localIndex: number } | { missing: { position: number; driveId: string } })[];
}

/** A decrypted segment, as 64 KiB slices (all full but the last). */
interface CachedSegment {
  part: number;
  segment: number;
  /** Absolute plaintext offset of its first byte. */
  start: number;
  length: number;
  slices: Buffer[];
}

const SLICE = 64 * 1024;
/** Chunk size of {@link PayloadReader.forEachChunk}: a range up to this size is made available at once. */
export const CHUNK = 8 << 20;

/** Decrypted segments produced elsewhere (a worker), in plan order. */
export interface SegmentSource {
  /** Resolves once every planned segment overlapping the range is ready. */
  ensure(offset: number, length: number): Promise<void>;
  /** A ready segment containing `offset`, or undefined (then the reader decrypts it itself). */
  take(offset: number): { start: number; length: number; slices: Buffer[]; part: number; segment: number } | undefined;
  close(): void;
}

/** Random-access and sequential reader of the payload's plaintext. Call close() when done. */
export class PayloadReader {
  readonly totalSize: number;
  private readonly parts = new Map<number, OpenPart>();
  private cache: CachedSegment | null = null;
  private prefetcher: SegmentSource | null = null;
  private readonly layout = SCELLE_LAYOUT;
  /** Reused for every segment read: decryption output is separate, so this is never handed out. */
  private readonly readBuffer = Buffer.allocUnsafeSlow(SCELLE_LAYOUT.segmentSize);
  /** Segments this reader decrypted and moved past, freed at the start of the next read when slices are transient. */
  private retired: Buffer[][] = [];
  private readonly transientSlices: boolean;

  /**
   * @param opts.transientSlices the callers use each slice during the call that hands it to
   *   them only (they copy or write it at once, never keep it): the memory of a segment this
   *   reader decrypted is then freed at the start of the read after the one that moved past it,
   *   not at the thread's next full garbage collection (a restore worker decrypts its whole share
   *   of the payload: docs/BENCHMARKS.md, session 6).
   */
  constructor(
    private readonly d: PayloadDescription,
    opts: { transientSlices?: boolean } = {},
  ) {
    this.totalSize = d.partSizes.reduce((a, b) => a + b, 0);
    this.transientSlices = opts.transientSlices ?? false;
  }

  /**
   * Plaintext bytes [offset, offset + length). Throws E_FORMAT_PART_MISSING,
   * E_FORMAT_PART_SIZE (a part is not the size its plaintext needs: truncated or with
   * trailing bytes), E_FORMAT_AUTH, E_FORMAT_TRUNCATED.
   */
  read(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.totalSize) {
      throw new ScelleError('E_FORMAT_INDEX', `range ${offset}+${length} is outside the payload (${this.totalSize} bytes)`);
    }
    return this.readInto(offset, length, Buffer.allocUnsafe(length));
  }

  /** As {@link read}, into the first `length` bytes of `out` (which it returns, cut to `length`). */
  readInto(offset: number, length: number, out: Buffer): Buffer {
    if (offset < 0 || offset + length > this.totalSize) {
      throw new ScelleError('E_FORMAT_INDEX', `range ${offset}+${length} is outside the payload (${this.totalSize} bytes)`);
    }
    let done = 0;
    this.forEachSlice(offset, length, (s) => {
      s.copy(out, done);
      done += s.length;
    });
    return out.subarray(0, length);
  }

  /**
   * Visits the plaintext [offset, offset + length) segment by segment, without copying.
   * The slices are views of buffers decrypted for this reader alone and never reused, so
   * they may be kept after the call (they must not be modified) — unless the reader was made
   * with `transientSlices`.
   */
  forEachSlice(offset: number, length: number, visit: (slice: Buffer) => void): void {
    this.freeRetired();
    let done = 0;
    while (done < length) {
      const seg = this.segmentAt(offset + done);
      const from = offset + done - seg.start;
      const slice = seg.slices[Math.floor(from / SLICE)]!;
      const inSlice = from % SLICE;
      const n = Math.min(slice.length - inSlice, length - done);
      visit(n === slice.length ? slice : slice.subarray(inSlice, inSlice + n));
      done += n;
    }
  }

  /**
   * Visits [offset, offset + length) in chunks of up to 8 MiB: waits for the prefetcher (when
   * one is attached) before each chunk, then calls `visit` with the chunk's slices (which may be
   * kept, see forEachSlice) and its length, and yields to the event loop between chunks (not
   * after the last one: a caller visiting many small ranges yields every so often itself; one
   * turn of the event loop per file was 10 of a million-file verify's 18 s).
   * Throws as {@link read} and what `visit` throws.
   */
  async forEachChunk(offset: number, length: number, visit: (slices: Buffer[], length: number) => void): Promise<void> {
    for (let done = 0; done < length;) {
      if (done > 0) await new Promise((r) => setImmediate(r));
      const n = Math.min(CHUNK, length - done);
      await this.ensure(offset + done, n);
      const slices: Buffer[] = [];
      this.forEachSlice(offset + done, n, (s) => slices.push(s));
      visit(slices, n);
      done += n;
    }
  }

  /**
   * The decrypted segment holding absolute plaintext offset `offset` (authenticated).
   * Throws as {@link read}.
   */
  segmentContaining(offset: number): { start: number; length: number; slices: Buffer[] } {
    return this.segmentAt(offset);
  }

  /** Drops the cached segment (the caller took ownership of its slices). */
  forget(): void {
    this.cache = null;
  }

  /**
   * Makes the segments holding [offset, offset + length) available to the synchronous
   * readers, waiting for the prefetcher when one is attached. Call before read/forEachSlice
   * on large ranges; without a prefetcher it does nothing.
   */
  async ensure(offset: number, length: number): Promise<void> {
    if (this.prefetcher) await this.prefetcher.ensure(offset, Math.max(1, length));
  }

  /** Attaches a prefetcher that decrypts ahead on another thread. */
  attach(prefetcher: SegmentSource): void {
    this.prefetcher = prefetcher;
  }

  /** Closes every part file. */
  close(): void {
    this.prefetcher?.close();
    this.prefetcher = null;
    for (const p of this.parts.values()) closeSync(p.fd);
    this.parts.clear();
    this.cache = null;
    this.retired = [];
  }

  private freeRetired(): void {
    for (const slices of this.retired) freeBuffers(slices);
    this.retired = [];
  }

  private segmentAt(offset: number): CachedSegment {
    const ready = this.prefetcher?.take(offset);
    if (ready) return ready as CachedSegment;
    const partIndex = Math.floor(offset / this.d.partPlaintextSize);
    const inPart = offset - partIndex * this.d.partPlaintextSize;
    const segment = this.layout.segmentOf(inPart);
    const c = this.cache;
    if (c && c.part === partIndex && c.segment === segment) return c;
    const part = this.openPart(partIndex);
    const ctStart = this.layout.segmentCiphertextStart(segment);
    const ctEnd = Math.min(part.size, (segment + 1) * this.layout.segmentSize);
    const ct = this.readBuffer.subarray(0, ctEnd - ctStart);
    let got = 0;
    while (got < ct.length) {
      const n = readSync(part.fd, ct, got, ct.length - got, ctStart + got);
      if (n === 0) throw new ScelleError('E_FORMAT_TRUNCATED', `${this.d.partFiles[partIndex]} ended early`, { part: partIndex });
      got += n;
    }
    let slices: Buffer[];
    try {
      slices = part.decrypter.decryptSegmentSlices(segment, ct, segment === part.segments - 1);
    } catch (e) {
      if (e instanceof ScelleError)
        throw new ScelleError(e.code, `part ${partIndex} (${this.d.partFiles[partIndex]}), segment ${segment}: ${e.message}`, { part: partIndex, segment });
      throw e;
    }
    const length = ct.length - 16;
    if (c && this.transientSlices) this.retired.push(c.slices);
    this.cache = { part: partIndex, segment, start: partIndex * this.d.partPlaintextSize + this.layout.segmentPlaintextStart(segment), length, slices };
    return this.cache;
  }

  private openPart(n: number): OpenPart {
    const existing = this.parts.get(n);
    if (existing) return existing;
    const file = this.d.partFiles[n];
    const plain = this.d.partSizes[n];
    if (file === undefined || plain === undefined) throw new ScelleError('E_FORMAT_INDEX', `the index has no part ${n}`);
    const place = this.d.partPlaces?.[n] ?? { driveDir: this.d.driveDir, driveId: this.d.driveId, localIndex: n };
    if ('missing' in place) {
      const { position, driveId } = place.missing;
      throw new ScelleError('E_SET_MEMBER_MISSING', `these bytes are on member ${position} of the set (drive ${driveId}), which is not attached; attach it and try again`, {
        position,
        driveId,
      });
    }
    let fd: number;
    let size: number;
    try {
      // Hostile input: a regular file inside the drive folder, never through a link.
      ({ fd, size } = openDriveFile(place.driveDir, file));
    } catch (e) {
      if (e instanceof ScelleError) throw e;
      throw new ScelleError('E_FORMAT_PART_MISSING', `payload part ${file} is missing`, { part: n, file });
    }
    const expected = this.layout.ciphertextSize(plain);
    if (size !== expected) {
      closeSync(fd);
      throw new ScelleError('E_FORMAT_PART_SIZE', `payload part ${file} has ${size} bytes, expected ${expected}`, { part: n, file, size, expected });
    }
    const header = Buffer.alloc(this.layout.headerSize);
    readSync(fd, header, 0, header.length, 0);
    const decrypter = new SegmentDecrypter(this.d.dataKey, payloadAssociatedData(place.driveId, place.localIndex), header);
    const part = { fd, size, decrypter, segments: this.layout.segmentCount(plain) };
    this.parts.set(n, part);
    return part;
  }
}
