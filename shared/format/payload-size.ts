/**
 * The one place where a sealed drive's sizes are computed (docs/FORMAT.md §3–§5): part sizes,
 * the largest part a file system can hold, and the space a seal needs. The drive check before
 * a seal (shared/drives) and the seal itself (shared/engine) both use it.
 */
import { SCELLE_LAYOUT } from './stream.js';

/** The default plaintext size of a payload part: 1 GiB. */
export const DEFAULT_PART_PLAINTEXT_SIZE = 1024 ** 3;
/** The smallest part size accepted (one segment's worth, rounded up to 64 KiB). */
export const MIN_PART_PLAINTEXT_SIZE = 64 * 1024;
/** What the index takes per entry at most, for space estimates (a long path, a hash, totals). */
const INDEX_BYTES_PER_ENTRY = 400;
/** Slack kept free beyond the estimate: manifest, signature, notice, state file. */
const SLACK_BYTES = 1024 * 1024;

/** Ciphertext bytes (header and tags) of one stream of `plaintext` bytes. */
export function streamCiphertextSize(plaintext: number): number {
  return SCELLE_LAYOUT.ciphertextSize(plaintext);
}

/** The largest part plaintext size whose ciphertext fits in `maxFileSize` bytes. */
export function largestPartFor(maxFileSize: number): number {
  // ciphertextSize is increasing in the plaintext size: start just under the bound and adjust.
  let p = maxFileSize - SCELLE_LAYOUT.headerSize - SCELLE_LAYOUT.segmentCount(maxFileSize) * 16;
  while (SCELLE_LAYOUT.ciphertextSize(p) > maxFileSize) p--;
  while (SCELLE_LAYOUT.ciphertextSize(p + 1) <= maxFileSize) p++;
  return p;
}

/** The plaintext size of each part of a tar stream of `tarSize` bytes (at least one part). */
export function partSizesOf(tarSize: number, partPlaintextSize: number): number[] {
  const count = Math.max(1, Math.ceil(tarSize / partPlaintextSize));
  return Array.from({ length: count }, (_, n) => Math.min(partPlaintextSize, tarSize - n * partPlaintextSize));
}

/** An upper bound of the tar stream of `bytes` in `entries` entries (headers with pax records, padding, end). */
export function estimateTarSize(bytes: number, entries: number): number {
  return bytes + entries * 1536 + 1024;
}

/**
 * Bytes a seal needs on the drive for a tar stream of `tarSize` bytes in `entries` entries:
 * every part's ciphertext (`fromPart` on: a resume skips the finished ones), the index and slack.
 */
export function sealedBytes(tarSize: number, entries: number, partPlaintextSize: number, fromPart = 0): number {
  const parts = partSizesOf(tarSize, partPlaintextSize).slice(fromPart);
  const payload = parts.reduce((a, p) => a + streamCiphertextSize(p), 0);
  return payload + indexAndSlackBytes(entries);
}

/** Bytes a drive needs besides its parts: an index of `entries` entries (an upper bound) and slack. */
export function indexAndSlackBytes(entries: number): number {
  return streamCiphertextSize(entries * INDEX_BYTES_PER_ENTRY + 1024) + SLACK_BYTES;
}
