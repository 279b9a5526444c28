// An independent scelle/1 reader, written from docs/FORMAT.md alone (no code from shared/, cli/, …).
// Crypto comes from @noble/* (not node:crypto) so that it is a genuinely second implementation.
// Every departure from, or guess about, the specification is listed in SPEC-GAPS.md.
import { readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { gcm, gcmsiv } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { argon2id } from '@noble/hashes/argon2.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import canonicalize from 'canonicalize';

export class FormatError extends Error {
  override name = 'FormatError';
}

function fail(message: string): never {
  throw new FormatError(message);
}

// ---------------------------------------------------------------- small helpers

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(text)) fail(`bad hex: ${text.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** RFC 4648 §4 base64 with padding, strictly (Buffer alone is lenient). */
export function fromBase64(text: unknown, expectedLength?: number, what = 'base64 field'): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    fail(`${what}: not canonical base64`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (Buffer.from(bytes).toString('base64') !== text) fail(`${what}: not canonical base64`);
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    fail(`${what}: expected ${expectedLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${what}.${key}: expected a string`);
  return v;
}

function uint(o: Record<string, unknown>, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${what}.${key}: expected an unsigned integer`);
  return v;
}

function readRange(path: string, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, position + done);
      if (n === 0) fail(`${path}: unexpected end of file`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

// ---------------------------------------------------------------- §3 streaming AEAD (Tink AesGcmHkdfStreaming)

export type HkdfHashName = 'SHA1' | 'SHA256' | 'SHA512';

export interface StreamParams {
  hkdfHash: HkdfHashName;
  /** derived (AES) key size, also the salt size */
  derivedKeySize: number;
  ciphertextSegmentSize: number;
}

export const SCELLE_STREAM: StreamParams = { hkdfHash: 'SHA256', derivedKeySize: 32, ciphertextSegmentSize: 1_048_576 };

const TAG = 16;
const NONCE_PREFIX = 7;

const hashes = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

export function headerLength(p: StreamParams): number {
  return 1 + p.derivedKeySize + NONCE_PREFIX;
}

/** Plaintext bytes held by segment 0 / by the others. */
export function segmentPlaintextSizes(p: StreamParams): { first: number; other: number } {
  return { first: p.ciphertextSegmentSize - headerLength(p) - TAG, other: p.ciphertextSegmentSize - TAG };
}

/** Ciphertext size of a stream of `plaintextSize` bytes (§3 "Sizes"). */
export function ciphertextSize(plaintextSize: number, p: StreamParams = SCELLE_STREAM): number {
  const { first, other } = segmentPlaintextSizes(p);
  const k = plaintextSize <= first ? 1 : 1 + Math.ceil((plaintextSize - first) / other);
  return headerLength(p) + plaintextSize + TAG * k;
}

/** Segment holding plaintext offset `o` (§3 "Random access"). */
export function segmentOfOffset(o: number, p: StreamParams = SCELLE_STREAM): number {
  const { first, other } = segmentPlaintextSizes(p);
  return o < first ? 0 : 1 + Math.floor((o - first) / other);
}

/** Plaintext offset where segment i starts. */
function segmentPlaintextStart(i: number, p: StreamParams): number {
  const { first, other } = segmentPlaintextSizes(p);
  return i === 0 ? 0 : first + (i - 1) * other;
}

/** Reads bytes [position, position+length) of a stream's ciphertext. */
export type RangeReader = (position: number, length: number) => Uint8Array;

/**
 * A stream opened for decryption: header parsed, key derived, geometry known from the total size.
 * Decrypts any single segment on demand and counts how many it decrypted.
 */
export class StreamDecryptor {
  readonly segmentCount: number;
  readonly plaintextSize: number;
  segmentsDecrypted = 0;
  private readonly key: Uint8Array;
  private readonly noncePrefix: Uint8Array;

  constructor(
    ikm: Uint8Array,
    associatedData: Uint8Array,
    private readonly totalSize: number,
    private readonly read: RangeReader,
    private readonly p: StreamParams = SCELLE_STREAM,
  ) {
    const hl = headerLength(p);
    const S = p.ciphertextSegmentSize;
    if (totalSize < hl + TAG) fail('stream shorter than header + one tag');
    const header = read(0, hl);
    if (header[0] !== hl) fail(`bad stream header length byte ${header[0]} (expected ${hl})`);
    const salt = header.subarray(1, 1 + p.derivedKeySize);
    this.noncePrefix = header.slice(1 + p.derivedKeySize, hl);
    this.key = hkdf(hashes[p.hkdfHash], ikm, salt, associatedData, p.derivedKeySize);
    // Segment i covers ciphertext [i·S, (i+1)·S) (segment 0 includes the header).
    const count = Math.ceil(totalSize / S);
    const lastLen = totalSize - (count - 1) * S - (count === 1 ? hl : 0);
    if (lastLen < TAG) fail('last segment shorter than a tag');
    this.segmentCount = count;
    this.plaintextSize = totalSize - hl - TAG * count;
  }

  /** Decrypts segment i; throws when it does not authenticate. */
  segment(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.segmentCount) fail(`segment ${i} out of range`);
    const S = this.p.ciphertextSegmentSize;
    const start = i === 0 ? headerLength(this.p) : i * S;
    const end = Math.min((i + 1) * S, this.totalSize);
    const last = i === this.segmentCount - 1;
    const nonce = new Uint8Array(12);
    nonce.set(this.noncePrefix, 0);
    new DataView(nonce.buffer).setUint32(NONCE_PREFIX, i, false);
    nonce[11] = last ? 1 : 0;
    this.segmentsDecrypted++;
    try {
      return gcm(this.key, nonce).decrypt(this.read(start, end - start));
    } catch {
      return fail(`segment ${i} does not authenticate`);
    }
  }

  /** Plaintext bytes [from, to) decrypting only the segments that hold them. */
  range(from: number, to: number): Uint8Array {
    if (from < 0 || to > this.plaintextSize || from > to) fail(`range [${from}, ${to}) outside the stream`);
    if (from === to) return new Uint8Array(0);
    const first = segmentOfOffset(from, this.p);
    const last = segmentOfOffset(to - 1, this.p);
    const chunks: Uint8Array[] = [];
    for (let i = first; i <= last; i++) {
      const pt = this.segment(i);
      const base = segmentPlaintextStart(i, this.p);
      chunks.push(pt.subarray(Math.max(0, from - base), Math.min(pt.length, to - base)));
    }
    return concat(...chunks);
  }

  all(): Uint8Array {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < this.segmentCount; i++) chunks.push(this.segment(i));
    return concat(...chunks);
  }
}

