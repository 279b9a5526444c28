import { describe, expect, it } from 'vitest';
import { encodeTarHeader, tarHeaderSize, writePlainTarHeader, type TarHeader } from './tar.js';

const headers: TarHeader[] = [
  { path: Buffer.from('a.txt'), type: 'file', size: 5, mode: 0o644, mtime: 1_700_000_000 },
  { path: Buffer.from('dossier'), type: 'directory', size: 0, mode: 0o755, mtime: 0 },
  { path: Buffer.from('x'.repeat(100)), type: 'file', size: 1, mode: 0o600, mtime: 1 },
  { path: Buffer.from('x'.repeat(99)), type: 'directory', size: 0, mode: 0o700, mtime: 1 },
  { path: Buffer.from('x'.repeat(100)), type: 'directory', size: 0, mode: 0o700, mtime: 1 },
  { path: Buffer.from('été.txt'), type: 'file', size: 0, mode: 0o644, mtime: 1 },
  { path: Buffer.from([0x63, 0x61, 0x66, 0xe9]), type: 'file', size: 0, mode: 0o644, mtime: 1 },
  { path: Buffer.from('big.bin'), type: 'file', size: 8 * 1024 ** 3, mode: 0o644, mtime: 1 },
  { path: Buffer.from('old.txt'), type: 'file', size: 3, mode: 0o644, mtime: -86400 },
  { path: Buffer.from('lien'), type: 'symlink', size: 0, mode: 0o777, mtime: 1, linkTarget: Buffer.from('a.txt') },
  { path: Buffer.from('lien2'), type: 'symlink', size: 0, mode: 0o777, mtime: 1, linkTarget: Buffer.from('y'.repeat(101)) },
  { path: Buffer.from('lien3'), type: 'symlink', size: 0, mode: 0o777, mtime: 1, linkTarget: Buffer.from('à') },
];

describe('tar header sizes', () => {
  for (const h of headers)
    it(`${h.type} ${Buffer.from(h.path).toString('latin1').slice(0, 12)}: tarHeaderSize is the encoded length, and the in-place writer agrees`, () => {
      const encoded = encodeTarHeader(h);
      expect(tarHeaderSize(h)).toBe(encoded.length);
      const out = Buffer.alloc(512);
      const n = writePlainTarHeader(h, out, 0);
      if (encoded.length === 512) expect(out.equals(encoded)).toBe(true);
      else expect(n).toBe(0);
    });
});
