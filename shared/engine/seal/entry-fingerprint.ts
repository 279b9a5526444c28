/**
 * The bytes one entry contributes to a seal's source fingerprint (ScanTally in scan.ts): its
 * archive path, six float64 fields (path length, type, size, mode, mtime in ms, link target
 * length or −1), then its link target. The count hashes them entry by entry; the tar builders
 * write them for a whole batch ({@link FingerprintBytes}) and the sealing loop hashes the batch
 * in stream order, so both passes hash the very same bytes.
 */
import type { TarEntryType } from '../../format/tar.js';

/** Bytes of the fixed-size fields of one record. */
export const FINGERPRINT_FIELDS_BYTES = 48;

/** Fills `f` (6 float64) with the fixed-size fields of one entry. */
export function fingerprintFields(
  f: Float64Array,
  archivePathLength: number,
  type: TarEntryType,
  size: number,
  mode: number,
  mtimeMs: number,
  linkTarget: Uint8Array | undefined,
): void {
  f[0] = archivePathLength;
  f[1] = type === 'file' ? 0 : type === 'directory' ? 1 : 2;
  f[2] = size;
  f[3] = mode;
  f[4] = mtimeMs;
  f[5] = linkTarget === undefined ? -1 : linkTarget.length;
}

/** The fingerprint records of consecutive entries, appended into one growing buffer. */
export class FingerprintBytes {
  private buf = Buffer.allocUnsafe(64 << 10);
  private length = 0;
  private readonly fields = new Float64Array(6);
  private readonly fieldBytes = new Uint8Array(this.fields.buffer);

  /** Appends one entry's record. */
  add(archivePath: Uint8Array, type: TarEntryType, size: number, mode: number, mtimeMs: number, linkTarget: Uint8Array | undefined): void {
    const need = archivePath.length + FINGERPRINT_FIELDS_BYTES + (linkTarget?.length ?? 0);
    if (this.length + need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.length + need));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    fingerprintFields(this.fields, archivePath.length, type, size, mode, mtimeMs, linkTarget);
    this.buf.set(archivePath, this.length);
    this.length += archivePath.length;
    this.buf.set(this.fieldBytes, this.length);
    this.length += FINGERPRINT_FIELDS_BYTES;
    if (linkTarget !== undefined) {
      this.buf.set(linkTarget, this.length);
      this.length += linkTarget.length;
    }
  }

  /** Forgets the records (keeps the buffer). */
  reset(): void {
    this.length = 0;
  }

  /** The records so far (a view: valid until the next add or reset). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