/**
 * Encrypts a whole stream with a given salt and nonce prefix (for the fixed-salt vectors and for
 * building tampered drives in the tests; a real writer draws them at random).
 */
export function encryptStream(
  ikm: Uint8Array,
  associatedData: Uint8Array,
  plaintext: Uint8Array,
  salt: Uint8Array,
  noncePrefix: Uint8Array,
  p: StreamParams = SCELLE_STREAM,
): Uint8Array {
  if (salt.length !== p.derivedKeySize || noncePrefix.length !== NONCE_PREFIX) fail('bad salt or nonce prefix length');
  const key = hkdf(hashes[p.hkdfHash], ikm, salt, associatedData, p.derivedKeySize);
  const { first, other } = segmentPlaintextSizes(p);
  const out: Uint8Array[] = [new Uint8Array([headerLength(p)]), salt, noncePrefix];
  let at = 0;
  for (let i = 0; ; i++) {
    const len = i === 0 ? first : other;
    const last = plaintext.length - at <= len;
    const nonce = new Uint8Array(12);
    nonce.set(noncePrefix, 0);
    new DataView(nonce.buffer).setUint32(NONCE_PREFIX, i, false);
    nonce[11] = last ? 1 : 0;
    out.push(gcm(key, nonce).encrypt(plaintext.subarray(at, last ? plaintext.length : at + len)));
    if (last) break;
    at += len;
  }
  return concat(...out);
}

/** Decrypts a whole in-memory stream. */
export function decryptStream(ikm: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array, p: StreamParams = SCELLE_STREAM): Uint8Array {
  return new StreamDecryptor(ikm, ad, ciphertext.length, (pos, len) => ciphertext.subarray(pos, pos + len), p).all();
}

// ---------------------------------------------------------------- §6 unlock code

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_SYMBOLS = 28;

// GF(32), field polynomial x^5 + x^2 + 1, alpha = 2.
function gfMul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 5; i++) {
    if ((b >> i) & 1) r ^= a << i;
  }
  for (let bit = 9; bit >= 5; bit--) {
    if ((r >> bit) & 1) r ^= 0b100101 << (bit - 5);
  }
  return r;
}

function gfPow(a: number, n: number): number {
  let r = 1;
  for (let i = 0; i < n; i++) r = gfMul(r, a);
  return r;
}

/** Canonical form of an unlock code (§6), or an error when it cannot be one. */
export function canonicalUnlockCode(input: string): string {
  // "separators (spaces, hyphens and dashes)": we take Unicode white space and the Dash_Punctuation
  // category plus U+2212 MINUS SIGN (see SPEC-GAPS.md).
  const stripped = input.replace(/[\s\p{Pd}\u2212]/gu, '').toUpperCase();
  const mapped = stripped.replace(/[IL]/g, '1').replace(/O/g, '0');
  if (mapped.length !== CODE_SYMBOLS) fail(`unlock code: expected ${CODE_SYMBOLS} symbols, got ${mapped.length}`);
  for (const ch of mapped) {
    if (!CROCKFORD.includes(ch)) fail(`unlock code: '${ch}' is not a Crockford base32 symbol`);
  }
  return mapped;
}

