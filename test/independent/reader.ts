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
  return (
    data25 +
    work
      .slice(25)
      .map((v) => CROCKFORD[v])
      .join('')
  );
}

// ---------------------------------------------------------------- §7 manifest, signature, certificate

export interface PartRef {
  file: string;
  size: number;
  sha256: string;
}
export interface UnlockCodeSlot {
  type: 'unlock-code';
  kdf: { alg: string; m: number; t: number; p: number; salt: string };
  nonce: string;
  wrapped: string;
}
export interface X25519Slot {
  type: 'x25519';
  label?: string;
  recipient: string;
  ephemeral: string;
  nonce: string;
  wrapped: string;
}
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
/** §7 issuing certificate: a root certifies an issuing key for station certificates. */
export interface IssuingCertificate {
  version: number;
  usage: string;
  issuingId: string;
  publicKey: string;
  issuedAt: string;
  expiresAt: string;
  maxStationValidityDays: number;
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
  station: { id: string; publicKey: string; certificate: Certificate | null; issuingCertificate: IssuingCertificate | null };
  /** §11.2: present only on the members of a sealed set */
  set?: SetField;
}

/** §11.2 the manifest's `set` field (also the first fields of the trailer's `set` block, §11.3). */
export interface SetField {
  id: string;
  position: number;
  members: number;
  driveIds: string[];
}

/** §1 drive id rule (§11.2: the set id follows it too). */
const DRIVE_ID_RE = /^[0-9A-Za-z](?:[0-9A-Za-z-]{0,62}[0-9A-Za-z])?$/;
/** §11.2 */
export const MAX_SET_MEMBERS = 64;

/** §11.2: `{ id, position, members, driveIds }`, with `driveIds[position − 1]` the drive's own id. */
function parseSetField(v: unknown, what: string, driveId: string): SetField {
  if (!isRecord(v)) fail(`${what}: expected an object`);
  const id = str(v, 'id', what);
  if (!DRIVE_ID_RE.test(id)) fail(`${what}.id: bad set id ${JSON.stringify(id)}`);
  const members = uint(v, 'members', what);
  if (members < 2 || members > MAX_SET_MEMBERS) fail(`${what}.members: ${members}, not in 2..${MAX_SET_MEMBERS}`);
  const position = uint(v, 'position', what);
  if (position < 1 || position > members) fail(`${what}.position: ${position}, not in 1..${members}`);
  const ids = v.driveIds;
  if (!Array.isArray(ids) || ids.length !== members) fail(`${what}.driveIds: expected ${members} drive ids`);
  const driveIds = ids.map((d, i) => {
    if (typeof d !== 'string' || !DRIVE_ID_RE.test(d)) fail(`${what}.driveIds[${i}]: bad drive id`);
    return d;
  });
  if (new Set(driveIds).size !== members) fail(`${what}.driveIds: not distinct`);
  if (driveIds[position - 1] !== driveId) fail(`${what}.driveIds[${position - 1}] is not this drive's id`);
  return { id, position, members, driveIds };
}

