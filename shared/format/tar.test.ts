import { describe, expect, it } from 'vitest';
import { BLOCK, END_OF_ARCHIVE, TarReader, encodeTarHeader, tarHeaderSize, writePlainTarHeader, type TarHeader } from './tar.js';

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

describe('TarReader: headers read back as written, and malformed ones refused', () => {
  /** A reader over `stream` (read and skip from an in-memory buffer). */
  const readerOf = (stream: Buffer) => {
    let pos = 0;
    return new TarReader(
      async (n) => {
        const b = stream.subarray(pos, pos + n);
        pos += n;
        return b;
      },
      async (n) => {
        pos += n;
      },
    );
  };
  /** Rewrites the checksum field of a ustar block after a change. */
  const fixChecksum = (block: Buffer) => {
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  };
  const plain = () => Buffer.concat([encodeTarHeader(headers[0]!), END_OF_ARCHIVE]);
  /**
   * The pax extended header the writer makes for a long path (its first block), holding
   * `records` as they are instead of its own, then the plain entry.
   */
  const paxThen = (records: string) => {
    const data = Buffer.from(records, 'latin1');
    const head = Buffer.from(encodeTarHeader({ ...headers[0]!, path: Buffer.from('x'.repeat(101)) }).subarray(0, BLOCK));
    expect(String.fromCharCode(head[156]!)).toBe('x');
    head.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    fixChecksum(head);
    return Buffer.concat([head, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK), plain()]);
  };

  for (const h of headers)
    it(`${h.type} ${Buffer.from(h.path).toString('latin1').slice(0, 12)}: every field as written (pax records included)`, async () => {
      const encoded = encodeTarHeader(h);
      const got = await readerOf(Buffer.concat([encoded, END_OF_ARCHIVE])).next();
      expect(got).not.toBeNull();
      expect(Buffer.from(got!.path).equals(Buffer.from(h.path))).toBe(true);
      expect(got!.type).toBe(h.type);
      expect(got!.size).toBe(h.size);
      expect(got!.mode).toBe(h.mode);
      expect(got!.mtime).toBe(h.mtime);
      expect(got!.dataOffset).toBe(encoded.length);
      if (h.type === 'symlink') expect(Buffer.from(got!.linkTarget!).equals(Buffer.from(h.linkTarget!))).toBe(true);
    });

  it('ends at the end-of-archive marker, and refuses a lone zero block', async () => {
    expect(await readerOf(Buffer.from(END_OF_ARCHIVE)).next()).toBeNull();
    const lone = Buffer.concat([Buffer.alloc(BLOCK), plain()]);
    await expect(readerOf(lone).next()).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message: /lone zero block/ });
  });

  it('refuses a header whose checksum does not match', async () => {
    const stream = plain();
    stream[100] = 0x37; // the mode's first digit: '0' → '7', checksum left as it was
    await expect(readerOf(stream).next()).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message: /checksum/ });
  });

  it('applies a well-formed pax record, and refuses one without its length, space or equals sign', async () => {
    expect(Buffer.from((await readerOf(paxThen('14 path=b.txt\n')).next())!.path).toString()).toBe('b.txt');
    // Each of these would otherwise be read as some record: '9a=bcdef' as the key '9a'.
    const cases: [string, string][] = [
      ['9a=bcdef\n', 'malformed pax record'], // no space after the length
      ['99 path=b.txt\n', 'malformed pax record length'], // longer than the header's data
      ['0 path=b.txt\n', 'malformed pax record length'],
      ['x4 path=b.txt\n', 'malformed pax record length'], // not a number
      ['8 pathx\n', 'malformed pax record'], // no '='
    ];
    for (const [records, message] of cases) await expect(readerOf(paxThen(records)).next(), records).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message });
  });

  it('refuses an entry type scelle/1 does not write (hard link, device, FIFO, GNU long name)', async () => {
    for (const flag of ['1', '3', '4', '6', 'L', 'g']) {
      const stream = plain();
      stream.write(flag, 156, 'ascii');
      fixChecksum(stream.subarray(0, BLOCK));
      await expect(readerOf(stream).next(), flag).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message: `unsupported tar entry type '${flag}'` });
    }
  });

  it('refuses a stream that ends inside a header or inside pax records, rather than reading it as the end', async () => {
    const whole = paxThen('14 path=b.txt\n');
    for (const cut of [100, BLOCK + 10, 2 * BLOCK + 100]) {
      await expect(readerOf(whole.subarray(0, cut)).next(), String(cut)).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message: 'the tar stream ends early' });
    }
  });

  it('reads numeric fields with leading spaces and trailing NULs or spaces, and nothing else', async () => {
    const padded = plain();
    padded.write('  00644 \0', 100, 'ascii'); // mode, 8 bytes: '  00644 ' (the NUL falls outside)
    padded.write(' 5\0\0\0\0\0\0\0\0\0\0', 124, 'ascii'); // size: ' 5' then NULs
    fixChecksum(padded.subarray(0, BLOCK));
    const got = await readerOf(padded).next();
    expect(got).toMatchObject({ mode: 0o644, size: 5 });

    const empty = plain();
    empty.fill(0, 100, 108); // an all-NUL mode reads as 0
    fixChecksum(empty.subarray(0, BLOCK));
    expect(await readerOf(empty).next()).toMatchObject({ mode: 0 });

    for (const bad of ['0000 644', '00006448', '0000064\x80', '000-0644']) {
      const stream = plain();
      stream.write(bad, 100, 8, 'latin1');
      fixChecksum(stream.subarray(0, BLOCK));
      await expect(readerOf(stream).next(), bad).rejects.toMatchObject({ code: 'E_FORMAT_TAR', message: /malformed numeric field/ });
    }
  });
});