/** Reed–Solomon check: c(α) = c(α²) = c(α³) = 0 with the first symbol as the x^27 coefficient. */
export function unlockCodeChecks(canonical: string): boolean {
  if (canonical.length !== CODE_SYMBOLS) return false;
  const symbols = [...canonical].map((ch) => CROCKFORD.indexOf(ch));
  if (symbols.some((v) => v < 0)) return false;
  for (let j = 1; j <= 3; j++) {
    const x = gfPow(2, j);
    let acc = 0;
    for (const s of symbols) acc = gfMul(acc, x) ^ s; // Horner, highest degree first
    if (acc !== 0) return false;
  }
  return true;
}

/** Appends the 3 check symbols to 25 data symbols (used by the tests to build codes). */
export function unlockCodeWithChecks(data25: string): string {
  const d = [...data25].map((ch) => CROCKFORD.indexOf(ch));
  if (d.length !== 25 || d.some((v) => v < 0)) fail('need 25 Crockford symbols');
  // g(x) = (x − α)(x − α²)(x − α³); in characteristic 2, minus is plus.
  let g = [1];
  for (let j = 1; j <= 3; j++) {
    const r = gfPow(2, j);
    const next = new Array<number>(g.length + 1).fill(0);
    g.forEach((c, k) => {
      next[k] = (next[k] ?? 0) ^ c; // c·x
      next[k + 1] = (next[k + 1] ?? 0) ^ gfMul(c, r); // c·r
    });
    g = next;
  }
  // remainder of d(x)·x³ mod g(x), highest degree first
  const work = [...d, 0, 0, 0];
  for (let i = 0; i < d.length; i++) {
    const coef = work[i] ?? 0;
    if (coef === 0) continue;
    for (let k = 1; k < g.length; k++) work[i + k] = (work[i + k] ?? 0) ^ gfMul(coef, g[k] ?? 0);
  }
  return data25 + work.slice(25).map((v) => CROCKFORD[v]).join('');
}

// ---------------------------------------------------------------- §7 manifest, signature, certificate

export interface PartRef { file: string; size: number; sha256: string }
export interface UnlockCodeSlot {
  type: 'unlock-code';
  kdf: { alg: string; m: number; t: number; p: number; salt: string };
  nonce: string;
  wrapped: string;
}
export interface X25519Slot { type: 'x25519'; label?: string; recipient: string; ephemeral: string; nonce: string; wrapped: string }
export type Keyslot = UnlockCodeSlot | X25519Slot | { type: string };
export interface Certificate {
  version: number;
  stationId: string;
  publicKey: string;
  issuedAt: string;
  expiresAt: string | null;
  issuer: string;
  signature: string;
}
export interface Manifest {
  format: 'scelle/1';
  driveId: string;
  createdAt: string;
  payload: { aead: string; partPlaintextSize: number; parts: PartRef[] };
  index: PartRef;
  keyslots: Keyslot[];
  station: { id: string; publicKey: string; certificate: Certificate | null };
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function checkFileRef(v: unknown, what: string): PartRef {
  if (!isRecord(v)) fail(`${what}: expected an object`);
  const file = str(v, 'file', what);
  // A file name from the manifest must stay inside the drive folder.
  if (file.startsWith('/') || file.split('/').some((c) => c === '' || c === '.' || c === '..') || file.includes('\\') || file.includes('\0')) {
    fail(`${what}.file: unsafe path ${JSON.stringify(file)}`);
  }
  const sha = str(v, 'sha256', what);
  if (!/^[0-9a-f]{64}$/.test(sha)) fail(`${what}.sha256: expected 64 lowercase hex digits`);
  return { file, size: uint(v, 'size', what), sha256: sha };
}

export function parseManifest(bytes: Uint8Array): Manifest {
  let m: unknown;
  try {
    m = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    fail('manifest.json is not UTF-8 JSON');
  }
  if (!isRecord(m)) fail('manifest: expected an object');
  if (m.format !== 'scelle/1') fail(`manifest: unknown format ${JSON.stringify(m.format)}`);
  const driveId = str(m, 'driveId', 'manifest');
  if (!/^[0-9A-Za-z](?:[0-9A-Za-z-]{0,62}[0-9A-Za-z])?$/.test(driveId)) fail(`manifest: bad driveId ${JSON.stringify(driveId)}`);
  const createdAt = str(m, 'createdAt', 'manifest');
  if (!RFC3339_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt))) fail('manifest.createdAt: not RFC 3339 UTC');
  const payload = m.payload;
  if (!isRecord(payload)) fail('manifest.payload: expected an object');
  if (payload.aead !== 'AES256_GCM_HKDF_1MB') fail(`manifest.payload.aead: unsupported ${JSON.stringify(payload.aead)}`);
  const pps = uint(payload, 'partPlaintextSize', 'manifest.payload');
  if (pps === 0) fail('manifest.payload.partPlaintextSize: must be > 0');
  if (!Array.isArray(payload.parts)) fail('manifest.payload.parts: expected an array');
  const parts = payload.parts.map((p, i) => checkFileRef(p, `manifest.payload.parts[${i}]`));
  const index = checkFileRef(m.index, 'manifest.index');
  if (!Array.isArray(m.keyslots)) fail('manifest.keyslots: expected an array');
  const keyslots = m.keyslots.map((k, i) => {
    if (!isRecord(k) || typeof k.type !== 'string') fail(`manifest.keyslots[${i}]: expected an object with a type`);
    return k as unknown as Keyslot;
  });
  const station = m.station;
  if (!isRecord(station)) fail('manifest.station: expected an object');
  const sid = str(station, 'id', 'manifest.station');
  const spk = str(station, 'publicKey', 'manifest.station');
  fromBase64(spk, 32, 'manifest.station.publicKey');
  const cert = station.certificate;
  if (cert !== null && !isRecord(cert)) fail('manifest.station.certificate: expected an object or null');
  return {
    format: 'scelle/1',
    driveId,
    createdAt,
    payload: { aead: payload.aead, partPlaintextSize: pps, parts },
    index,
    keyslots,
    station: { id: sid, publicKey: spk, certificate: (cert ?? null) as Certificate | null },
  };
}

