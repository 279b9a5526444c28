import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  SCELLE_LAYOUT,
  SCELLE_STREAM,
  SegmentDecrypter,
  SegmentEncrypter,
  SizedStreamEncryptor,
  StreamLayout,
  decryptRange,
  decryptStream,
  encryptStream,
  type StreamParams,
} from './stream.js';
import { isScelleError } from '../errors/scelle-error.js';

const vendored = fileURLToPath(new URL('../../test/fixtures/vectors/tink-aes-gcm-hkdf-streaming.json', import.meta.url));
const published = fileURLToPath(new URL('../../../shared/vectors/tink-aes-gcm-hkdf-streaming.json', import.meta.url));

interface Official {
  hkdfHash: StreamParams['hkdfHash'];
  keySize: number;
  derivedKeySize: 16 | 32;
  ciphertextSegmentSize: number;
  key: string;
  associatedData: string;
  plaintext: string;
  ciphertext: string;
}
interface Scelle {
  name: string;
  key: string;
  salt: string;
  noncePrefix: string;
  associatedData: string;
  plaintextLength: number;
  ciphertextLength: number;
  ciphertextSha256: string;
  plaintext?: string;
  ciphertext?: string;
  plaintextRule?: string;
}
const vectors = JSON.parse(readFileSync(existsSync(published) ? published : vendored, 'utf8')) as { official: Official[]; scelle: Scelle[] };

