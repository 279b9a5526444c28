/**
 * Google Tink streaming AEAD, AES-GCM-HKDF (byte-compatible with Tink's
 * AesGcmHkdfStreaming, firstSegmentOffset = 0). scelle/1 uses AES256_GCM_HKDF_1MB:
 * HKDF-SHA256, 32-byte key and derived key, 1 MiB ciphertext segments.
 *
 * Stream = header || segment_0 || … || segment_{n-1}
 *   header    = headerLength (1 byte = 1 + saltSize + 7) || salt || noncePrefix (7 bytes)
 *   key       = HKDF(hash, ikm = key, salt = salt, info = associated data, derivedKeySize)
 *   segment i = AES-GCM(key, nonce_i, plaintext_i) || tag (16 bytes), no GCM AAD
 *   nonce_i   = noncePrefix || uint32be(i) || (0x01 if last else 0x00)
 * The first segment carries `segmentSize - headerLength - 16` plaintext bytes, the others
 * `segmentSize - 16`; the last may be shorter, and is the only one marked last. An empty
 * plaintext is the header and one empty last segment (a lone tag).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type CipherGCM } from 'node:crypto';
import { ScelleError } from '../errors/scelle-error.js';
import { freeBuffers } from './free-buffers.js';

/** Parameters of a Tink AES-GCM-HKDF streaming key. */
export interface StreamParams {
  hkdfHash: 'SHA1' | 'SHA256' | 'SHA512';
  /** Size of the input key material, bytes. */
  keySize: number;
  /** AES key size after HKDF (16 or 32); also the salt size. */
  derivedKeySize: 16 | 32;
  /** Ciphertext segment size, bytes, including the 16-byte tag. */
  ciphertextSegmentSize: number;
}

/** AES256_GCM_HKDF_1MB, the only parameters scelle/1 writes. */
export const SCELLE_STREAM: StreamParams = Object.freeze({
  hkdfHash: 'SHA256',
  keySize: 32,
  derivedKeySize: 32,
  ciphertextSegmentSize: 1 << 20,
});

/** GCM tag size. */
export const TAG_SIZE = 16;
const NONCE_PREFIX_SIZE = 7;

/** The layout of a stream with given parameters: header and per-segment plaintext sizes. */
export class StreamLayout {
  readonly headerSize: number;
  readonly firstSegmentPlaintextSize: number;
  readonly segmentPlaintextSize: number;
  readonly segmentSize: number;

  /** Throws E_FORMAT_UNSUPPORTED if the segment size is too small for the header and a tag. */
  constructor(readonly params: StreamParams) {
    this.headerSize = 1 + params.derivedKeySize + NONCE_PREFIX_SIZE;
    this.segmentSize = params.ciphertextSegmentSize;
    this.firstSegmentPlaintextSize = this.segmentSize - this.headerSize - TAG_SIZE;
    this.segmentPlaintextSize = this.segmentSize - TAG_SIZE;
    if (this.firstSegmentPlaintextSize <= 0) {
      throw new ScelleError('E_FORMAT_UNSUPPORTED', `segment size ${this.segmentSize} is too small`);
    }
  }

  /** Number of segments of a stream holding `plaintextSize` bytes (at least 1). */
  segmentCount(plaintextSize: number): number {
    if (plaintextSize <= this.firstSegmentPlaintextSize) return 1;
    return 1 + Math.ceil((plaintextSize - this.firstSegmentPlaintextSize) / this.segmentPlaintextSize);
  }

  /** Exact ciphertext size (header included) of a plaintext of `plaintextSize` bytes. */
  ciphertextSize(plaintextSize: number): number {
    return this.headerSize + plaintextSize + this.segmentCount(plaintextSize) * TAG_SIZE;
  }

  /**
   * Plaintext size held by a stream of `ciphertextSize` bytes.
   * Throws E_FORMAT_TRUNCATED when no well-formed stream has that size.
   */
  plaintextSize(ciphertextSize: number): number {
    const body = ciphertextSize - this.headerSize;
    if (body < TAG_SIZE) throw new ScelleError('E_FORMAT_TRUNCATED', `stream of ${ciphertextSize} bytes is shorter than a header and one tag`);
    // Segment boundaries in the ciphertext, counted from the end of the header.
    const firstCt = this.segmentSize - this.headerSize;
    if (body <= firstCt) return body - TAG_SIZE;
    const rest = body - firstCt;
    const full = Math.floor(rest / this.segmentSize);
    const tail = rest % this.segmentSize;
    if (tail > 0 && tail < TAG_SIZE) {
      throw new ScelleError('E_FORMAT_TRUNCATED', `stream of ${ciphertextSize} bytes ends inside a segment tag`);
    }
    const segments = 1 + full + (tail > 0 ? 1 : 0);
    return body - segments * TAG_SIZE;
  }