/** Verifies manifest.sig (strict RFC 8032 verification). */
export function verifyManifestSignature(manifestBytes: Uint8Array, sigFile: Uint8Array, stationPublicKey: string): boolean {
  const text = strictUtf8.decode(sigFile).trim();
  let sig: Uint8Array;
  try {
    sig = fromBase64(text, 64, 'manifest.sig');
  } catch {
    return false;
  }
  const pub = fromBase64(stationPublicKey, 32, 'station.publicKey');
  try {
    return ed25519.verify(sig, manifestBytes, pub, { zip215: false });
  } catch {
    return false;
  }
}

export type CertificateVerdict =
  | { certified: true }
  | { certified: false; reason: string };

/** §7: certified iff signed by the pinned root, names the station id and key, valid at createdAt. */
export function judgeCertificate(manifest: Manifest, rootPublicKey: Uint8Array): CertificateVerdict {
  const cert = manifest.station.certificate;
  if (cert === null) return { certified: false, reason: 'no certificate' };
  if (cert.version !== 1) return { certified: false, reason: `certificate version ${String(cert.version)}` };
  if (typeof cert.signature !== 'string' || typeof cert.issuer !== 'string') return { certified: false, reason: 'malformed certificate' };
  let issuer: Uint8Array;
  let sig: Uint8Array;
  try {
    issuer = fromBase64(cert.issuer, 32, 'certificate.issuer');
    sig = fromBase64(cert.signature, 64, 'certificate.signature');
  } catch (e) {
    return { certified: false, reason: (e as Error).message };
  }
  if (!equalBytes(issuer, rootPublicKey)) return { certified: false, reason: 'issuer is not the pinned root' };
  const { signature: _signature, ...unsigned } = cert;
  const canonical = canonicalize(unsigned);
  if (canonical === undefined) return { certified: false, reason: 'certificate cannot be canonicalized' };
  let ok = false;
  try {
    ok = ed25519.verify(sig, utf8.encode(canonical), rootPublicKey, { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) return { certified: false, reason: 'certificate signature does not verify' };
  if (cert.stationId !== manifest.station.id) return { certified: false, reason: 'certificate names another station id' };
  if (cert.publicKey !== manifest.station.publicKey) return { certified: false, reason: 'certificate names another station key' };
  const at = Date.parse(manifest.createdAt);
  const from = Date.parse(cert.issuedAt);
  if (Number.isNaN(from) || at < from) return { certified: false, reason: 'drive created before the certificate was issued' };
  if (cert.expiresAt !== null) {
    const until = Date.parse(cert.expiresAt);
    if (Number.isNaN(until) || at > until) return { certified: false, reason: 'certificate expired when the drive was created' };
  }
  return { certified: true };
}

// ---------------------------------------------------------------- §8.2 media check

export function checkMedia(driveDir: string, manifest: Manifest): void {
  const refs = [...manifest.payload.parts, manifest.index];
  const names = new Set<string>();
  for (const ref of refs) {
    if (names.has(ref.file)) fail(`file listed twice: ${ref.file}`);
    names.add(ref.file);
    const path = join(driveDir, ref.file);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) fail(`${ref.file}: not a regular file`);
      size = st.size;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      return fail(`${ref.file}: missing`);
    }
    if (size !== ref.size) fail(`${ref.file}: size ${size}, manifest says ${ref.size}`);
    if (hex(sha256(readFileSync(path))) !== ref.sha256) fail(`${ref.file}: SHA-256 mismatch`);
  }
  for (const name of readdirSync(join(driveDir, 'payload'))) {
    if (!names.has(`payload/${name}`)) fail(`payload/ holds an unlisted file: ${name}`);
  }
}

// ---------------------------------------------------------------- §6 keyslots

export const ARGON2_LIMITS = { minM: 65536, minT: 3, maxM: 1_048_576, maxT: 16, maxP: 8 };

function unwrap(kek: Uint8Array, slot: { nonce: string; wrapped: string }, aad: string): Uint8Array | null {
  const nonce = fromBase64(slot.nonce, 12, 'keyslot.nonce');
  const wrapped = fromBase64(slot.wrapped, 48, 'keyslot.wrapped');
  try {
    return gcmsiv(kek, nonce, utf8.encode(aad)).decrypt(wrapped);
  } catch {
    return null;
  }
}

