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
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export { randomBytes };