  /** Plaintext offset at which segment `i` starts. */
  segmentPlaintextStart(i: number): number {
    return i === 0 ? 0 : this.firstSegmentPlaintextSize + (i - 1) * this.segmentPlaintextSize;
  }

  /** Ciphertext offset (from the start of the stream, header included) of segment `i`. */
  segmentCiphertextStart(i: number): number {
    return i === 0 ? this.headerSize : i * this.segmentSize;
  }

  /** Index of the segment holding plaintext offset `offset`. */
  segmentOf(offset: number): number {
    if (offset < this.firstSegmentPlaintextSize) return 0;
    return 1 + Math.floor((offset - this.firstSegmentPlaintextSize) / this.segmentPlaintextSize);
  }
}

/** The 1 MiB layout of scelle/1. */
export const SCELLE_LAYOUT = new StreamLayout(SCELLE_STREAM);

function deriveKey(params: StreamParams, key: Uint8Array, salt: Uint8Array, associatedData: Uint8Array): Buffer {
  if (key.length !== params.keySize) {
    throw new ScelleError('E_FORMAT_UNSUPPORTED', `stream key must be ${params.keySize} bytes, got ${key.length}`);
  }
  return Buffer.from(hkdfSync(params.hkdfHash.toLowerCase(), key, salt, associatedData, params.derivedKeySize));
}

function cipherName(params: StreamParams): 'aes-128-gcm' | 'aes-256-gcm' {
  return params.derivedKeySize === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
}

/**
 * AES-GCM output is allocated per update call; 64 KiB slices keep those allocations in the
 * malloc arena instead of mapping and faulting in a fresh 1 MiB per segment.
 */
export const CIPHER_UPDATE_SLICE = 64 * 1024;

function updateInSlices(cipher: { update(data: Uint8Array): Buffer }, data: Uint8Array, emit: (out: Buffer) => void): void {
  for (let p = 0; p < data.length; p += CIPHER_UPDATE_SLICE) emit(cipher.update(data.subarray(p, Math.min(data.length, p + CIPHER_UPDATE_SLICE))));
}

function toBytes(ad: Uint8Array | string): Uint8Array {
  return typeof ad === 'string' ? Buffer.from(ad, 'utf8') : ad;
}

/**
 * The per-stream state of encryption: salt, nonce prefix, derived key and the next segment
 * number. {@link SizedStreamEncryptor} cuts a plaintext into segments on top of it.
 */
export class SegmentEncrypter {
  readonly layout: StreamLayout;
  /** The stream header, to be written before the first segment. */
  readonly header: Buffer;
  private readonly derivedKey: Buffer;
  private readonly nonce = Buffer.alloc(12);
  private nextIndex = 0;
  private finished = false;

  /**
   * @param key input key material (params.keySize bytes)
   * @param associatedData binds the stream to its place (HKDF info)
   * @param testOnlyFixed fixed salt and nonce prefix: for test vectors only; never pass in production
   */
  constructor(key: Uint8Array, associatedData: Uint8Array | string, params: StreamParams = SCELLE_STREAM, testOnlyFixed?: { salt: Uint8Array; noncePrefix: Uint8Array }) {
    this.layout = new StreamLayout(params);
    const salt = testOnlyFixed?.salt ?? randomBytes(params.derivedKeySize);
    const noncePrefix = testOnlyFixed?.noncePrefix ?? randomBytes(NONCE_PREFIX_SIZE);
    this.header = Buffer.concat([Buffer.from([this.layout.headerSize]), salt, noncePrefix]);
    this.derivedKey = deriveKey(params, key, salt, toBytes(associatedData));
    Buffer.from(noncePrefix).copy(this.nonce, 0);
  }

  /**
   * Starts segment `index` (which must be the next one) and returns its GCM cipher, for
   * callers that stream a segment's plaintext in pieces. Used by {@link SizedStreamEncryptor}.
   */
  startSegment(index: number, last: boolean): CipherGCM {
    if (this.finished || index !== this.nextIndex) throw new ScelleError('E_INTERNAL', `segment ${index} started out of order`);
    this.nonce.writeUInt32BE(index, NONCE_PREFIX_SIZE);
    this.nonce[11] = last ? 1 : 0;
    this.nextIndex++;
    if (last) this.finished = true;
    return createCipheriv(cipherName(this.layout.params), this.derivedKey, this.nonce) as CipherGCM;
  }
}

/**
 * Encryptor for a plaintext whose total size is known in advance (a payload part): since
 * the last segment is known, chunks are encrypted as they come, without holding a segment
 * back or copying it. Throws E_INTERNAL if more or fewer bytes than announced arrive.
 */
export class SizedStreamEncryptor {
  private readonly seg: SegmentEncrypter;
  private readonly count: number;
  private cipher: CipherGCM | null = null;
  private segment = 0;
  private leftInSegment = 0;
  private received = 0;
  private headerSent = false;

