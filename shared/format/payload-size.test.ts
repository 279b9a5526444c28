import { describe, expect, it } from 'vitest';
import { DEFAULT_PART_PLAINTEXT_SIZE, estimateTarSize, largestPartFor, partSizesOf, sealedBytes, streamCiphertextSize } from './payload-size.js';

describe('payload sizes', () => {
  it('cut a tar stream into equal parts and a shorter last one (one part at least)', () => {
    expect(partSizesOf(10, 4)).toEqual([4, 4, 2]);
    expect(partSizesOf(8, 4)).toEqual([4, 4]);
    expect(partSizesOf(0, 4)).toEqual([0]);
    expect(partSizesOf(3 * DEFAULT_PART_PLAINTEXT_SIZE + 1, DEFAULT_PART_PLAINTEXT_SIZE)).toHaveLength(4);
  });

  it('find the largest part a FAT32 file holds, exactly', () => {
    const fat32 = 2 ** 32 - 1;
    const p = largestPartFor(fat32);
    expect(streamCiphertextSize(p)).toBeLessThanOrEqual(fat32);
    expect(streamCiphertextSize(p + 1)).toBeGreaterThan(fat32);
  });

  it("count every part's ciphertext, the index and slack; a resume only the parts left", () => {
    const tar = estimateTarSize(5_000_000, 100);
    expect(tar).toBeGreaterThan(5_000_000 + 100 * 512);
    const all = sealedBytes(tar, 100, 2 << 20);
    const parts = partSizesOf(tar, 2 << 20);
    expect(all).toBeGreaterThan(parts.reduce((a, p) => a + streamCiphertextSize(p), 0));
    expect(sealedBytes(tar, 100, 2 << 20, 2)).toBe(all - streamCiphertextSize(parts[0]!) - streamCiphertextSize(parts[1]!));
  });
});