function sameSetField(a: SetField, b: SetField): boolean {
  return a.id === b.id && a.position === b.position && a.members === b.members && a.driveIds.length === b.driveIds.length && a.driveIds.every((d, i) => d === b.driveIds[i]);
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
  if (!DRIVE_ID_RE.test(driveId)) fail(`manifest: bad driveId ${JSON.stringify(driveId)}`);
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
  const issuing = station.issuingCertificate ?? null;
  if (issuing !== null && !isRecord(issuing)) fail('manifest.station.issuingCertificate: expected an object');
  const set = m.set === undefined ? undefined : parseSetField(m.set, 'manifest.set', driveId);
  return {
    format: 'scelle/1',
    driveId,
    createdAt,
    payload: { aead: payload.aead, partPlaintextSize: pps, parts },
    index,
    keyslots,
    station: { id: sid, publicKey: spk, certificate: (cert ?? null) as Certificate | null, issuingCertificate: issuing as IssuingCertificate | null },
    ...(set !== undefined ? { set } : {}),
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

export type CertificateVerdict = { certified: true } | { certified: false; reason: string };

const TEN_MINUTES = 10 * 60 * 1000;

/** Verifies `signature` (base64) by `signerB64` over RFC 8785 of `fields`; false on any malformed input. */
function signedBy(fields: Record<string, unknown>, signature: unknown, signerB64: unknown): boolean {
  if (typeof signature !== 'string' || typeof signerB64 !== 'string') return false;
  const canonical = canonicalize(fields);
  if (canonical === undefined) return false;
  try {
    return ed25519.verify(fromBase64(signature, 64, 'signature'), utf8.encode(canonical), fromBase64(signerB64, 32, 'issuer'), { zip215: false });
  } catch {
    return false;
  }
}

/** issuedAt − 10 min ≤ t < expiresAt (no upper bound when expiresAt is null). */
function validAt(issuedAt: string, expiresAt: string | null, t: number): boolean {
  const from = Date.parse(issuedAt);
  if (Number.isNaN(from) || t < from - TEN_MINUTES) return false;
  if (expiresAt === null) return true;
  const until = Date.parse(expiresAt);
  return !Number.isNaN(until) && t < until;
}

/**
 * §7: certified at `at` (default createdAt) iff the chain verifies to the pinned root: directly
 * (the station certificate's issuer is the root) or through the issuing certificate (usage
 * station-certificates, signed by the root, its key the station certificate's issuer, the
 * station certificate within maxStationValidityDays and not outliving it), every link valid at
 * `at`, and the station certificate names the manifest's station id and key.
 */
export function judgeCertificate(manifest: Manifest, rootPublicKey: Uint8Array, at: Date = new Date(manifest.createdAt)): CertificateVerdict {
  const no = (reason: string): CertificateVerdict => ({ certified: false, reason });
  const cert = manifest.station.certificate;
  if (cert === null) return no('no certificate');
  if (cert.version !== 1) return no(`certificate version ${String(cert.version)}`);
  const root = Buffer.from(rootPublicKey).toString('base64');
  const t = at.getTime();
  const { signature: certSig, ...certFields } = cert;
  const issuing = manifest.station.issuingCertificate;
  if (issuing === null) {
    if (cert.issuer !== root) return no('issuer is not the pinned root');
  } else {
    if (issuing.usage !== 'station-certificates') return no('wrong-usage: the issuing certificate is not for station certificates');
    if (issuing.version !== 1) return no(`issuing certificate version ${String(issuing.version)}`);
    const max = issuing.maxStationValidityDays;
    if (!Number.isInteger(max) || max < 1 || max > 90 || typeof issuing.expiresAt !== 'string') return no('malformed issuing certificate');
    if (issuing.issuer !== root) return no('unknown-root: the issuing certificate is not from the pinned root');
    const { signature: issuingSig, ...issuingFields } = issuing;
    if (!signedBy(issuingFields, issuingSig, root)) return no('bad-signature: issuing certificate');
    if (cert.issuer !== issuing.publicKey) return no('issuer-mismatch: the station certificate is not signed by the issuing key');
  }
  if (!signedBy(certFields, certSig, cert.issuer)) return no('certificate signature does not verify');
  if (cert.stationId !== manifest.station.id) return no('certificate names another station id');
  if (cert.publicKey !== manifest.station.publicKey) return no('certificate names another station key');
  if (issuing !== null) {
    if (cert.expiresAt === null || Date.parse(cert.expiresAt) - Date.parse(cert.issuedAt) > issuing.maxStationValidityDays * 86_400_000) {
      return no('constraint-violated: the station certificate lives longer than the issuing certificate allows');
    }
    if (Date.parse(cert.expiresAt) > Date.parse(issuing.expiresAt)) return no('outlives-issuer: the station certificate expires after its issuing certificate');
    if (!validAt(issuing.issuedAt, issuing.expiresAt, t)) return no('issuer-expired: the issuing certificate was not valid at that time');
  }
  if (!validAt(cert.issuedAt, cert.expiresAt, t)) return no('the certificate was not valid when the drive was created');
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

/** §5.1 */
export interface IndexHeader {
  format: 'scelle/1';
  driveId: string;
}

/** §5.5 */
export interface IndexTrailer {
  parts: number;
  partSizes: number[];
  totalSize: number;
  entries: number;
  files: number;
  bytes: number;
  directoryAt: number;
  /** §5.5, §11.3: present only on the members of a sealed set */
  set?: TrailerSet;
}

/** §11.3 the trailer's `set` block: the manifest's fields, plus the set's layout and totals. */
export interface TrailerSet extends SetField {
  partCounts: number[];
  /** T, the set's tar stream */
  totalSize: number;
  entries: number;
  files: number;
  bytes: number;
}

/** §11.1: P = max(1, ceil(T / pps)) set parts. */
export function setPartCount(totalSize: number, pps: number): number {
  return Math.max(1, Math.ceil(totalSize / pps));
}

/** §11.1: the size of set part g, tar bytes [g · pps, min((g + 1) · pps, T)). */
export function setPartSize(g: number, totalSize: number, pps: number): number {
  return Math.max(0, Math.min((g + 1) * pps, totalSize) - g * pps);
}

/**
 * §11.3, one member: the trailer's `set` block parsed and checked against the manifest's `set`
 * field, the member's own trailer and the manifest's `partPlaintextSize`.
 */
function checkTrailerSet(v: unknown, trailer: Omit<IndexTrailer, 'set'>, manifest: Manifest): TrailerSet {
  const what = 'trailer.set';
  const ms = manifest.set;
  if (ms === undefined) return fail(`${what}: present although the manifest names no set`);
  const base = parseSetField(v, what, manifest.driveId);
  if (!sameSetField(base, ms)) fail(`${what}: id, position, members or driveIds differ from the manifest's set field`);
  const t = v as Record<string, unknown>;
  const counts = t.partCounts;
  if (!Array.isArray(counts) || counts.length !== base.members) fail(`${what}.partCounts: expected ${base.members} values`);
  const partCounts = counts.map((c, i) => {
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 1) fail(`${what}.partCounts[${i}]: expected an integer ≥ 1`);
    return c;
  });
  const set: TrailerSet = {
    ...base,
    partCounts,
    totalSize: uint(t, 'totalSize', what),
    entries: uint(t, 'entries', what),
    files: uint(t, 'files', what),
    bytes: uint(t, 'bytes', what),
  };
  const pps = manifest.payload.partPlaintextSize;
  if (partCounts[base.position - 1] !== trailer.parts) fail(`${what}.partCounts[${base.position - 1}] is ${partCounts[base.position - 1]}, the member has ${trailer.parts} parts`);
  const P = setPartCount(set.totalSize, pps);
  if (partCounts.reduce((a, b) => a + b, 0) !== P) fail(`${what}.partCounts: sum differs from the ${P} set parts of totalSize ${set.totalSize}`);
  const f = partCounts.slice(0, base.position - 1).reduce((a, b) => a + b, 0);
  trailer.partSizes.forEach((s, i) => {
    if (s !== setPartSize(f + i, set.totalSize, pps)) fail(`trailer.partSizes[${i}]: ${s}, set part ${f + i} holds ${setPartSize(f + i, set.totalSize, pps)} bytes`);
  });
  if (set.files > set.entries) fail(`${what}: more files than entries`);
  if (set.bytes > set.totalSize) fail(`${what}: bytes exceed totalSize`);
  if (trailer.entries > set.entries || trailer.files > set.files || trailer.bytes > set.bytes) fail(`${what}: the member's index lists more than the set holds`);
  // A whole-set index (§11.4: entries = set.entries) lists every file of the set.
  if (trailer.entries === set.entries && (trailer.files !== set.files || trailer.bytes !== set.bytes))
    fail(`${what}: a whole-set index whose files or bytes differ from the set's`);
  return set;
}

/** §5.4 */
export interface DirectoryLine {
  at: number;
  path: string;
  pathRaw: Uint8Array;
}

/** §5.2 */
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
  /** folders: entries, files and bytes below them */
  entries?: number;
  files?: number;
  bytes?: number;
  /** index offset where the entry's line starts */
  at: number;
}

const SLASH = 0x2f;
const NEWLINE = 0x0a;
const MAX_PARTS = 1_000_000;

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** §5.2 path rule, on the exact bytes: no leading/trailing '/', no empty, '.' or '..' component, no NUL. */
function isRelativePath(p: Uint8Array): boolean {
  if (p.length === 0 || p.includes(0)) return false;
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i < p.length && p[i] !== SLASH) continue;
    const c = p.subarray(start, i);
    if (c.length === 0 || (c.length === 1 && c[0] === 0x2e) || (c.length === 2 && c[0] === 0x2e && c[1] === 0x2e)) return false;
    start = i + 1;
  }
  return true;
}