const hex = (s: string) => Buffer.from(s, 'hex');
const rule251 = (n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(isScelleError(e) ? e.code : e).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('published vectors', () => {
  it('the vendored copy equals ../shared/vectors when present', () => {
    if (!existsSync(published)) return expect(existsSync(vendored)).toBe(true);
    expect(readFileSync(vendored, 'utf8')).toBe(readFileSync(published, 'utf8'));
  });

  for (const [i, v] of vectors.official.entries()) {
    const params: StreamParams = { hkdfHash: v.hkdfHash, keySize: v.keySize, derivedKeySize: v.derivedKeySize, ciphertextSegmentSize: v.ciphertextSegmentSize };
    it(`official #${i} (${v.hkdfHash}, key ${v.keySize}, segment ${v.ciphertextSegmentSize}, ${v.plaintext.length / 2} bytes) decrypts and re-encrypts byte for byte`, () => {
      const ct = hex(v.ciphertext);
      expect(decryptStream(hex(v.key), hex(v.associatedData), ct, params).toString('hex')).toBe(v.plaintext);
      const layout = new StreamLayout(params);
      const salt = ct.subarray(1, 1 + v.derivedKeySize);
      const noncePrefix = ct.subarray(1 + v.derivedKeySize, layout.headerSize);
      const enc = new SizedStreamEncryptor(hex(v.key), hex(v.associatedData), v.plaintext.length / 2, params, { salt, noncePrefix });
      const out: Buffer[] = [];
      const keep = (b: Buffer) => out.push(b);
      enc.push(hex(v.plaintext), keep);
      enc.finish(keep);
      expect(Buffer.concat(out).toString('hex')).toBe(v.ciphertext);
    });
  }

  for (const v of vectors.scelle) {
    it(`scelle vector "${v.name}" (${v.plaintextLength} bytes) encrypts and decrypts exactly`, () => {
      const plaintext = v.plaintext !== undefined ? hex(v.plaintext) : rule251(v.plaintextLength);
      expect(plaintext.length).toBe(v.plaintextLength);
      // Feed in odd chunk sizes to exercise segment cutting.
      const enc = new SizedStreamEncryptor(hex(v.key), Buffer.from(v.associatedData, 'utf8'), plaintext.length, SCELLE_STREAM, {
        salt: hex(v.salt),
        noncePrefix: hex(v.noncePrefix),
      });
      const out: Buffer[] = [];
      const keep = (b: Buffer) => out.push(b);
      for (let p = 0; p < plaintext.length; p += 65_537) enc.push(plaintext.subarray(p, p + 65_537), keep);
      enc.finish(keep);
      const ct = Buffer.concat(out);
      expect(ct.length).toBe(v.ciphertextLength);
      expect(SCELLE_LAYOUT.ciphertextSize(v.plaintextLength)).toBe(v.ciphertextLength);
      expect(SCELLE_LAYOUT.plaintextSize(v.ciphertextLength)).toBe(v.plaintextLength);
      expect(sha(ct)).toBe(v.ciphertextSha256);
      if (v.ciphertext !== undefined) expect(ct.toString('hex')).toBe(v.ciphertext);
      expect(decryptStream(hex(v.key), v.associatedData, ct).equals(plaintext)).toBe(true);
      // The sized encryptor (used for payload parts) gives the same bytes, whatever the chunking.
      for (const chunk of [1 << 20, 4096 * 3 + 7]) {
        const sized = new SizedStreamEncryptor(hex(v.key), v.associatedData, plaintext.length, SCELLE_STREAM, { salt: hex(v.salt), noncePrefix: hex(v.noncePrefix) });
        const parts: Buffer[] = [];
        const keepPart = (b: Buffer) => parts.push(b);
        for (let p = 0; p < plaintext.length; p += chunk) sized.push(plaintext.subarray(p, p + chunk), keepPart);
        sized.finish(keepPart);
        expect(sha(Buffer.concat(parts))).toBe(v.ciphertextSha256);
      }
    });
  }
});

describe('differential test against @noble/ciphers AES-GCM', () => {
  it('every segment of a random multi-segment stream decrypts with an independent implementation', () => {
    const key = randomBytes(32);
    const ad = 'scelle/1 payload DIFF part 3';
    const plaintext = randomBytes(3 * 1048576 + 12345);
    const ct = encryptStream(key, ad, plaintext);
    const layout = SCELLE_LAYOUT;
    const salt = ct.subarray(1, 33);
    const prefix = ct.subarray(33, 40);
    const derived = hkdf(sha256, key, salt, Buffer.from(ad), 32);
    const count = layout.segmentCount(plaintext.length);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const nonce = Buffer.alloc(12);
      Buffer.from(prefix).copy(nonce);
      nonce.writeUInt32BE(i, 7);
      nonce[11] = i === count - 1 ? 1 : 0;
      const start = layout.segmentCiphertextStart(i);
      parts.push(gcm(derived, nonce).decrypt(ct.subarray(start, Math.min(ct.length, (i + 1) * layout.segmentSize))));
    }
    expect(Buffer.concat(parts).equals(plaintext)).toBe(true);
  });
});