export function unwrapWithUnlockCode(manifest: Manifest, code: string): Uint8Array {
  const canonical = canonicalUnlockCode(code);
  if (!unlockCodeChecks(canonical)) fail('unlock code: check symbols do not match (typo?)');
  for (const slot of manifest.keyslots) {
    if (slot.type !== 'unlock-code') continue;
    const s = slot as UnlockCodeSlot;
    const { kdf } = s;
    if (!isRecord(kdf) || kdf.alg !== 'argon2id') fail('unlock-code slot: unsupported KDF');
    const m = uint(kdf, 'm', 'kdf');
    const t = uint(kdf, 't', 'kdf');
    const p = uint(kdf, 'p', 'kdf');
    if (m < ARGON2_LIMITS.minM || t < ARGON2_LIMITS.minT || p < 1 || m > ARGON2_LIMITS.maxM || t > ARGON2_LIMITS.maxT || p > ARGON2_LIMITS.maxP) {
      fail(`unlock-code slot: refused Argon2id parameters m=${m} t=${t} p=${p}`);
    }
    const salt = fromBase64(kdf.salt, 16, 'kdf.salt');
    const kek = argon2id(utf8.encode(canonical), salt, { m, t, p, dkLen: 32, version: 0x13 });
    const key = unwrap(kek, s, `scelle/1 keyslot unlock-code ${manifest.driveId}`);
    if (key !== null) return key;
  }
  return fail('wrong code: no unlock-code keyslot opens');
}

export function unwrapWithX25519(manifest: Manifest, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) fail('X25519 secret key must be 32 bytes');
  const mine = x25519.getPublicKey(secretKey);
  const info = `scelle/1 keyslot x25519 ${manifest.driveId}`;
  for (const slot of manifest.keyslots) {
    if (slot.type !== 'x25519') continue;
    const s = slot as X25519Slot;
    const recipient = fromBase64(s.recipient, 32, 'keyslot.recipient');
    if (!equalBytes(recipient, mine)) continue;
    const ephemeral = fromBase64(s.ephemeral, 32, 'keyslot.ephemeral');
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(secretKey, ephemeral);
    } catch {
      continue; // low-order point: noble refuses an all-zero result
    }
    if (shared.every((b) => b === 0)) continue;
    const kek = hkdf(sha256, shared, concat(ephemeral, recipient), utf8.encode(info), 32);
    const key = unwrap(kek, s, info);
    if (key !== null) return key;
  }
  return fail('wrong key: no x25519 keyslot opens');
}

// ---------------------------------------------------------------- §5 index

export interface IndexHeader {
  format: 'scelle/1';
  driveId: string;
  parts: number;
  partSizes: number[];
  totalSize: number;
  files: number;
  bytes: number;
}

export interface IndexEntry {
  path: string;
  /** exact path bytes (from pathBytes when present, else UTF-8 of path) */
  pathRaw: Uint8Array;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  mode: number;
  mtime: number;
  linkTarget?: string;
  linkTargetRaw?: Uint8Array;
  offset: number;
  sha256?: string;
}

