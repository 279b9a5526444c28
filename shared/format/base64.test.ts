import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, isCanonicalBase64 } from './base64.js';
import { isValidDriveId } from './drive-id.js';

describe('strict base64', () => {
  it('round-trips bytes of every length 0..40 in the standard padded alphabet', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 250) & 255);
      const text = encodeBase64(bytes);
      expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      expect(text.length % 4).toBe(0);
      expect(decodeBase64(text, n)).toEqual(bytes);
    }
    expect(encodeBase64(Uint8Array.from([0xfb, 0xff]))).toBe('+/8=');
  });

  it('encodes a view into a larger buffer correctly', () => {
    const big = Uint8Array.from([1, 2, 3, 4, 5]);
    expect(encodeBase64(big.subarray(1, 3))).toBe(encodeBase64(Uint8Array.from([2, 3])));
  });

  it('accepts only the canonical spelling', () => {
    expect(isCanonicalBase64('AAE=')).toBe(true);
    for (const bad of ['AAE', 'AAE==', 'AAF=', 'AA E=', 'AAE=\n', '-_8=', 'AA==AA==', '=', 'A']) {
      expect(isCanonicalBase64(bad)).toBe(false);
      expect(decodeBase64(bad)).toBeNull();
    }
  });

  it('checks the decoded length when asked', () => {
    expect(decodeBase64('AAE=', 2)).toEqual(Uint8Array.from([0, 1]));
    expect(decodeBase64('AAE=', 3)).toBeNull();
    expect(isCanonicalBase64('AAE=', 1)).toBe(false);
  });
});

describe('drive ids', () => {
  it('accept file-name-safe ids without spaces', () => {
    for (const ok of ['A', '01J8ZK3V6QABCDEF', 'a-b-c', '0'.repeat(64)]) expect(isValidDriveId(ok)).toBe(true);
  });
  it('refuse ids that could break a folder name or an associated-data string', () => {
    for (const bad of ['', '-a', 'a-', 'a b', 'a/b', '..', 'é', '0'.repeat(65), 42, null]) expect(isValidDriveId(bad)).toBe(false);
  });
});