describe('tampering and truncation', () => {
  const key = randomBytes(32);
  const ad = 'scelle/1 payload TAMPER part 0';
  const plaintext = randomBytes(2 * 1048576 + 100);
  const ct = encryptStream(key, ad, plaintext);

  it('a flipped bit in the header, any segment body or any tag fails authentication', () => {
    const positions = [1, 20, 39, 40, 1048575, 1048576 - 16, 1048576 + 5, 2 * 1048576 - 1, ct.length - 17, ct.length - 1];
    for (const pos of positions) {
      const bad = Buffer.from(ct);
      bad[pos]! ^= 0x01;
      expectCode(() => decryptStream(key, ad, bad), 'E_FORMAT_AUTH');
    }
  });
  it('a wrong header length byte is E_FORMAT_HEADER', () => {
    const bad = Buffer.from(ct);
    bad[0] = 0x18;
    expectCode(() => decryptStream(key, ad, bad), 'E_FORMAT_HEADER');
  });
  it('the wrong key or the wrong associated data (a part moved to another place) fails', () => {
    expectCode(() => decryptStream(randomBytes(32), ad, ct), 'E_FORMAT_AUTH');
    expectCode(() => decryptStream(key, 'scelle/1 payload TAMPER part 1', ct), 'E_FORMAT_AUTH');
  });
  it('truncation at a segment boundary (no last segment) fails', () => {
    expectCode(() => decryptStream(key, ad, ct.subarray(0, 2 * 1048576)), 'E_FORMAT_AUTH');
  });
  it('truncation inside a segment fails', () => {
    expectCode(() => decryptStream(key, ad, ct.subarray(0, ct.length - 1)), 'E_FORMAT_AUTH');
    expectCode(() => decryptStream(key, ad, ct.subarray(0, 2 * 1048576 + 3)), 'E_FORMAT_TRUNCATED');
  });
  it('trailing bytes fail', () => {
    expectCode(() => decryptStream(key, ad, Buffer.concat([ct, Buffer.from([0])])), 'E_FORMAT_AUTH');
    expectCode(() => decryptStream(key, ad, Buffer.concat([ct, randomBytes(1048576)])), 'E_FORMAT_AUTH');
  });
  it('a second final segment (two streams concatenated) fails', () => {
    const small = encryptStream(key, ad, Buffer.from('x'));
    expectCode(() => decryptStream(key, ad, Buffer.concat([small, small.subarray(40)])), 'E_FORMAT_AUTH');
  });
  it('swapped segments fail', () => {
    const bad = Buffer.from(ct);
    ct.subarray(1048576, 2 * 1048576).copy(bad, 0);
    ct.subarray(40, 1048576).copy(bad, 1048576);
    expectCode(() => decryptStream(key, ad, Buffer.concat([ct.subarray(0, 40), bad.subarray(0, 1048576 - 40), bad.subarray(1048576)])), 'E_FORMAT_AUTH');
  });
  it('an empty plaintext is the header and one tag, and decrypts', () => {
    const e = encryptStream(key, ad, Buffer.alloc(0));
    expect(e.length).toBe(56);
    expect(decryptStream(key, ad, e).length).toBe(0);
    expectCode(() => decryptStream(key, ad, e.subarray(0, 50)), 'E_FORMAT_TRUNCATED');
  });
});

describe('random access', () => {
  const key = randomBytes(32);
  const ad = 'scelle/1 payload RANGE part 0';
  const plaintext = randomBytes(3 * 1048576 + 777);
  const ct = encryptStream(key, ad, plaintext);
  let reads = 0;
  const readAt = async (pos: number, len: number) => {
    reads++;
    return ct.subarray(pos, pos + len);
  };

  it('returns any byte range, across segment boundaries', async () => {
    const ranges: [number, number][] = [
      [0, 1],
      [0, 0],
      [1048519, 2],
      [1048520, 1048560],
      [5, 3 * 1048576],
      [plaintext.length - 1, 1],
      [0, plaintext.length],
    ];
    for (const [off, len] of ranges) {
      const got = await decryptRange(key, ad, readAt, ct.length, off, len);
      expect(got.equals(plaintext.subarray(off, off + len))).toBe(true);
    }
  });
  it('reads only the segments that hold the range', async () => {
    reads = 0;
    await decryptRange(key, ad, readAt, ct.length, 2 * 1048576, 10);
    expect(reads).toBe(2); // header + one segment
  });
  it('authenticates the segment it reads, including the last flag', async () => {
    const bad = Buffer.from(ct);
    bad[1048576 + 100]! ^= 1;
    const badRead = async (pos: number, len: number) => bad.subarray(pos, pos + len);
    await expect(decryptRange(key, ad, badRead, bad.length, 1048600, 5)).rejects.toMatchObject({ code: 'E_FORMAT_AUTH' });
    // Claiming the stream is shorter makes a middle segment look last: it must not authenticate.
    await expect(decryptRange(key, ad, readAt, 2 * 1048576, 1048600, 5)).rejects.toMatchObject({ code: 'E_FORMAT_AUTH' });
  });
  it('a short read (the part file shorter than its stated size) is E_FORMAT_TRUNCATED, not an authentication failure', async () => {
    const shortRead = async (pos: number, len: number) => ct.subarray(pos, pos + (pos === 0 ? len : len - 1));
    await expect(decryptRange(key, ad, shortRead, ct.length, 1048600, 5)).rejects.toMatchObject({ code: 'E_FORMAT_TRUNCATED', message: 'short read in segment 1' });
  });
  it('rejects a range outside the stream', async () => {
    await expect(decryptRange(key, ad, readAt, ct.length, plaintext.length, 1)).rejects.toMatchObject({ code: 'E_FORMAT_TRUNCATED' });
  });
});

