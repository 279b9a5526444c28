/** Test fixtures for the engine: temporary folders, station identities, sample trees. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import { generateEscrowKeyPair, generateSigningKeyPair, issueStationCertificate } from '../../shared/format/station-cert.js';
import type { StationIdentity } from '../../shared/engine/api.js';

const made: string[] = [];

/** A temporary folder removed after the test (tmpfs when available, for speed). */
export function tempDir(prefix = 'scelle-test-'): string {
  const base = process.env.SCELLE_TEST_TMP ?? tmpdir();
  const d = mkdtempSync(join(base, prefix));
  made.push(d);
  return d;
}

afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A provider root, a station certified by it, and an escrow key pair. */
export function makeKeys(stationId = 'station-test-1') {
  const root = generateSigningKeyPair();
  const stationPair = generateSigningKeyPair();
  const certificate = issueStationCertificate({ rootSecretKey: root.secretKey, stationId, stationPublicKey: stationPair.publicKey });
  const station: StationIdentity = { id: stationId, secretKey: stationPair.secretKey, publicKey: stationPair.publicKey, certificate };
  const escrow = generateEscrowKeyPair();
  return { root, station, escrow };
}

/** Writes a tree of files: keys are relative paths, values contents (string or bytes). */
export function writeTree(dir: string, tree: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(tree)) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Deterministic pseudo-random bytes of length n (seeded by `seed`). */
export function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export { randomBytes };

// ---------------------------------------------------------------------------------------------
// Bad-input helpers (shared/engine/bad-input*.test.ts): damaging and forging drives honestly,
// with the same format functions the engine uses, and running code as an unprivileged user.
// ---------------------------------------------------------------------------------------------
import {
  closeSync as fxCloseSync,
  openSync as fxOpenSync,
  readFileSync as fxReadFileSync,
  readSync as fxReadSync,
  readdirSync as fxReaddirSync,
  lstatSync as fxLstatSync,
  readlinkSync as fxReadlinkSync,
  writeSync as fxWriteSync,
} from 'node:fs';
import { createHash as fxCreateHash } from 'node:crypto';
import { execFileSync as fxExecFileSync } from 'node:child_process';
import { unwrapKeyslots as fxUnwrapKeyslots } from '../../shared/format/keyslot.js';
import {
  parseManifest as fxParseManifest,
  serializeManifest as fxSerializeManifest,
  signManifest as fxSignManifest,
  type Manifest as FxManifest,
} from '../../shared/format/manifest.js';
import { decryptStream as fxDecryptStream, encryptStream as fxEncryptStream, SCELLE_LAYOUT as FX_LAYOUT } from '../../shared/format/stream.js';

/** One mebibyte. */
export const MiB = 1048576;

/** Flips one bit of the file at `path` (byte `offset`, negative = from the end). */
export function flipBit(path: string, offset: number, bit = 0): void {
  const fd = fxOpenSync(path, 'r+');
  try {
    const size = fxReadFileSync(path).length;
    const at = offset < 0 ? size + offset : offset;
    const b = Buffer.alloc(1);
    fxReadSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ (1 << bit);
    fxWriteSync(fd, b, 0, 1, at);
  } finally {
    fxCloseSync(fd);
  }
}

/** The first `n` bytes of a file. */
export function headBytes(path: string, n: number): Buffer {
  return fxReadFileSync(path).subarray(0, n);
}

/** Reads manifest.json of a drive folder. */
export function readManifest(driveDir: string): FxManifest {
  return fxParseManifest(fxReadFileSync(join(driveDir, 'manifest.json')));
}

/** Serializes `manifest` into the drive and signs it with `signerSecretKey` (an attacker's or the station's). */
export function writeSignedManifest(driveDir: string, manifest: FxManifest, signerSecretKey: Uint8Array): void {
  const bytes = fxSerializeManifest(manifest);
  writeFileSync(join(driveDir, 'manifest.json'), bytes);
  writeFileSync(join(driveDir, 'manifest.sig'), fxSignManifest(bytes, signerSecretKey) + '\n');
}

/** Ciphertext size and SHA-256 of a drive file, as the manifest records them. */
export function fileFacts(path: string): { size: number; sha256: string } {
  const data = fxReadFileSync(path);
  return { size: data.length, sha256: fxCreateHash('sha256').update(data).digest('hex') };
}

/**
 * Rewrites the encrypted index of a sealed drive as a key holder could: recovers the data key
 * through an X25519 keyslot, decrypts index.scx, lets `edit` change its entry lines (and the
 * trailer, in place), rebuilds the directory and the trailer's entry count and offsets around
 * them, re-encrypts it with the engine's own stream function and associated data, records its
 * new size and hash in the manifest and re-signs the manifest with `signerSecretKey`.
 */