export function parseIndex(plaintext: Uint8Array, manifest: Manifest): { header: IndexHeader; entries: IndexEntry[] } {
  let text: string;
  try {
    text = strictUtf8.decode(plaintext);
  } catch {
    return fail('index: not UTF-8');
  }
  if (!text.endsWith('\n')) fail('index: last line does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const parsed = lines.map((l, i) => {
    try {
      const v: unknown = JSON.parse(l);
      if (!isRecord(v)) throw new Error();
      return v;
    } catch {
      return fail(`index line ${i + 1}: not a JSON object`);
    }
  });
  const [h, ...rest] = parsed;
  if (h === undefined) fail('index: empty');
  if (h.format !== 'scelle/1') fail('index: bad format');
  if (h.driveId !== manifest.driveId) fail('index: drive id differs from the manifest');
  const parts = uint(h, 'parts', 'index');
  if (!Array.isArray(h.partSizes) || h.partSizes.length !== parts) fail('index: partSizes length differs from parts');
  const partSizes = h.partSizes.map((s, i) => {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) fail(`index: partSizes[${i}]`);
    return s;
  });
  const header: IndexHeader = {
    format: 'scelle/1',
    driveId: manifest.driveId,
    parts,
    partSizes,
    totalSize: uint(h, 'totalSize', 'index'),
    files: uint(h, 'files', 'index'),
    bytes: uint(h, 'bytes', 'index'),
  };
  // §5: the index is the trusted source of part count and sizes.
  const pps = manifest.payload.partPlaintextSize;
  if (manifest.payload.parts.length !== parts) fail(`manifest lists ${manifest.payload.parts.length} parts, index says ${parts}`);
  if (parts < 1) fail('index: no parts');
  partSizes.forEach((s, i) => {
    if (i < parts - 1 && s !== pps) fail(`index: part ${i} holds ${s} bytes, not partPlaintextSize`);
    if (i === parts - 1 && (s > pps || s === 0)) fail(`index: last part holds ${s} bytes`);
    const ref = manifest.payload.parts[i];
    if (ref === undefined || ref.size !== ciphertextSize(s)) fail(`part ${i}: ciphertext size does not match the index`);
  });
  if (partSizes.reduce((a, b) => a + b, 0) !== header.totalSize) fail('index: totalSize is not the sum of partSizes');

  const entries = rest.map((e, i): IndexEntry => {
    const what = `index entry ${i + 1}`;
    const type = e.type;
    if (type !== 'file' && type !== 'directory' && type !== 'symlink') fail(`${what}: bad type`);
    const path = str(e, 'path', what);
    const pathRaw = e.pathBytes !== undefined ? fromBase64(e.pathBytes, undefined, `${what}.pathBytes`) : utf8.encode(path);
    const mode = uint(e, 'mode', what);
    if (mode > 0o7777) fail(`${what}: mode out of range`);
    const mtime = e.mtime;
    if (typeof mtime !== 'number' || !Number.isFinite(mtime)) fail(`${what}: bad mtime`);
    const entry: IndexEntry = { path, pathRaw, type, size: uint(e, 'size', what), mode, mtime, offset: uint(e, 'offset', what) };
    if (type === 'symlink') {
      entry.linkTarget = str(e, 'linkTarget', what);
      entry.linkTargetRaw = e.linkTargetBytes !== undefined ? fromBase64(e.linkTargetBytes, undefined, `${what}.linkTargetBytes`) : utf8.encode(entry.linkTarget);
    }
    if (type === 'file') {
      const sha = str(e, 'sha256', what);
      if (!/^[0-9a-f]{64}$/.test(sha)) fail(`${what}: bad sha256`);
      entry.sha256 = sha;
    }
    if (entry.offset + entry.size > header.totalSize) fail(`${what}: content beyond the tar stream`);
    return entry;
  });
  const files = entries.filter((e) => e.type === 'file');
  if (files.length !== header.files) fail('index: files count differs from the entries');
  if (files.reduce((a, e) => a + e.size, 0) !== header.bytes) fail('index: bytes differs from the entries');
  return { header, entries };
}

// ---------------------------------------------------------------- §4 tar (pax + ustar)

export interface TarEntry {
  /** path bytes, trailing '/' of directories removed */
  pathRaw: Uint8Array;
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** seconds (pax mtime may carry a fraction) */
  mtime: number;
  linkTargetRaw?: Uint8Array;
  linkTarget?: string;
  /** offset of the content in the tar stream */
  offset: number;
  content: Uint8Array;
}