/** `path` + `pathBytes` (or `linkTarget` + `linkTargetBytes`) → the exact bytes, with the §5.2 rules. */
function exactBytes(o: Record<string, unknown>, key: string, bytesKey: string, what: string): Uint8Array {
  const text = str(o, key, what);
  if (o[bytesKey] === undefined) return utf8.encode(text);
  const raw = fromBase64(o[bytesKey], undefined, `${what}.${bytesKey}`);
  if (raw.length === 0 || isUtf8(raw)) fail(`${what}.${bytesKey}: present although the bytes are valid UTF-8`);
  return raw;
}

// §5.3 order. Paths are byte strings; the root folder is the empty path.

export function parentOf(p: Uint8Array): Uint8Array {
  const i = p.lastIndexOf(SLASH);
  return i < 0 ? p.subarray(0, 0) : p.subarray(0, i);
}

function nameOf(p: Uint8Array): Uint8Array {
  return p.subarray(p.lastIndexOf(SLASH) + 1);
}

function startsWith(p: Uint8Array, prefix: Uint8Array): boolean {
  if (p.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (p[i] !== prefix[i]) return false;
  return true;
}

/** Folder `a` lies above folder `b` (a proper ancestor; the root lies above everything else). */
function liesAbove(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length === 0) return b.length > 0;
  return b.length > a.length && startsWith(b, a) && b[a.length] === SLASH;
}