export async function rewriteIndex(
  driveDir: string,
  escrowSecretKey: Uint8Array,
  signerSecretKey: Uint8Array,
  edit: (entries: Record<string, unknown>[], trailer: Record<string, unknown>) => Record<string, unknown>[],
): Promise<void> {
  const manifest = readManifest(driveDir);
  const dataKey = await fxUnwrapKeyslots(manifest.keyslots, { kind: 'x25519', secretKey: escrowSecretKey }, manifest.driveId);
  const ad = `scelle/1 index ${manifest.driveId}`;
  const plain = fxDecryptStream(dataKey, ad, fxReadFileSync(join(driveDir, 'index.scx'))).toString('utf8');
  const lines = plain
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const header = lines[0]!;
  const trailer = lines[lines.length - 1]!;
  const entries = edit(
    lines.slice(1).filter((l) => 'type' in l),
    trailer,
  );
  let text = JSON.stringify(header) + '\n';
  const directory: string[] = [];
  let lastSegment = -1;
  for (const e of entries) {
    const at = Buffer.byteLength(text);
    const segment = FX_LAYOUT.segmentOf(at);
    if (segment !== lastSegment) {
      directory.push(JSON.stringify({ at, path: e.path, ...(e.pathBytes !== undefined ? { pathBytes: e.pathBytes } : {}) }) + '\n');
      lastSegment = segment;
    }
    text += JSON.stringify(e) + '\n';
  }
  trailer.entries = entries.length;
  trailer.directoryAt = Buffer.byteLength(text);
  text += directory.join('') + JSON.stringify(trailer) + '\n';
  const cipher = fxEncryptStream(dataKey, ad, Buffer.from(text, 'utf8'));
  writeFileSync(join(driveDir, 'index.scx'), cipher);
  manifest.index = { ...manifest.index, ...fileFacts(join(driveDir, 'index.scx')) };
  writeSignedManifest(driveDir, manifest, signerSecretKey);
}

/** Every entry under `dir` (byte-exact names, latin1-keyed): type and content or link target. */
export function snapshotTree(dir: string): Map<string, { type: 'file' | 'directory' | 'symlink'; data: Buffer }> {
  const out = new Map<string, { type: 'file' | 'directory' | 'symlink'; data: Buffer }>();
  const walk = (abs: Buffer, rel: Buffer | null) => {
    for (const name of fxReaddirSync(abs, { encoding: 'buffer' })) {
      const a = Buffer.concat([abs, Buffer.from('/'), name]);
      const r = rel === null ? name : Buffer.concat([rel, Buffer.from('/'), name]);
      const st = fxLstatSync(a);
      const key = r.toString('latin1');
      if (st.isSymbolicLink()) out.set(key, { type: 'symlink', data: fxReadlinkSync(a, { encoding: 'buffer' }) });
      else if (st.isDirectory()) {
        out.set(key, { type: 'directory', data: Buffer.alloc(0) });
        walk(a, r);
      } else out.set(key, { type: 'file', data: fxReadFileSync(a) });
    }
  };
  walk(Buffer.from(dir), null);
  return out;
}

/**
 * Runs `fn` with the effective uid/gid of an unprivileged user (nobody, 65534) when the tests
 * run as root, so that permission checks apply (root bypasses them); restores root afterwards.
 * Vitest runs each test file in its own forked process, so this does not leak into other files.
 * When not root, `fn` runs as is (permissions already apply).
 */
export async function asUnprivileged<T>(fn: () => Promise<T>, uid = 65534, gid = 65534): Promise<T> {
  if (process.geteuid?.() !== 0 || !process.seteuid || !process.setegid) return fn();
  process.setegid(gid);
  process.seteuid(uid);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
    process.setegid(0);
  }
}

/** Mounts a tmpfs of `sizeBytes` at `dir`; false when this machine does not allow it. */
export function tryMountTmpfs(dir: string, sizeBytes: number): boolean {
  try {
    fxExecFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates at `path` a character device that answers every write with ENOSPC (Linux's /dev/full,
 * 1:7) — a full device where a part goes, without a symbolic link (which the engine refuses).
 * Throws when this machine does not allow mknod (needs CAP_MKNOD, e.g. root).
 */
export function makeFullDevice(path: string): void {
  fxExecFileSync('mknod', [path, 'c', '1', '7'], { stdio: 'ignore' });
}

/** Remounts the tmpfs at `dir` read-only (true) or read-write (false). */
export function remountTmpfs(dir: string, readOnly: boolean): void {
  fxExecFileSync('mount', ['-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir], { stdio: 'ignore' });
}

/** Unmounts `dir` (lazily, so a leftover open file cannot keep it busy). */
export function unmount(dir: string): void {
  try {
    fxExecFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    /* already unmounted */
  }
}