  constructor(
    key: Uint8Array,
    associatedData: Uint8Array | string,
    private readonly plaintextSize: number,
    params: StreamParams = SCELLE_STREAM,
    testOnlyFixed?: { salt: Uint8Array; noncePrefix: Uint8Array },
  ) {
    this.seg = new SegmentEncrypter(key, associatedData, params, testOnlyFixed);
    this.count = this.seg.layout.segmentCount(plaintextSize);
  }

  /**
   * Encrypts `chunk`, handing the ciphertext to `emit` piece by piece (at most
   * CIPHER_UPDATE_SLICE bytes each), in order, as each is made. `emit` owns each piece: nothing
   * here keeps it, so it may free it once written or copied (free-buffers.ts). Consuming each
   * piece before the next is made keeps the cipher's output memory to one piece: made all
   * first, a 2 MiB chunk's pieces grew and shrank the thread's malloc arena on every call, and
   * their pages were faulted in again each time (docs/BENCHMARKS.md, session 8).
   * Throws E_INTERNAL past the announced size.
   */
  push(chunk: Uint8Array, emit: (ciphertext: Buffer) => void): void {
    this.sendHeader(emit);
    if (this.received + chunk.length > this.plaintextSize) throw new ScelleError('E_INTERNAL', 'more plaintext than announced');
    let pos = 0;
    while (pos < chunk.length) {
      if (this.cipher === null) this.begin();
      const n = Math.min(this.leftInSegment, chunk.length - pos);
      updateInSlices(this.cipher!, chunk.subarray(pos, pos + n), emit);
      pos += n;
      this.leftInSegment -= n;
      this.received += n;
      if (this.leftInSegment === 0 && this.segment < this.count - 1) this.end(emit);
    }
  }

  /** Ends the stream (the last segment's tag), handing the rest to `emit` as {@link push} does. Throws E_INTERNAL when short. */
  finish(emit: (ciphertext: Buffer) => void): void {
    if (this.received !== this.plaintextSize) throw new ScelleError('E_INTERNAL', `stream got ${this.received} of ${this.plaintextSize} bytes`);
    this.sendHeader(emit);
    if (this.cipher === null) this.begin();
    this.end(emit);
  }

  private sendHeader(emit: (ciphertext: Buffer) => void): void {
    if (this.headerSent) return;
    this.headerSent = true;
    emit(Buffer.from(this.seg.header));
  }

  private begin(): void {
    const last = this.segment === this.count - 1;
    this.cipher = this.seg.startSegment(this.segment, last);
    const layout = this.seg.layout;
    const full = this.segment === 0 ? layout.firstSegmentPlaintextSize : layout.segmentPlaintextSize;
    this.leftInSegment = last ? this.plaintextSize - layout.segmentPlaintextStart(this.segment) : full;
  }

  private end(emit: (ciphertext: Buffer) => void): void {
    const c = this.cipher!;
    const rest = c.final();
    this.cipher = null;
    this.segment++;
    if (rest.length > 0) emit(rest);
    emit(c.getAuthTag());
  }
}

/** Encrypts a whole plaintext in memory (index, tests). */
export function encryptStream(key: Uint8Array, associatedData: Uint8Array | string, plaintext: Uint8Array, params: StreamParams = SCELLE_STREAM): Buffer {
  const enc = new SizedStreamEncryptor(key, associatedData, plaintext.length, params);
  const out: Buffer[] = [];
  const keep = (b: Buffer) => out.push(b);
  enc.push(plaintext, keep);
  enc.finish(keep);
  return Buffer.concat(out);
}

/**
 * Decrypts segments of one stream in any order (random access). Built from the stream
 * header; the caller knows the total ciphertext size and so which segment is last.
 */
export class SegmentDecrypter {
  readonly layout: StreamLayout;
  private readonly derivedKey: Buffer;
  private readonly noncePrefix: Buffer;

  /** Throws E_FORMAT_HEADER if the header is short or its length byte is wrong. */
  constructor(key: Uint8Array, associatedData: Uint8Array | string, header: Uint8Array, params: StreamParams = SCELLE_STREAM) {
    this.layout = new StreamLayout(params);
    if (header.length < this.layout.headerSize || header[0] !== this.layout.headerSize) {
      throw new ScelleError('E_FORMAT_HEADER', 'stream header is missing or malformed');
    }
    const salt = header.subarray(1, 1 + params.derivedKeySize);
    this.noncePrefix = Buffer.from(header.subarray(1 + params.derivedKeySize, this.layout.headerSize));
    this.derivedKey = deriveKey(params, key, salt, toBytes(associatedData));
  }

