import { describe, expect, it } from 'vitest';
import { SCELLE_LAYOUT } from '../../format/stream.js';
import { choosePartPlaintextSize, DEFAULT_PART_PLAINTEXT_SIZE, FAT32_MAX_FILE } from './target.js';
import { largestPartFor } from '../../format/payload-size.js';

describe('part size and the target file system', () => {
  it('keeps the default 1 GiB parts where files can be large', () => {
    expect(choosePartPlaintextSize(undefined, { maxFileSize: null })).toBe(DEFAULT_PART_PLAINTEXT_SIZE);
    expect(choosePartPlaintextSize(8 * 2 ** 30, { maxFileSize: null })).toBe(8 * 2 ** 30);
  });
  it('lowers parts so that a part file never exceeds FAT32’s 4 GiB − 1', () => {
    const p = choosePartPlaintextSize(8 * 2 ** 30, { maxFileSize: FAT32_MAX_FILE });
    expect(SCELLE_LAYOUT.ciphertextSize(p)).toBeLessThanOrEqual(FAT32_MAX_FILE);
    expect(SCELLE_LAYOUT.ciphertextSize(p + 1)).toBeGreaterThan(FAT32_MAX_FILE);
    expect(p).toBe(largestPartFor(FAT32_MAX_FILE));
  });
  it('refuses absurdly small parts with a usage error', () => {
    expect(() => choosePartPlaintextSize(100, { maxFileSize: null })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
