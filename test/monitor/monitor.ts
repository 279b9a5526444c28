// An independent monitor of a transparency log, written from the C2SP specifications alone
// (c2sp.org/signed-note, c2sp.org/tlog-checkpoint, c2sp.org/tlog-tiles) and RFC 9162 §2.1.
// It shares no code with server/ or shared/: only node:crypto and fetch. It follows a log by
// its checkpoints, downloads every entry from the data tiles, recomputes the Merkle tree,
// checks the hash tiles against it and checks that each new checkpoint extends the previous one.
import { createHash, createPublicKey, verify } from 'node:crypto';

/** Anything the log serves that a monitor must not accept. */
export class MonitorError extends Error {
  override name = 'MonitorError';
}

function fail(message: string): never {
  throw new MonitorError(message);
}

// ------------------------------------------------------------------ RFC 9162 §2.1 hashing

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** MTH of one entry: SHA-256(0x00 || entry). */
export const leafHashOf = (entry: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), entry);
/** Interior node: SHA-256(0x01 || left || right). */
export const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), l, r);

/** Largest power of two strictly less than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes, RFC 9162 §2.1.1. */
export function subtreeHash(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return sha256();
  if (n === 1) return leaves[lo] ?? fail('leaf missing');
  const k = split(n);
  return nodeHash(subtreeHash(leaves, lo, lo + k), subtreeHash(leaves, lo + k, hi));
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1 (0 < m ≤ n). */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, n: number): Uint8Array[] {
  const sub = (m: number, lo: number, hi: number, whole: boolean): Uint8Array[] => {
    const size = hi - lo;
    if (m === size) return whole ? [] : [subtreeHash(leaves, lo, hi)];
    const k = split(size);
    if (m <= k) return [...sub(m, lo, lo + k, whole), subtreeHash(leaves, lo + k, hi)];
    return [...sub(m - k, lo + k, hi, false), subtreeHash(leaves, lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** Verifies a consistency proof between (m, oldRoot) and (n, newRoot), RFC 9162 §2.1.4.2. */
export function verifyConsistency(m: number, n: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  const eq = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
  if (m > n) return false;
  if (m === n) return proof.length === 0 && eq(oldRoot, newRoot);
  if (m === 0) return proof.length === 0;
  let path = [...proof];
  if ((m & (m - 1)) === 0) path = [oldRoot, ...path];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] ?? fail('empty proof');
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, oldRoot) && eq(sr, newRoot);
}

// ------------------------------------------------------------------ signed notes and checkpoints

/** A verifier key `<name>+<hex key id>+<base64(0x01 || Ed25519 public key)>` (c2sp.org/signed-note). */
export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

const b64 = (s: string): Uint8Array => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail('not standard padded base64');
  return new Uint8Array(Buffer.from(s, 'base64'));
};

/** The key id of an Ed25519 note key: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
export const noteKeyIdOf = (name: string, publicKey: Uint8Array): Uint8Array => sha256(Buffer.from(name, 'utf8'), Uint8Array.of(0x0a, 0x01), publicKey).subarray(0, 4);

/** Parses and checks a verifier key string. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const [name, idHex, keyB64, ...more] = vkey.split('+');
  if (!name || !idHex || !keyB64 || more.length > 0) fail('verifier key must be <name>+<id>+<key>');
  const raw = b64(keyB64);
  if (raw.length !== 33 || raw[0] !== 0x01) fail('verifier key is not an Ed25519 key');
  const publicKey = raw.subarray(1);
  const keyId = noteKeyIdOf(name, publicKey);
  if (Buffer.from(keyId).toString('hex') !== idHex) fail('verifier key id does not match its name and key');
  return { name, keyId, publicKey };
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
  return verify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature);
}

/** A verified checkpoint. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions: string[];
}

/**
 * Opens a signed note, requires a valid signature by `key` (other signers, e.g. witnesses,
 * are ignored) and parses its body as a tlog-checkpoint whose origin is `key.name`.
 */
export function openCheckpoint(note: string, key: VerifierKey): Checkpoint {
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0 || !note.endsWith('\n')) fail('not a signed note: no blank line before the signatures');
  const body = note.slice(0, sep + 1);
  const sigLines = note.slice(sep + 2, -1).split('\n');
  let verified = false;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) fail(`malformed signature line: ${JSON.stringify(line)}`);
    if (m[1] !== key.name) continue;
    const blob = b64(m[2] ?? '');
    if (blob.length !== 4 + 64 || !Buffer.from(blob.subarray(0, 4)).equals(Buffer.from(key.keyId))) continue;
    if (ed25519Verify(key.publicKey, Buffer.from(body, 'utf8'), blob.subarray(4))) verified = true;
  }
  if (!verified) fail('no valid signature by the log key');
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin !== key.name) fail(`checkpoint origin ${JSON.stringify(origin)} is not the log's`);
  if (!sizeText || !/^(0|[1-9]\d*)$/.test(sizeText)) fail('tree size is not a decimal number');
  const treeSize = Number(sizeText);
  if (!Number.isSafeInteger(treeSize)) fail('tree size too large');
  const rootHash = b64(rootText ?? '');
  if (rootHash.length !== 32) fail('root hash is not 32 bytes');
  return { origin, treeSize, rootHash, extensions };
}

// ------------------------------------------------------------------ tiles