/** `p` is folder `d` or lies below it. */
export function atOrBelow(p: Uint8Array, d: Uint8Array): boolean {
  return equalBytes(p, d) || liesAbove(d, p);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/** Folders in block order: below first; else the first differing byte, '/' and the end lowest. */
export function compareFolders(a: Uint8Array, b: Uint8Array): number {
  if (equalBytes(a, b)) return 0;
  if (liesAbove(a, b)) return 1;
  if (liesAbove(b, a)) return -1;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const key = (p: Uint8Array): number => (i >= p.length || p[i] === SLASH ? -1 : (p[i] ?? 0));
  return key(a) - key(b);
}

/** Entries in index order: the parents as folders, then the names bytewise. */
export function compareEntryPaths(a: Uint8Array, b: Uint8Array): number {
  const c = compareFolders(parentOf(a), parentOf(b));
  return c !== 0 ? c : compareBytes(nameOf(a), nameOf(b));
}

function parseEntry(e: Record<string, unknown>, at: number): IndexEntry {
  const what = `index entry at ${at}`;
  const type = e.type;
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') fail(`${what}: bad type`);
  const path = str(e, 'path', what);
  const pathRaw = exactBytes(e, 'path', 'pathBytes', what);
  if (!isRelativePath(pathRaw)) fail(`${what}: unsafe path ${JSON.stringify(path)}`);
  const mode = uint(e, 'mode', what);
  if (mode > 0o7777) fail(`${what}: mode out of range`);
  const mtime = e.mtime;
  if (typeof mtime !== 'number' || !Number.isFinite(mtime)) fail(`${what}: bad mtime`);
  const entry: IndexEntry = { path, pathRaw, type, size: uint(e, 'size', what), mode, mtime, offset: uint(e, 'offset', what), at };
  if (entry.offset % 512 !== 0) fail(`${what}: offset not a multiple of 512`);
  if (type !== 'file' && entry.size !== 0) fail(`${what}: a ${type} with a size`);
  if (type === 'symlink') {
    entry.linkTarget = str(e, 'linkTarget', what);
    entry.linkTargetRaw = exactBytes(e, 'linkTarget', 'linkTargetBytes', what);
    if (entry.linkTargetRaw.length === 0 || entry.linkTargetRaw.includes(0)) fail(`${what}: bad link target`);
  } else if (e.linkTarget !== undefined || e.linkTargetBytes !== undefined) {
    fail(`${what}: a ${type} with a link target`);
  }
  if (type === 'file') {
    const sha = str(e, 'sha256', what);
    if (!/^[0-9a-f]{64}$/.test(sha)) fail(`${what}: bad sha256`);
    entry.sha256 = sha;
  } else if (e.sha256 !== undefined) {
    fail(`${what}: a ${type} with a sha256`);
  }
  if (type === 'directory') {
    entry.entries = uint(e, 'entries', what);
    entry.files = uint(e, 'files', what);
    entry.bytes = uint(e, 'bytes', what);
    if (entry.files > entry.entries) fail(`${what}: more files than entries below`);
  } else if (e.entries !== undefined || e.files !== undefined || e.bytes !== undefined) {
    fail(`${what}: totals on a ${type}`);
  }
  return entry;
}

interface Line {
  start: number;
  end: number;
  value: Record<string, unknown>;
}

/** Decrypted index segments kept (a lookup needs two at most). */
const INDEX_CACHE = 2;

/**
 * An open index (§5): header, trailer and directory read and checked on opening (§5.7 checks
 * 1–5), entry lines decrypted on demand, segment by segment.
 */
export class IndexFile {
  readonly header: IndexHeader;
  readonly trailer: IndexTrailer;
  readonly directory: DirectoryLine[];
  /** index offset of the first entry line (E) */
  readonly entriesAt: number;
  /** index offset of the trailer line */
  readonly trailerAt: number;
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    private readonly dec: StreamDecryptor,
    manifest: Manifest,
  ) {
    if (dec.plaintextSize === 0) fail('index: empty');

    // §5.1 header
    const head = this.lineAt(0);
    const h = head.value;
    if (h.format !== 'scelle/1') fail(`index: unsupported format ${JSON.stringify(h.format)}`);
    if (h.driveId !== manifest.driveId) fail('index: drive id differs from the manifest');
    this.header = { format: 'scelle/1', driveId: manifest.driveId };
    const E = head.end;
    this.entriesAt = E;

    // §5.5 trailer: the last line
    this.trailerAt = this.lastLineStart();
    if (this.trailerAt < E) fail('index: no trailer after the header');
    const t = this.lineAt(this.trailerAt).value;
    if (t.trailer !== 'scelle/1') fail('index: the last line is not a trailer');
    const parts = uint(t, 'parts', 'trailer');
    if (parts < 1 || parts > MAX_PARTS) fail(`trailer: ${parts} parts`);
    if (!Array.isArray(t.partSizes) || t.partSizes.length !== parts) fail('trailer: partSizes length differs from parts');
    const partSizes = t.partSizes.map((s, i) => {
      if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) fail(`trailer: partSizes[${i}]`);
      return s;
    });
    const trailer: IndexTrailer = {
      parts,
      partSizes,
      totalSize: uint(t, 'totalSize', 'trailer'),
      entries: uint(t, 'entries', 'trailer'),
      files: uint(t, 'files', 'trailer'),
      bytes: uint(t, 'bytes', 'trailer'),
      directoryAt: uint(t, 'directoryAt', 'trailer'),
    };
    if (t.set !== undefined) trailer.set = checkTrailerSet(t.set, trailer, manifest);
    else if (manifest.set !== undefined) fail('trailer: no set block although the manifest names a set (§11.3)');
    this.trailer = trailer;
    if (partSizes.reduce((a, b) => a + b, 0) !== trailer.totalSize) fail('trailer: totalSize is not the sum of partSizes');
    const first = partSizes[0] ?? 0;
    const last = partSizes[parts - 1] ?? 0;
    if (partSizes.slice(0, -1).some((s) => s !== first)) fail('trailer: parts but the last differ in size');
    if (parts > 1 && (last === 0 || last > first)) fail('trailer: bad last part size');
    if (trailer.files > trailer.entries) fail('trailer: more files than entries');
    // §5.5: on a set member, `bytes` counts files of the set's tar stream (see SPEC-GAPS.md, set gap 1).
    if (trailer.bytes > (trailer.set?.totalSize ?? trailer.totalSize)) fail('trailer: bytes exceed totalSize');
    if (trailer.directoryAt < E || trailer.directoryAt > this.trailerAt) fail('trailer: directoryAt outside the index');
    if ((trailer.entries === 0) !== (trailer.directoryAt === E)) fail('trailer: entries disagrees with directoryAt');
    if (trailer.directoryAt > E && this.byteAt(trailer.directoryAt - 1) !== NEWLINE) fail('trailer: directoryAt is not the start of a line');

    // §5.7 check 5: trailer against manifest
    const pps = manifest.payload.partPlaintextSize;
    if (manifest.payload.parts.length !== parts) fail(`manifest lists ${manifest.payload.parts.length} parts, the index ${parts}`);
    partSizes.forEach((s, i) => {
      if (i < parts - 1 && s !== pps) fail(`index: part ${i} holds ${s} bytes, not partPlaintextSize`);
      if (i === parts - 1 && s > pps) fail(`index: last part holds ${s} bytes, more than partPlaintextSize`);
      const ref = manifest.payload.parts[i];
      if (ref === undefined || ref.size !== ciphertextSize(s)) fail(`part ${i}: ciphertext size does not match the index`);
    });

    // §5.4 directory
    const directory: DirectoryLine[] = [];
    let lastSegment = -1;
    for (const line of this.lines(trailer.directoryAt, this.trailerAt)) {
      const d = line.value;
      const what = `directory line at ${line.start}`;
      const at = uint(d, 'at', what);
      const path = str(d, 'path', what);
      const pathRaw = exactBytes(d, 'path', 'pathBytes', what);
      if (!isRelativePath(pathRaw)) fail(`${what}: unsafe path`);
      if (at < E || at >= trailer.directoryAt) fail(`${what}: at outside the entry lines`);
      const segment = segmentOfOffset(at);
      if (segment <= lastSegment) fail(`${what}: segments do not increase`);
      if (directory.length === 0 && at !== E) fail('directory: does not start at the first entry line');
      const prev = directory[directory.length - 1];
      if (prev !== undefined && compareEntryPaths(prev.pathRaw, pathRaw) >= 0) fail('directory: paths out of order');
      directory.push({ at, path, pathRaw });
      lastSegment = segment;
    }
    if ((directory.length === 0) !== (trailer.entries === 0)) fail('directory: missing or unexpected');
    this.directory = directory;
  }

  /** Index segments decrypted so far (each decryption counts, cached ones do not). */
  get segmentsDecrypted(): number {
    return this.dec.segmentsDecrypted;
  }

  /** Forgets the decrypted segments (so that the next lookup's cost can be measured). */
  dropCache(): void {
    this.cache.clear();
  }

  private segment(i: number): Uint8Array {
    const hit = this.cache.get(i);
    if (hit !== undefined) return hit;
    const pt = this.dec.segment(i);
    if (this.cache.size >= INDEX_CACHE) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(i, pt);
    return pt;
  }

  private byteAt(o: number): number {
    const i = segmentOfOffset(o);
    return this.segment(i)[o - segmentPlaintextStart(i, SCELLE_STREAM)] ?? -1;
  }

  /** The line starting at index offset `start`, parsed. */
  private lineAt(start: number): Line {
    if (start >= this.dec.plaintextSize) fail(`index: no line at ${start}`);
    const chunks: Uint8Array[] = [];
    let seg = segmentOfOffset(start);
    let from = start;
    for (;;) {
      if (seg >= this.dec.segmentCount) fail('index: the last line does not end with a newline');
      const base = segmentPlaintextStart(seg, SCELLE_STREAM);
      const data = this.segment(seg);
      const nl = data.indexOf(NEWLINE, from - base);
      if (nl < 0) {
        chunks.push(data.subarray(from - base));
        from = base + data.length;
        seg++;
        continue;
      }
      chunks.push(data.subarray(from - base, nl));
      const bytes = concat(...chunks);
      if (bytes.length === 0) fail(`index: blank line at ${start}`);
      let value: unknown;
      try {
        value = JSON.parse(strictUtf8.decode(bytes));
      } catch {
        fail(`index: the line at ${start} is not UTF-8 JSON`);
      }
      if (!isRecord(value)) fail(`index: the line at ${start} is not a JSON object`);
      return { start, end: base + nl + 1, value };
    }
  }

  /** The lines starting in [from, to), `from` being a line start. */
  private *lines(from: number, to: number): Generator<Line> {
    for (let at = from; at < to;) {
      const line = this.lineAt(at);
      yield line;
      at = line.end;
    }
  }

  /** §5.5: the trailer starts after the last '\n' before the final one. */
  private lastLineStart(): number {
    let seg = this.dec.segmentCount - 1;
    let data = this.segment(seg);
    if (data[data.length - 1] !== NEWLINE) fail('index: does not end with a newline');
    let from = data.length - 2;
    for (;;) {
      const nl = from < 0 ? -1 : data.lastIndexOf(NEWLINE, from);
      if (nl >= 0) return segmentPlaintextStart(seg, SCELLE_STREAM) + nl + 1;
      if (seg === 0) return 0;
      seg--;
      data = this.segment(seg);
      from = data.length - 1;
    }
  }

  /** Entry lines from index offset `from` (a line start) to the end of the entries. */
  *scan(from: number): Generator<IndexEntry> {
    for (const line of this.lines(from, this.trailer.directoryAt)) yield parseEntry(line.value, line.start);
  }

  /**
   * Every entry, in order, with the whole-index checks of §5.7 (6–10). Keeps the entries in
   * memory (fine for a test reader).
   */
  readAllEntries(): IndexEntry[] {
    const t = this.trailer;
    const entries: IndexEntry[] = [];
    let previous: IndexEntry | undefined;
    let nextDir = 0;
    let lastSegment = -1;
    let files = 0;
    let bytes = 0;
    for (const e of this.scan(this.entriesAt)) {
      const where = `index entry ${JSON.stringify(e.path)}`;
      if (previous !== undefined) {
        if (compareEntryPaths(previous.pathRaw, e.pathRaw) >= 0) fail(`${where}: out of order (or repeated)`);
        if (e.offset <= previous.offset) fail(`${where}: tar offset does not increase`);
      }
      if (e.offset + e.size > (t.set?.totalSize ?? t.totalSize)) fail(`${where}: content beyond the tar stream`);
      const segment = segmentOfOffset(e.at);
      if (segment !== lastSegment) {
        const d = this.directory[nextDir++];
        if (d === undefined || d.at !== e.at || !equalBytes(d.pathRaw, e.pathRaw)) fail(`directory: wrong or missing line for segment ${segment}`);
        lastSegment = segment;
      }
      if (e.type === 'file') {
        files++;
        bytes += e.size;
      }
      entries.push(e);
      previous = e;
    }
    if (nextDir !== this.directory.length) fail('directory: more lines than segments with entry lines');
    if (entries.length !== t.entries) fail(`trailer: ${t.entries} entries, the index holds ${entries.length}`);
    if (files !== t.files) fail(`trailer: ${t.files} files, the index holds ${files}`);
    if (bytes !== t.bytes) fail(`trailer: ${t.bytes} bytes, the files hold ${bytes}`);

    // Check 9: totals below every folder; every ancestor is a folder entry.
    const key = (p: Uint8Array): string => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('latin1');
    const byPath = new Map(entries.map((e) => [key(e.pathRaw), e]));
    const below = new Map<string, { entries: number; files: number; bytes: number }>();
    // §11.4: a member's index may list a prefix of the set; folders whose own entry would come after
    // its last line are then absent (§5.7 check 9's exception).
    const last = entries[entries.length - 1];
    const prefix = t.set !== undefined && t.entries < t.set.entries;
    const after = (p: Uint8Array): boolean => prefix && last !== undefined && compareEntryPaths(last.pathRaw, p) < 0;
    for (const e of entries) {
      for (let p = parentOf(e.pathRaw); p.length > 0; p = parentOf(p)) {
        const folder = byPath.get(key(p));
        if (folder === undefined && after(p)) continue;
        if (folder === undefined) fail(`${JSON.stringify(e.path)} lies in a folder the index does not list`);
        if (folder.type !== 'directory') fail(`${JSON.stringify(e.path)} lies below a ${folder.type}`);
        const sum = below.get(key(p)) ?? { entries: 0, files: 0, bytes: 0 };
        sum.entries++;
        if (e.type === 'file') {
          sum.files++;
          sum.bytes += e.size;
        }
        below.set(key(p), sum);
      }
    }
    for (const e of entries) {
      if (e.type !== 'directory') continue;
      const sum = below.get(key(e.pathRaw)) ?? { entries: 0, files: 0, bytes: 0 };
      if (sum.entries !== e.entries || sum.files !== e.files || sum.bytes !== e.bytes) {
        fail(`folder ${JSON.stringify(e.path)}: totals ${e.entries}/${e.files}/${e.bytes} differ from what lies below it (${sum.entries}/${sum.files}/${sum.bytes})`);
      }
    }
    return entries;
  }

  /**
   * §5.6: the entries from the first one for which `before(path)` is false, found by binary
   * search over the directory and a scan of at most two segments. Checks the order of what it reads.
   */
  *from(before: (path: Uint8Array) => boolean): Generator<IndexEntry> {
    const d = this.directory;
    let lo = 0;
    let hi = d.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before((d[mid] as DirectoryLine).pathRaw)) lo = mid + 1;
      else hi = mid;
    }
    if (d.length === 0) return;
    const start = lo === 0 ? this.entriesAt : (d[lo - 1] as DirectoryLine).at;
    let skipping = true;
    let previous: Uint8Array | undefined;
    for (const e of this.scan(start)) {
      if (previous !== undefined && compareEntryPaths(previous, e.pathRaw) >= 0) fail(`index entry ${JSON.stringify(e.path)}: out of order`);
      previous = e.pathRaw;
      if (skipping && before(e.pathRaw)) continue;
      skipping = false;
      yield e;
    }
  }

  /** §5.6: the entry with exactly these path bytes, or null. */
  lookup(path: Uint8Array): IndexEntry | null {
    for (const e of this.from((p) => compareEntryPaths(p, path) < 0)) return equalBytes(e.pathRaw, path) ? e : null;
    return null;
  }

  /** §5.6: the entries directly in folder `d` (empty: the top-level names). */
  *children(d: Uint8Array): Generator<IndexEntry> {
    for (const e of this.from((p) => compareFolders(parentOf(p), d) < 0)) {
      if (compareFolders(parentOf(e.pathRaw), d) !== 0) return;
      yield e;
    }
  }

  /** §5.6: everything below folder `d` (not its own entry). */
  *subtree(d: Uint8Array): Generator<IndexEntry> {
    for (const e of this.from((p) => !atOrBelow(parentOf(p), d) && compareFolders(parentOf(p), d) < 0)) {
      if (!atOrBelow(parentOf(e.pathRaw), d)) return;
      yield e;
    }
  }
}