function cstring(field: Uint8Array): Uint8Array {
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

function parseNumeric(field: Uint8Array, what: string): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    // base-256 (GNU / star) for large values; positive only
    if ((field[0] ?? 0) & 0x40) fail(`tar: negative ${what}`);
    let v = (field[0] ?? 0) & 0x3f;
    for (let i = 1; i < field.length; i++) v = v * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(v)) fail(`tar: ${what} too large`);
    return v;
  }
  const text = Buffer.from(cstring(field)).toString('latin1').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) fail(`tar: bad octal ${what} ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function parsePax(data: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) fail('pax: bad record');
    const lenText = Buffer.from(data.subarray(at, space)).toString('latin1');
    if (!/^[1-9][0-9]*$/.test(lenText)) fail('pax: bad record length');
    const len = parseInt(lenText, 10);
    const rec = data.subarray(at, at + len);
    if (rec.length !== len || rec[len - 1] !== 0x0a) fail('pax: record not newline-terminated');
    const body = rec.subarray(space - at + 1, len - 1);
    const eq = body.indexOf(0x3d);
    if (eq <= 0) fail('pax: record without key');
    const key = strictUtf8.decode(body.subarray(0, eq));
    out.set(key, body.subarray(eq + 1));
    at += len;
  }
  return out;
}

function decodeName(bytes: Uint8Array): string {
  return lossyUtf8.decode(bytes);
}

/** Parses a whole tar stream. Accepts pax (x, g) and ustar headers, types 0/'\0', 5, 2. */
export function parseTar(tar: Uint8Array): { entries: TarEntry[]; endOffset: number } {
  const entries: TarEntry[] = [];
  let at = 0;
  let pax = new Map<string, Uint8Array>();
  let global = new Map<string, Uint8Array>();
  for (;;) {
    if (at + 512 > tar.length) fail('tar: truncated (no end-of-archive marker)');
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) {
      const next = tar.subarray(at + 512, at + 1024);
      if (next.length !== 512 || !next.every((b) => b === 0)) fail('tar: single zero block');
      at += 1024;
      break;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
    if (parseNumeric(h.subarray(148, 156), 'checksum') !== sum) fail(`tar: bad header checksum at ${at}`);
    const magic = Buffer.from(h.subarray(257, 263)).toString('latin1');
    if (magic !== 'ustar\0') fail(`tar: not a ustar header at ${at}`);
    const typeflag = String.fromCharCode(h[156] ?? 0);
    let size = parseNumeric(h.subarray(124, 136), 'size');
    const dataStart = at + 512;
    if (typeflag === 'x' || typeflag === 'g') {
      const data = tar.subarray(dataStart, dataStart + size);
      if (data.length !== size) fail('tar: truncated pax header');
      const records = parsePax(data);
      if (typeflag === 'x') pax = records;
      else global = new Map([...global, ...records]);
      at = dataStart + Math.ceil(size / 512) * 512;
      continue;
    }
    const attr = (k: string): Uint8Array | undefined => pax.get(k) ?? global.get(k);
    let nameRaw = cstring(h.subarray(0, 100));
    const prefix = cstring(h.subarray(345, 500));
    if (prefix.length > 0) nameRaw = concat(prefix, new Uint8Array([0x2f]), nameRaw);
    const paxPath = attr('path');
    if (paxPath !== undefined) nameRaw = paxPath;
    let linkRaw = cstring(h.subarray(157, 257));
    const paxLink = attr('linkpath');
    if (paxLink !== undefined) linkRaw = paxLink;
    const paxSize = attr('size');
    if (paxSize !== undefined) {
      const t = Buffer.from(paxSize).toString('latin1');
      if (!/^[0-9]+$/.test(t)) fail('pax: bad size');
      size = Number(t);
    }
    let mtime = parseNumeric(h.subarray(136, 148), 'mtime');
    const paxMtime = attr('mtime');
    if (paxMtime !== undefined) mtime = Number(Buffer.from(paxMtime).toString('latin1'));
    let type: TarEntry['type'];
    if (typeflag === '0' || typeflag === '\0') type = 'file';
    else if (typeflag === '5') type = 'directory';
    else if (typeflag === '2') type = 'symlink';
    else return fail(`tar: unsupported entry type ${JSON.stringify(typeflag)} at ${at}`);
    if (type === 'directory' && nameRaw[nameRaw.length - 1] === 0x2f) nameRaw = nameRaw.subarray(0, -1);
    const contentSize = type === 'file' ? size : 0;
    if (type !== 'file' && size !== 0) {
      // ustar: directories/symlinks carry no data; skip it anyway if some writer put a size.
    }
    const content = tar.subarray(dataStart, dataStart + contentSize);
    if (content.length !== contentSize) fail('tar: truncated content');
    const entry: TarEntry = {
      pathRaw: nameRaw,
      path: decodeName(nameRaw),
      type,
      mode: parseNumeric(h.subarray(100, 108), 'mode'),
      uid: parseNumeric(h.subarray(108, 116), 'uid'),
      gid: parseNumeric(h.subarray(116, 124), 'gid'),
      size: contentSize,
      mtime,
      offset: dataStart,
      content,
    };
    if (type === 'symlink') {
      entry.linkTargetRaw = linkRaw;
      entry.linkTarget = decodeName(linkRaw);
    }
    entries.push(entry);
    at = dataStart + Math.ceil(size / 512) * 512;
    pax = new Map();
  }
  return { entries, endOffset: at };
}

// ---------------------------------------------------------------- opening a drive

export interface Secret {
  unlockCode?: string;
  x25519SecretKey?: Uint8Array;
}

export interface OpenedDrive {
  driveDir: string;
  manifest: Manifest;
  signatureValid: true;
  certificate: CertificateVerdict | null;
  dataKey: Uint8Array;
  header: IndexHeader;
  index: IndexEntry[];
}

function ad(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Steps 1–3 of §8: manifest + signature (+ certificate), media, unlock, index. */
export function openDrive(driveDir: string, secret: Secret, rootPublicKey?: Uint8Array): OpenedDrive {
  const manifestBytes = new Uint8Array(readFileSync(join(driveDir, 'manifest.json')));
  const manifest = parseManifest(manifestBytes);
  const sig = new Uint8Array(readFileSync(join(driveDir, 'manifest.sig')));
  if (!verifyManifestSignature(manifestBytes, sig, manifest.station.publicKey)) fail('manifest.sig does not verify');
  const certificate = rootPublicKey === undefined ? null : judgeCertificate(manifest, rootPublicKey);
  checkMedia(driveDir, manifest);
  let dataKey: Uint8Array;
  if (secret.unlockCode !== undefined) dataKey = unwrapWithUnlockCode(manifest, secret.unlockCode);
  else if (secret.x25519SecretKey !== undefined) dataKey = unwrapWithX25519(manifest, secret.x25519SecretKey);
  else return fail('no secret given');
  const indexCt = new Uint8Array(readFileSync(join(driveDir, manifest.index.file)));
  const indexPt = decryptStream(dataKey, ad(`scelle/1 index ${manifest.driveId}`), indexCt);
  const { header, entries } = parseIndex(indexPt, manifest);
  return { driveDir, manifest, signatureValid: true, certificate, dataKey, header, index: entries };
}

function partDecryptor(drive: OpenedDrive, n: number): StreamDecryptor {
  const ref = drive.manifest.payload.parts[n];
  if (ref === undefined) fail(`no part ${n}`);
  const path = join(drive.driveDir, ref.file);
  const size = statSync(path).size;
  if (size !== ref.size) fail(`${ref.file}: size changed`);
  return new StreamDecryptor(drive.dataKey, ad(`scelle/1 payload ${drive.manifest.driveId} part ${n}`), size, (pos, len) => readRange(path, pos, len));
}

/** Decrypts every part (every segment authenticates), concatenates, checks against the index sizes. */
export function decryptPayload(drive: OpenedDrive): { tar: Uint8Array; segmentsDecrypted: number } {
  const chunks: Uint8Array[] = [];
  let segments = 0;
  drive.header.partSizes.forEach((expected, n) => {
    const d = partDecryptor(drive, n);
    if (d.plaintextSize !== expected) fail(`part ${n}: plaintext size ${d.plaintextSize}, index says ${expected}`);
    chunks.push(d.all());
    segments += d.segmentsDecrypted;
  });
  const tar = concat(...chunks);
  if (tar.length !== drive.header.totalSize) fail('payload size differs from index totalSize');
  return { tar, segmentsDecrypted: segments };
}

export interface FullRead {
  entries: TarEntry[];
  segmentsDecrypted: number;
}

/** §8.4 full verification: tar parses, headers match the index entry by entry, hashes match. */
export function readAll(drive: OpenedDrive): FullRead {
  const { tar, segmentsDecrypted } = decryptPayload(drive);
  const { entries, endOffset } = parseTar(tar);
  if (endOffset !== tar.length) fail(`tar: ${tar.length - endOffset} bytes after the end-of-archive marker`);
  if (entries.length !== drive.index.length) fail(`tar has ${entries.length} entries, index ${drive.index.length}`);
  entries.forEach((t, i) => {
    const x = drive.index[i];
    if (x === undefined) return;
    const where = `entry ${i} (${x.path})`;
    if (!equalBytes(t.pathRaw, x.pathRaw)) fail(`${where}: tar path ${JSON.stringify(t.path)} differs`);
    if (t.type !== x.type) fail(`${where}: type differs`);
    if (t.size !== x.size) fail(`${where}: size differs`);
    if (t.mode !== x.mode) fail(`${where}: mode differs`);
    if (t.offset !== x.offset) fail(`${where}: offset ${t.offset}, index ${x.offset}`);
    if (t.mtime !== expectedTarMtime(x.mtime)) fail(`${where}: mtime ${t.mtime} s, index ${x.mtime} ms`);
    if (x.type === 'symlink' && (t.linkTargetRaw === undefined || x.linkTargetRaw === undefined || !equalBytes(t.linkTargetRaw, x.linkTargetRaw))) {
      fail(`${where}: link target differs`);
    }
    if (x.type === 'file' && hex(sha256(t.content)) !== x.sha256) fail(`${where}: SHA-256 mismatch`);
  });
  return { entries, segmentsDecrypted };
}

/**
 * The tar mtime (seconds) expected for an index mtime (milliseconds): §4 says floor(ms / 1000), with a
 * pax `mtime` record when outside the ustar range (this was SPEC-GAPS.md gap 1, since fixed in the spec).
 */
export function expectedTarMtime(indexMtimeMs: number): number {
  // §4: floor(ms / 1000); outside the ustar range the writer adds a pax `mtime` record.
  return Math.floor(indexMtimeMs / 1000);
}

/** Total number of payload segments on the drive. */
export function payloadSegmentCount(drive: OpenedDrive): number {
  return drive.manifest.payload.parts.reduce((n, p) => n + Math.ceil(p.size / SCELLE_STREAM.ciphertextSegmentSize), 0);
}

/**
 * Random access (§3, §5): restores one file by decrypting only the segments holding tar bytes
 * [offset, offset + size), and accepts it only when its SHA-256 matches the index.
 */
export function restoreOne(drive: OpenedDrive, path: string): { content: Uint8Array; segmentsDecrypted: number } {
  const entry = drive.index.find((e) => e.path === path && e.type === 'file');
  if (entry === undefined || entry.sha256 === undefined) fail(`no file ${JSON.stringify(path)} in the index`);
  const pps = drive.manifest.payload.partPlaintextSize;
  const chunks: Uint8Array[] = [];
  let segments = 0;
  let from = entry.offset;
  const to = entry.offset + entry.size;
  while (from < to) {
    const n = Math.floor(from / pps);
    const partEnd = Math.min(to, (n + 1) * pps);
    const d = partDecryptor(drive, n);
    if (d.plaintextSize !== drive.header.partSizes[n]) fail(`part ${n}: plaintext size differs from the index`);
    chunks.push(d.range(from - n * pps, partEnd - n * pps));
    segments += d.segmentsDecrypted;
    from = partEnd;
  }
  const content = concat(...chunks);
  if (hex(sha256(content)) !== entry.sha256) fail(`${path}: SHA-256 mismatch`);
  return { content, segmentsDecrypted: segments };
}