/** `<N>` of a tile path: three-digit groups, all but the last prefixed with x. */
export function tileIndexPath(n: number): string {
  const s = String(n);
  const padded = s.padStart(Math.ceil(s.length / 3) * 3, '0');
  const groups = padded.match(/.{3}/g) ?? [];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** Path of a tile (below the log prefix): `tile/<L|entries>/<N>[.p/<W>]`. */
export function tileURLPath(level: number | 'entries', index: number, width: number): string {
  return `tile/${level}/${tileIndexPath(index)}${width < 256 ? `.p/${width}` : ''}`;
}

/** Splits a data tile into its entries (big-endian uint16 length, then the bytes). */
export function splitEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bundle.length) {
    if (i + 2 > bundle.length) fail('truncated entry length');
    const len = ((bundle[i] ?? 0) << 8) | (bundle[i + 1] ?? 0);
    if (i + 2 + len > bundle.length) fail('truncated entry');
    out.push(bundle.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return out;
}

// ------------------------------------------------------------------ the monitor

/** fetch as the monitor uses it (injectable to simulate a lying log). */
export type Fetch = (url: string) => Promise<{ status: number; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }>;

/** What one update saw. */
export interface UpdateReport {
  previousSize: number;
  checkpoint: Checkpoint;
  newEntries: number;
  /** number of tiles fetched (data and hash) */
  tilesFetched: number;
  /** true when a consistency proof from the previous checkpoint was built and verified */
  consistencyChecked: boolean;
}

/**
 * Follows one log at `prefix` (URL ending in `/`). Keeps every entry it has seen and the last
 * checkpoint it verified; each update must extend them.
 */
export class LogMonitor {
  readonly entries: Uint8Array[] = [];
  readonly leaves: Uint8Array[] = [];
  last: Checkpoint | null = null;
  private readonly key: VerifierKey;

  constructor(
    private readonly prefix: string,
    verifierKey: string,
    private readonly get: Fetch = (u) => fetch(u),
  ) {
    this.key = parseVerifierKey(verifierKey);
  }

  private async bytes(path: string): Promise<Uint8Array> {
    const r = await this.get(this.prefix + path);
    if (r.status !== 200) fail(`GET ${path}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }

  /** Fetches, verifies and returns the latest checkpoint (without updating state). */
  async fetchCheckpoint(path = 'checkpoint'): Promise<Checkpoint> {
    const r = await this.get(this.prefix + path);
    if (r.status !== 200) fail(`GET ${path}: HTTP ${r.status}`);
    return openCheckpoint(await r.text(), this.key);
  }

  /**
   * Fetches the latest checkpoint; downloads the entries it adds (data tiles, partial for the
   * last one); recomputes the root over all entries and compares it with the signed root;
   * checks the level-0 hash tiles against the recomputed leaf hashes; and verifies an RFC 9162
   * consistency proof from the previous checkpoint. Throws MonitorError on any mismatch.
   */
  async update(): Promise<UpdateReport> {
    const cp = await this.fetchCheckpoint();
    const previousSize = this.last?.treeSize ?? 0;
    if (cp.treeSize < previousSize) fail(`the log shrank from ${previousSize} to ${cp.treeSize}`);
    let tiles = 0;
    const entries = [...this.entries];
    for (let tile = Math.floor(previousSize / 256); tile * 256 < cp.treeSize; tile++) {
      const width = Math.min(256, cp.treeSize - tile * 256);
      const got = splitEntryBundle(await this.bytes(tileURLPath('entries', tile, width)));
      tiles++;
      if (got.length !== width) fail(`data tile ${tile} holds ${got.length} entries, expected ${width}`);
      got.forEach((e, i) => {
        const at = tile * 256 + i;
        if (at < previousSize) {
          if (!Buffer.from(e).equals(Buffer.from(entries[at] ?? new Uint8Array()))) fail(`entry ${at} changed since it was first seen`);
        } else entries.push(e);
      });
    }
    const leaves = entries.map(leafHashOf);
    const root = subtreeHash(leaves, 0, cp.treeSize);
    if (!Buffer.from(root).equals(Buffer.from(cp.rootHash))) fail(`the root of ${cp.treeSize} recomputed from the entries differs from the signed checkpoint`);
    for (let tile = 0; tile * 256 < cp.treeSize; tile++) {
      const width = Math.min(256, cp.treeSize - tile * 256);
      const hashes = await this.bytes(tileURLPath(0, tile, width));
      tiles++;
      if (hashes.length !== width * 32) fail(`hash tile 0/${tile} has ${hashes.length} bytes`);
      for (let i = 0; i < width; i++) {
        if (!Buffer.from(hashes.subarray(i * 32, i * 32 + 32)).equals(Buffer.from(leaves[tile * 256 + i] ?? new Uint8Array()))) fail(`hash tile 0/${tile} differs at ${i}`);
      }
    }
    let consistencyChecked = false;
    if (this.last && this.last.treeSize > 0) {
      const proof = consistencyProof(leaves, this.last.treeSize, cp.treeSize);
      if (!verifyConsistency(this.last.treeSize, cp.treeSize, this.last.rootHash, cp.rootHash, proof)) fail('the new checkpoint is not consistent with the previous one');
      consistencyChecked = true;
    }
    this.entries.splice(0, this.entries.length, ...entries);
    this.leaves.splice(0, this.leaves.length, ...leaves);
    this.last = cp;
    return { previousSize, checkpoint: cp, newEntries: cp.treeSize - previousSize, tilesFetched: tiles, consistencyChecked };
  }

  /** Checks that a past checkpoint (a verified note) is the root of a prefix of the entries seen. */
  checkPast(cp: Checkpoint): void {
    if (cp.treeSize > this.leaves.length) fail(`checkpoint of size ${cp.treeSize} is beyond the ${this.leaves.length} entries seen`);
    if (!Buffer.from(subtreeHash(this.leaves, 0, cp.treeSize)).equals(Buffer.from(cp.rootHash))) fail(`past checkpoint of size ${cp.treeSize} is not a prefix of the log`);
  }

  /** Opens a note with the log key (for past checkpoints listed by the service). */
  open(note: string): Checkpoint {
    return openCheckpoint(note, this.key);
  }
}