/** Opens an index held in memory (ciphertext) of the drive described by `manifest`. */
export function openIndexBytes(ciphertext: Uint8Array, dataKey: Uint8Array, manifest: Manifest): IndexFile {
  const dec = new StreamDecryptor(dataKey, utf8.encode(`scelle/1 index ${manifest.driveId}`), ciphertext.length, (pos, len) => ciphertext.subarray(pos, pos + len));
  return new IndexFile(dec, manifest);
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

/** Steps 1–3 of §8: the manifest, the media and the key checked; the index opened (§5.7 checks 1–5). */
export interface UnlockedDrive {
  driveDir: string;
  manifest: Manifest;
  signatureValid: true;
  certificate: CertificateVerdict | null;
  dataKey: Uint8Array;
  /** the open index: header, trailer and directory read; entries read on demand */
  indexFile: IndexFile;
  header: IndexHeader;
  trailer: IndexTrailer;
}

/** An unlocked drive whose whole index was read and checked (§5.7 checks 6–10). */
export interface OpenedDrive extends UnlockedDrive {
  index: IndexEntry[];
}

function ad(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Steps 1–2 of §8 (no key): the manifest parsed, its signature verified, the certificate judged, the media checked. */
export interface LoadedDrive {
  driveDir: string;
  manifest: Manifest;
  signatureValid: true;
  certificate: CertificateVerdict | null;
}

export function loadDrive(driveDir: string, rootPublicKey?: Uint8Array): LoadedDrive {
  const manifestBytes = new Uint8Array(readFileSync(join(driveDir, 'manifest.json')));
  const manifest = parseManifest(manifestBytes);
  const sig = new Uint8Array(readFileSync(join(driveDir, 'manifest.sig')));
  if (!verifyManifestSignature(manifestBytes, sig, manifest.station.publicKey)) fail('manifest.sig does not verify');
  const certificate = rootPublicKey === undefined ? null : judgeCertificate(manifest, rootPublicKey);
  checkMedia(driveDir, manifest);
  return { driveDir, manifest, signatureValid: true, certificate };
}

/** §6: the data key from one of the drive's keyslots. */
export function unwrapDataKey(manifest: Manifest, secret: Secret): Uint8Array {
  if (secret.unlockCode !== undefined) return unwrapWithUnlockCode(manifest, secret.unlockCode);
  if (secret.x25519SecretKey !== undefined) return unwrapWithX25519(manifest, secret.x25519SecretKey);
  return fail('no secret given');
}

/** Step 3 of §8 with a known data key: the index's header, trailer and directory (§5.7 checks 1–5). */
export function openIndexWithKey(drive: LoadedDrive, dataKey: Uint8Array): UnlockedDrive {
  const { driveDir, manifest } = drive;
  const indexPath = join(driveDir, manifest.index.file);
  const dec = new StreamDecryptor(dataKey, ad(`scelle/1 index ${manifest.driveId}`), statSync(indexPath).size, (pos, len) => readRange(indexPath, pos, len));
  const indexFile = new IndexFile(dec, manifest);
  return { ...drive, dataKey, indexFile, header: indexFile.header, trailer: indexFile.trailer };
}

/** Steps 1–3 of §8: manifest + signature (+ certificate), media, unlock, index header/trailer/directory. */
export function unlockDrive(driveDir: string, secret: Secret, rootPublicKey?: Uint8Array): UnlockedDrive {
  const drive = loadDrive(driveDir, rootPublicKey);
  return openIndexWithKey(drive, unwrapDataKey(drive.manifest, secret));
}

/** {@link unlockDrive}, then the whole index read and checked. */
export function openDrive(driveDir: string, secret: Secret, rootPublicKey?: Uint8Array): OpenedDrive {
  const drive = unlockDrive(driveDir, secret, rootPublicKey);
  return { ...drive, index: drive.indexFile.readAllEntries() };
}

function partDecryptor(drive: UnlockedDrive, n: number): StreamDecryptor {
  const ref = drive.manifest.payload.parts[n];
  if (ref === undefined) fail(`no part ${n}`);
  const path = join(drive.driveDir, ref.file);
  const size = statSync(path).size;
  if (size !== ref.size) fail(`${ref.file}: size changed`);
  return new StreamDecryptor(drive.dataKey, ad(`scelle/1 payload ${drive.manifest.driveId} part ${n}`), size, (pos, len) => readRange(path, pos, len));
}

/** Decrypts every part (every segment authenticates), concatenates, checks against the index sizes. */
export function decryptPayload(drive: UnlockedDrive): { tar: Uint8Array; segmentsDecrypted: number } {
  const chunks: Uint8Array[] = [];
  let segments = 0;
  drive.trailer.partSizes.forEach((expected, n) => {
    const d = partDecryptor(drive, n);
    if (d.plaintextSize !== expected) fail(`part ${n}: plaintext size ${d.plaintextSize}, index says ${expected}`);
    chunks.push(d.all());
    segments += d.segmentsDecrypted;
  });
  const tar = concat(...chunks);
  if (tar.length !== drive.trailer.totalSize) fail('payload size differs from index totalSize');
  return { tar, segmentsDecrypted: segments };
}

export interface FullRead {
  entries: TarEntry[];
  segmentsDecrypted: number;
}

/** §8.4 full verification: tar parses, headers match the index entry by entry, hashes match. */
export function readAll(drive: OpenedDrive): FullRead {
  const { tar, segmentsDecrypted } = decryptPayload(drive);
  return { entries: checkTarAgainstIndex(tar, drive.index), segmentsDecrypted };
}

/** §8.4: the tar stream parses and its headers match `index` entry by entry; every file's hash matches. */
export function checkTarAgainstIndex(tar: Uint8Array, index: IndexEntry[]): TarEntry[] {
  const { entries, endOffset } = parseTar(tar);
  if (endOffset !== tar.length) fail(`tar: ${tar.length - endOffset} bytes after the end-of-archive marker`);
  if (entries.length !== index.length) fail(`tar has ${entries.length} entries, index ${index.length}`);
  entries.forEach((t, i) => {
    const x = index[i];
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
  return entries;
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
export function payloadSegmentCount(drive: UnlockedDrive): number {
  return drive.manifest.payload.parts.reduce((n, p) => n + Math.ceil(p.size / SCELLE_STREAM.ciphertextSegmentSize), 0);
}

/**
 * Random access (§3, §5.6): finds `path` through the index directory (binary search, then at most
 * two index segments), restores the file by decrypting only the payload segments holding tar bytes
 * [offset, offset + size), and accepts it only when its SHA-256 matches the index.
 * `segmentsDecrypted` counts payload segments; `indexSegmentsDecrypted` the index segments the
 * lookup decrypted (0 when they were still cached).
 */
export function restoreOne(drive: UnlockedDrive, path: string | Uint8Array): { content: Uint8Array; segmentsDecrypted: number; indexSegmentsDecrypted: number } {
  const shown = typeof path === 'string' ? path : lossyUtf8.decode(path);
  const before = drive.indexFile.segmentsDecrypted;
  const entry = drive.indexFile.lookup(typeof path === 'string' ? utf8.encode(path) : path);
  const indexSegmentsDecrypted = drive.indexFile.segmentsDecrypted - before;
  if (entry === null || entry.type !== 'file' || entry.sha256 === undefined) fail(`no file ${JSON.stringify(shown)} in the index`);
  const pps = drive.manifest.payload.partPlaintextSize;
  const chunks: Uint8Array[] = [];
  let segments = 0;
  let from = entry.offset;
  const to = entry.offset + entry.size;
  while (from < to) {
    const n = Math.floor(from / pps);
    const partEnd = Math.min(to, (n + 1) * pps);
    const d = partDecryptor(drive, n);
    if (d.plaintextSize !== drive.trailer.partSizes[n]) fail(`part ${n}: plaintext size differs from the index`);
    chunks.push(d.range(from - n * pps, partEnd - n * pps));
    segments += d.segmentsDecrypted;
    from = partEnd;
  }
  const content = concat(...chunks);
  if (hex(sha256(content)) !== entry.sha256) fail(`${shown}: SHA-256 mismatch`);
  return { content, segmentsDecrypted: segments, indexSegmentsDecrypted };
}

// ---------------------------------------------------------------- §11 sealed sets

/** §11.3: members that do not belong together (another set, the same position twice, differing set blocks). */
export class SetMismatchError extends FormatError {
  override name = 'SetMismatchError';
  readonly code = 'E_SET_MISMATCH';
  constructor(message: string) {
    super(`E_SET_MISMATCH: ${message}`);
  }
}

/** §11.1: where member `position` lies in the set's parts and tar stream. */
export interface SetMemberLayout {
  position: number;
  driveId: string;
  /** f_k, the set part held by the member's part 0 */
  firstPart: number;
  /** c_k */
  parts: number;
  /** the member's tar bytes [tarStart, tarEnd) */
  tarStart: number;
  tarEnd: number;
}

export interface OpenedSet {
  id: string;
  members: number;
  driveIds: string[];
  partPlaintextSize: number;
  partCounts: number[];
  /** T */
  totalSize: number;
  /** the set's totals (§11.3) */
  entries: number;
  files: number;
  bytes: number;
  layout: SetMemberLayout[];
  /** the members given, by position */
  present: Map<number, UnlockedDrive>;
  /** the positions not given, named by driveIds (§11.5 step 1) */
  absent: { position: number; driveId: string }[];
  dataKey: Uint8Array;
  /** the entries of the longest index present (§11.5 step 3), read whole and checked */
  index: IndexEntry[];
  /** the position whose index gave `index` */
  indexFrom: number;
  /** set.entries minus the entries known: the entries after the longest index's last line */
  unknownEntries: number;
}

/** §11.1: f_k, c_k and the tar range of every member, from partCounts, T and pps. */
export function setLayout(driveIds: string[], partCounts: number[], totalSize: number, pps: number): SetMemberLayout[] {
  let f = 0;
  return partCounts.map((c, k) => {
    const layout = { position: k + 1, driveId: driveIds[k] ?? '', firstPart: f, parts: c, tarStart: f * pps, tarEnd: Math.min((f + c) * pps, totalSize) };
    f += c;
    return layout;
  });
}

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  const bytesEqual = (x?: Uint8Array, y?: Uint8Array): boolean => (x === undefined || y === undefined ? x === y : equalBytes(x, y));
  return (
    equalBytes(a.pathRaw, b.pathRaw) &&
    a.path === b.path &&
    a.type === b.type &&
    a.size === b.size &&
    a.mode === b.mode &&
    a.mtime === b.mtime &&
    a.offset === b.offset &&
    a.sha256 === b.sha256 &&
    a.linkTarget === b.linkTarget &&
    bytesEqual(a.linkTargetRaw, b.linkTargetRaw) &&
    a.entries === b.entries &&
    a.files === b.files &&
    a.bytes === b.bytes
  );
}

/**
 * §11.5 steps 1–3: any member folders, in any order. Each is checked as a drive (§8.1–§8.2); their
 * manifests must name one set, with distinct positions; one member is unlocked with `secret` and
 * every member's index is opened with that data key under its own drive id (§5.7 checks 1–5, §11.3);
 * the set blocks must agree; the longest index gives the entries. Every index present is also read
 * whole and must be a prefix of the longest (see SPEC-GAPS.md).
 */
export function openSet(driveDirs: string[], secret: Secret, rootPublicKey?: Uint8Array): OpenedSet {
  if (driveDirs.length === 0) fail('no member given');
  // Step 1: each member as a drive; one set id, one position each.
  const loaded = driveDirs.map((d) => loadDrive(d, rootPublicKey));
  const first = loaded[0] as LoadedDrive;
  const ref = first.manifest.set;
  if (ref === undefined) throw new SetMismatchError(`${first.driveDir} is not a member of a sealed set (its manifest has no set field)`);
  const byPosition = new Map<number, LoadedDrive>();
  for (const d of loaded) {
    const s = d.manifest.set;
    if (s === undefined) throw new SetMismatchError(`${d.driveDir} is not a member of a sealed set (its manifest has no set field)`);
    if (s.id !== ref.id) throw new SetMismatchError(`${d.manifest.driveId} belongs to set ${s.id}, not ${ref.id}`);
    if (s.members !== ref.members || s.driveIds.some((x, i) => x !== ref.driveIds[i]))
      throw new SetMismatchError(`${d.manifest.driveId}: members or driveIds differ from the other members'`);
    if (d.manifest.payload.partPlaintextSize !== first.manifest.payload.partPlaintextSize) throw new SetMismatchError(`${d.manifest.driveId}: partPlaintextSize differs`);
    if (byPosition.has(s.position)) throw new SetMismatchError(`position ${s.position} (${s.driveIds[s.position - 1]}) given twice`);
    byPosition.set(s.position, d);
  }
  // Step 2: unlock one member; the others are proven by their own index under the same data key.
  const dataKey = unwrapDataKey(first.manifest, secret);
  const present = new Map<number, UnlockedDrive>();
  for (const position of [...byPosition.keys()].sort((a, b) => a - b)) present.set(position, openIndexWithKey(byPosition.get(position) as LoadedDrive, dataKey));
  // §11.3 across members: every set block the same, positions aside.
  const blocks = [...present.values()].map((d) => d.trailer.set as TrailerSet);
  const b0 = blocks[0] as TrailerSet;
  for (const b of blocks) {
    const same =
      b.partCounts.length === b0.partCounts.length &&
      b.partCounts.every((c, i) => c === b0.partCounts[i]) &&
      b.totalSize === b0.totalSize &&
      b.entries === b0.entries &&
      b.files === b0.files &&
      b.bytes === b0.bytes;
    if (!same) throw new SetMismatchError(`member ${b.position}'s index set block (partCounts, totalSize or totals) differs from member ${b0.position}'s`);
  }
  // Step 3: the longest index (the most entry lines; the lowest position among equals).
  let longest = present.values().next().value as UnlockedDrive;
  for (const d of present.values()) if (d.trailer.entries > longest.trailer.entries) longest = d;
  const index = longest.indexFile.readAllEntries();
  for (const d of present.values()) {
    if (d === longest) continue;
    const own = d.indexFile.readAllEntries();
    own.forEach((e, i) => {
      const x = index[i];
      if (x === undefined || !sameEntry(e, x)) {
        throw new SetMismatchError(`member ${d.manifest.set?.position}'s index line ${i + 1} (${JSON.stringify(e.path)}) differs from member ${longest.manifest.set?.position}'s`);
      }
    });
  }
  const pps = first.manifest.payload.partPlaintextSize;
  return {
    id: ref.id,
    members: ref.members,
    driveIds: ref.driveIds,
    partPlaintextSize: pps,
    partCounts: b0.partCounts,
    totalSize: b0.totalSize,
    entries: b0.entries,
    files: b0.files,
    bytes: b0.bytes,
    layout: setLayout(ref.driveIds, b0.partCounts, b0.totalSize, pps),
    present,
    absent: ref.driveIds.map((driveId, i) => ({ position: i + 1, driveId })).filter((m) => !present.has(m.position)),
    dataKey,
    index,
    indexFrom: longest.manifest.set?.position ?? 0,
    unknownEntries: b0.entries - index.length,
  };
}

/** §11.5 step 4: the positions of the members holding some of the entry's content (none for folders, links, empty files). */
export function membersNeeded(set: OpenedSet, entry: IndexEntry): number[] {
  if (entry.type !== 'file' || entry.size === 0) return [];
  const end = entry.offset + entry.size;
  return set.layout.filter((m) => m.tarStart < end && entry.offset < m.tarEnd).map((m) => m.position);
}

/** §11.1: member part `i` of the member holding set part g. */
function setPartReader(set: OpenedSet, g: number): { drive: UnlockedDrive; part: number; decryptor: StreamDecryptor } {
  const m = set.layout.find((l) => l.firstPart <= g && g < l.firstPart + l.parts);
  if (m === undefined) fail(`set part ${g} is beyond the set`);
  const drive = set.present.get(m.position);
  if (drive === undefined) fail(`set part ${g} is on member ${m.position} (${m.driveId}), not attached`);
  const part = g - m.firstPart;
  const decryptor = partDecryptor(drive, part);
  if (decryptor.plaintextSize !== drive.trailer.partSizes[part]) fail(`member ${m.position} part ${part}: plaintext size differs from its index`);
  return { drive, part, decryptor };
}

/** §11.5 step 4: one file's content from the members present, accepted only when its SHA-256 matches. */
export function restoreSetFile(set: OpenedSet, entry: IndexEntry): Uint8Array {
  if (entry.type !== 'file' || entry.sha256 === undefined) fail(`${JSON.stringify(entry.path)} is not a file`);
  const missing = membersNeeded(set, entry).filter((p) => !set.present.has(p));
  if (missing.length > 0) fail(`${JSON.stringify(entry.path)} needs member(s) ${missing.join(', ')}`);
  const pps = set.partPlaintextSize;
  const chunks: Uint8Array[] = [];
  let from = entry.offset;
  const to = entry.offset + entry.size;
  while (from < to) {
    const g = Math.floor(from / pps);
    const partEnd = Math.min(to, (g + 1) * pps);
    chunks.push(setPartReader(set, g).decryptor.range(from - g * pps, partEnd - g * pps));
    from = partEnd;
  }
  const content = concat(...chunks);
  if (hex(sha256(content)) !== entry.sha256) fail(`${JSON.stringify(entry.path)}: SHA-256 mismatch`);
  return content;
}

export interface SetRestore {
  /** every file whose bytes are on the members present, hash-checked, in index order */
  files: { entry: IndexEntry; content: Uint8Array }[];
  /** folders and links (they need no member) */
  others: IndexEntry[];
  /** per absent position, the files that need it (a file needing two absent members is under both) */
  needing: Map<number, IndexEntry[]>;
  /** files not restored because they need an absent member (each once) */
  skipped: IndexEntry[];
}

/** §11.5 step 4: restores (in memory) what the members present hold, and names what each absent member holds. */
export function restoreSet(set: OpenedSet): SetRestore {
  const out: SetRestore = { files: [], others: [], needing: new Map(), skipped: [] };
  for (const e of set.index) {
    if (e.type !== 'file') {
      out.others.push(e);
      continue;
    }
    const missing = membersNeeded(set, e).filter((p) => !set.present.has(p));
    if (missing.length === 0) {
      out.files.push({ entry: e, content: restoreSetFile(set, e) });
      continue;
    }
    out.skipped.push(e);
    for (const p of missing) out.needing.set(p, [...(out.needing.get(p) ?? []), e]);
  }
  return out;
}

/**
 * §11.5 with every member present and a whole-set index: one pass over the set's tar stream, every
 * part of every member decrypted in position order, the headers compared with the index (§8.4).
 */
export function readWholeSet(set: OpenedSet): { tar: Uint8Array; entries: TarEntry[] } {
  if (set.absent.length > 0) fail(`members ${set.absent.map((m) => m.position).join(', ')} absent`);
  if (set.unknownEntries !== 0) fail('no index present lists the whole set');
  const chunks: Uint8Array[] = [];
  for (const m of set.layout) {
    const drive = set.present.get(m.position) as UnlockedDrive;
    chunks.push(decryptPayload(drive).tar);
  }
  const tar = concat(...chunks);
  if (tar.length !== set.totalSize) fail(`the members hold ${tar.length} tar bytes, the set ${set.totalSize}`);
  return { tar, entries: checkTarAgainstIndex(tar, set.index) };
}