  /**
   * Decrypts and authenticates segment `index` (ciphertext with its tag).
   * Throws E_FORMAT_AUTH if it does not authenticate (tampered, wrong key, wrong place, or
   * wrong last flag, which is how truncation and trailing data are caught).
   */
  decryptSegment(index: number, segment: Uint8Array, last: boolean): Buffer {
    const slices = this.decryptSegmentSlices(index, segment, last);
    if (slices.length === 1) return slices[0]!;
    const whole = Buffer.concat(slices);
    freeBuffers(slices); // copied: freed now rather than at the next full collection
    return whole;
  }

  /** As {@link decryptSegment}, returning the plaintext in 64 KiB slices (no large copy). */
  decryptSegmentSlices(index: number, segment: Uint8Array, last: boolean): Buffer[] {
    if (segment.length < TAG_SIZE) throw new ScelleError('E_FORMAT_TRUNCATED', `segment ${index} is shorter than a tag`);
    const nonce = Buffer.alloc(12);
    this.noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(index, NONCE_PREFIX_SIZE);
    nonce[11] = last ? 1 : 0;
    const body = segment.subarray(0, segment.length - TAG_SIZE);
    const decipher = createDecipheriv(cipherName(this.layout.params), this.derivedKey, nonce);
    decipher.setAuthTag(segment.subarray(segment.length - TAG_SIZE));
    const pt: Buffer[] = [];
    if (body.length === 0) pt.push(Buffer.alloc(0));
    else updateInSlices(decipher, body, (b) => pt.push(b));
    try {
      decipher.final();
    } catch {
      throw new ScelleError('E_FORMAT_AUTH', `segment ${index} failed authentication`, { segment: index });
    }
    return pt;
  }
}

/**
 * Decrypts a whole stream held in memory. Throws E_FORMAT_HEADER, E_FORMAT_TRUNCATED or
 * E_FORMAT_AUTH; trailing bytes or a missing last segment surface as E_FORMAT_AUTH on the
 * segment whose last flag no longer matches.
 */
export function decryptStream(key: Uint8Array, associatedData: Uint8Array | string, ciphertext: Uint8Array, params: StreamParams = SCELLE_STREAM): Buffer {
  const dec = new SegmentDecrypter(key, associatedData, ciphertext, params);
  const layout = dec.layout;
  const plainSize = layout.plaintextSize(ciphertext.length);
  const count = layout.segmentCount(plainSize);
  const out = Buffer.allocUnsafe(plainSize);
  for (let i = 0; i < count; i++) {
    const start = layout.segmentCiphertextStart(i);
    const end = Math.min(ciphertext.length, (i + 1) * layout.segmentSize);
    dec.decryptSegment(i, ciphertext.subarray(start, end), i === count - 1).copy(out, layout.segmentPlaintextStart(i));
  }
  return out;
}

/** Reads `length` bytes at `position` of a ciphertext stream; returns fewer only at end of file. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/**
 * Random-access decryption of plaintext bytes [offset, offset + length) of a stream of
 * `ciphertextSize` bytes, decrypting only the segments that hold them. Each segment is
 * authenticated before any of its bytes are returned.
 * Throws E_FORMAT_* as {@link SegmentDecrypter}, and E_FORMAT_TRUNCATED on a short read.
 */
export async function decryptRange(
  key: Uint8Array,
  associatedData: Uint8Array | string,
  readAt: ReadAt,
  ciphertextSize: number,
  offset: number,
  length: number,
  params: StreamParams = SCELLE_STREAM,
): Promise<Buffer> {
  const layout = new StreamLayout(params);
  const header = await readAt(0, layout.headerSize);
  const dec = new SegmentDecrypter(key, associatedData, header, params);
  const plainSize = layout.plaintextSize(ciphertextSize);
  if (offset < 0 || length < 0 || offset + length > plainSize) {
    throw new ScelleError('E_FORMAT_TRUNCATED', `range [${offset}, ${offset + length}) is outside the stream's ${plainSize} bytes`);
  }
  if (length === 0) return Buffer.alloc(0);
  const count = layout.segmentCount(plainSize);
  const first = layout.segmentOf(offset);
  const lastSeg = layout.segmentOf(offset + length - 1);
  const parts: Buffer[] = [];
  for (let i = first; i <= lastSeg; i++) {
    const start = layout.segmentCiphertextStart(i);
    const end = Math.min(ciphertextSize, (i + 1) * layout.segmentSize);
    const ct = await readAt(start, end - start);
    if (ct.length !== end - start) throw new ScelleError('E_FORMAT_TRUNCATED', `short read in segment ${i}`, { segment: i });
    const pt = dec.decryptSegment(i, ct, i === count - 1);
    const segStart = layout.segmentPlaintextStart(i);
    const from = Math.max(offset, segStart) - segStart;
    const to = Math.min(offset + length, segStart + pt.length) - segStart;
    parts.push(pt.subarray(from, to));
  }
  return Buffer.concat(parts);
}