describe('layout arithmetic', () => {
  it('ciphertextSize and plaintextSize are inverse for sizes around segment boundaries', () => {
    for (const base of [0, 1048520, 1048520 + 1048560, 1048520 + 5 * 1048560]) {
      for (const d of [-2, -1, 0, 1, 2]) {
        const n = base + d;
        if (n < 0) continue;
        expect(SCELLE_LAYOUT.plaintextSize(SCELLE_LAYOUT.ciphertextSize(n))).toBe(n);
      }
    }
  });
  it('a segment too small for the header and one tag is refused, the smallest that holds a byte is not', () => {
    const headerSize = 1 + SCELLE_STREAM.derivedKeySize + 7;
    expectCode(() => new StreamLayout({ ...SCELLE_STREAM, ciphertextSegmentSize: headerSize + 16 }), 'E_FORMAT_UNSUPPORTED');
    expect(new StreamLayout({ ...SCELLE_STREAM, ciphertextSegmentSize: headerSize + 17 }).firstSegmentPlaintextSize).toBe(1);
  });
  it('a key of the wrong size is refused before any segment, when sealing and when opening', () => {
    const ct = encryptStream(randomBytes(32), 'x', Buffer.from('abc'));
    for (const size of [16, 31, 33]) {
      expectCode(() => encryptStream(randomBytes(size), 'x', Buffer.from('abc')), 'E_FORMAT_UNSUPPORTED');
      expectCode(() => decryptStream(randomBytes(size), 'x', ct), 'E_FORMAT_UNSUPPORTED');
    }
  });
  it('a segment is encrypted once, in order, and none after the last: a nonce is never used twice', () => {
    const enc = new SegmentEncrypter(randomBytes(32), 'x');
    enc.startSegment(0, false);
    expectCode(() => enc.startSegment(0, false), 'E_INTERNAL'); // the same nonce again
    expectCode(() => enc.startSegment(2, false), 'E_INTERNAL'); // one skipped
    enc.startSegment(1, true);
    expectCode(() => enc.startSegment(2, false), 'E_INTERNAL'); // after the last
  });
  it('a sized stream refuses more plaintext than announced, and refuses to end short', () => {
    const drop = () => {};
    // Without the first check, push would loop for ever on the bytes past the last segment.
    const over = new SizedStreamEncryptor(randomBytes(32), 'x', 10);
    over.push(Buffer.alloc(6), drop);
    expectCode(() => over.push(Buffer.alloc(5), drop), 'E_INTERNAL');
    const short = new SizedStreamEncryptor(randomBytes(32), 'x', 10);
    short.push(Buffer.alloc(9), drop);
    expectCode(() => short.finish(drop), 'E_INTERNAL');
  });
  it('a segment shorter than its tag is E_FORMAT_TRUNCATED', () => {
    const dec = new SegmentDecrypter(randomBytes(32), 'x', encryptStream(randomBytes(32), 'x', Buffer.alloc(0)));
    for (const size of [0, 10, 15]) expectCode(() => dec.decryptSegment(0, Buffer.alloc(size), true), 'E_FORMAT_TRUNCATED');
  });
  it('segment decrypter refuses a short header', () => {
    expectCode(() => new SegmentDecrypter(randomBytes(32), 'x', Buffer.alloc(10)), 'E_FORMAT_HEADER');
  });
});
