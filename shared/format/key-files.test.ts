import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScelleError } from '../errors/scelle-error.js';
import { encodeBase64 } from './base64.js';
import { issueIssuingCertificate } from './issuing-cert.js';
import {
  readEscrowKeyFile,
  readIssuingKeyFile,
  readPublicKeyFile,
  readRootKeyFile,
  readStationKeyFile,
  replaceStationCertificate,
  writeEscrowKeyFile,
  writeIssuingKeyFile,
  writePublicKeyFile,
  writeRootKeyFile,
  writeStationKeyFile,
} from './key-files.js';
import { generateEscrowKeyPair, generateSigningKeyPair, issueStationCertificate } from './station-cert.js';
import type { StationIdentity } from './station.js';

let dir: string;
let n = 0;
const fresh = (name = 'key') => join(dir, `${name}-${n++}.json`);
const isPosix = process.platform !== 'win32';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-keyfiles-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<ScelleError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ScelleError) return e;
    throw e;
  }
  throw new Error('expected a ScelleError');
}

const root = generateSigningKeyPair();
const stationPair = generateSigningKeyPair();
const certificate = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: stationPair.publicKey });
const identity: StationIdentity = { id: 'mtl-1', ...stationPair, certificate };

describe('writing and reading key files', () => {
  it('round-trips a station identity, with and without certificate, as mode-0600 JSON', async () => {
    const path = fresh('station');
    await writeStationKeyFile(path, identity);
    expect(await readStationKeyFile(path)).toEqual(identity);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc.type).toBe('scelle-station-secret-key/1');
    expect(doc.secretKey).toBe(encodeBase64(stationPair.secretKey));
    if (isPosix) expect((await stat(path)).mode & 0o777).toBe(0o600);

    const bare = fresh('station');
    await writeStationKeyFile(bare, { ...identity, certificate: null });
    expect((await readStationKeyFile(bare)).certificate).toBeNull();
  });

  it('round-trips root, escrow and public key files', async () => {
    const escrow = generateEscrowKeyPair();
    const [r, e, p] = [fresh('root'), fresh('escrow'), fresh('pub')];
    await writeRootKeyFile(r, root);
    await writeEscrowKeyFile(e, escrow);
    await writePublicKeyFile(p, 'escrow', escrow.publicKey);
    expect(await readRootKeyFile(r)).toEqual(root);
    expect(await readEscrowKeyFile(e)).toEqual(escrow);
    expect(await readPublicKeyFile(p, 'escrow')).toEqual(escrow.publicKey);
    if (isPosix) {
      expect((await stat(r)).mode & 0o777).toBe(0o600);
      expect((await stat(e)).mode & 0o777).toBe(0o600);
      expect((await stat(p)).mode & 0o022).toBe(0); // public, but writable by its owner only
    }
  });

  it('never overwrites an existing file, and leaves it intact', async () => {
    const path = fresh('root');
    await writeRootKeyFile(path, root);
    const before = await readFile(path, 'utf8');
    // One at a time: a rejection not yet awaited would be reported as unhandled.
    for (const attempt of [
      () => writeRootKeyFile(path, generateSigningKeyPair()),
      () => writeStationKeyFile(path, identity),
      () => writeEscrowKeyFile(path, generateEscrowKeyPair()),
      () => writePublicKeyFile(path, 'root', root.publicKey),
    ]) {
      const e = await failure(attempt());
      expect(e.code).toBe('E_KEY_FILE');
      expect(e.message).toContain(path);
      expect(e.message).toMatch(/already exists/);
    }
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('reports a missing folder as E_KEY_FILE', async () => {
    const e = await failure(writeRootKeyFile(join(dir, 'no-such-dir', 'root.json'), root));
    expect(e.code).toBe('E_KEY_FILE');
    expect(e.details.path).toContain('no-such-dir');
  });

  it('refuses to write keys that do not belong together', async () => {
    const mismatch = { secretKey: root.secretKey, publicKey: generateSigningKeyPair().publicKey };
    expect((await failure(writeRootKeyFile(fresh(), mismatch))).code).toBe('E_KEY_INVALID');
    expect((await failure(writeEscrowKeyFile(fresh(), root))).code).toBe('E_KEY_INVALID'); // Ed25519 pair is not an X25519 pair
    expect((await failure(writePublicKeyFile(fresh(), 'root', new Uint8Array(31)))).code).toBe('E_KEY_INVALID');
    const otherCert = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: generateSigningKeyPair().publicKey });
    expect((await failure(writeStationKeyFile(fresh(), { ...identity, certificate: otherCert }))).code).toBe('E_KEY_INVALID');
    expect((await failure(writeStationKeyFile(fresh(), { ...identity, id: 'qc-9' }))).code).toBe('E_KEY_INVALID');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('replaceStationCertificate', () => {
  it('attaches a certificate to a station key file, keeping the key', async () => {
    const path = fresh('station');
    await writeStationKeyFile(path, { ...identity, certificate: null });
    await replaceStationCertificate(path, certificate);
    expect(await readStationKeyFile(path)).toEqual(identity);
    if (isPosix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a certificate for another key', async () => {
    const path = fresh('station');
    await writeStationKeyFile(path, { ...identity, certificate: null });
    const other = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: root.publicKey });
    expect((await failure(replaceStationCertificate(path, other))).code).toBe('E_KEY_INVALID');
    expect((await readStationKeyFile(path)).certificate).toBeNull();
  });
});

describe('reading malformed key files', () => {
  async function readError(content: string | Uint8Array, read: (p: string) => Promise<unknown> = readRootKeyFile): Promise<ScelleError> {
    const path = fresh('bad');
    await writeFile(path, content, { mode: 0o600 }); // private, as secret key files must be
    const e = await failure(read(path));
    expect(e.code).toBe('E_KEY_FILE');
    expect(e.message).toContain(path);
    return e;
  }
  const good = () => ({ type: 'scelle-root-secret-key/1', secretKey: encodeBase64(root.secretKey), publicKey: encodeBase64(root.publicKey) });

  it('names a missing file', async () => {
    const e = await failure(readRootKeyFile(join(dir, 'missing.json')));
    expect(e.code).toBe('E_KEY_FILE');
    expect(e.message).toMatch(/does not exist/);
  });

  it('rejects a folder, non-JSON, non-UTF-8 and non-object content', async () => {
    expect((await failure(readRootKeyFile(dir))).message).toMatch(/not a regular file/);
    expect((await readError('hello')).message).toMatch(/not a JSON key file/);
    expect((await readError(Uint8Array.from([0x7b, 0xff, 0x7d]))).message).toMatch(/not a JSON key file/);
    expect((await readError('[1]')).message).toMatch(/not a JSON key file/);
    expect((await readError('x'.repeat(70_000))).message).toMatch(/too large/);
  });

  it('rejects a file of another type, saying which', async () => {
    const e = await readError(JSON.stringify({ ...good(), type: 'scelle-escrow-secret-key/1' }));
    expect(e.message).toMatch(/holds scelle-escrow-secret-key\/1, expected scelle-root-secret-key\/1/);
    const pub = fresh('pub');
    await writePublicKeyFile(pub, 'station', stationPair.publicKey);
    expect((await failure(readPublicKeyFile(pub, 'root'))).message).toMatch(/expected scelle-root-public-key\/1/);
    expect((await readError(JSON.stringify({ ...good(), type: 'evil <script>' }))).message).toMatch(/holds no known type/);
  });

  it('rejects missing, truncated and mismatched keys without echoing key bytes', async () => {
    const truncated = encodeBase64(root.secretKey.slice(0, 31));
    const cases = [
      { ...good(), secretKey: undefined },
      { ...good(), secretKey: truncated },
      { ...good(), secretKey: 42 },
      { ...good(), publicKey: encodeBase64(generateSigningKeyPair().publicKey) },
    ];
    for (const doc of cases) {
      const e = await readError(JSON.stringify(doc));
      expect(e.message).not.toContain(encodeBase64(root.secretKey).slice(0, 12));
      expect(e.message).not.toContain(truncated.slice(0, 12));
      expect(JSON.stringify(e.details)).not.toContain(encodeBase64(root.secretKey).slice(0, 12));
    }
    expect((await readError(JSON.stringify(cases[1]))).message).toMatch(/secretKey/);
    expect((await readError(JSON.stringify(cases[3]))).message).toMatch(/does not match/);
  });

  it('rejects a station file whose certificate names another key', async () => {
    const otherCert = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: root.publicKey });
    const doc = {
      type: 'scelle-station-secret-key/1',
      stationId: 'mtl-1',
      secretKey: encodeBase64(stationPair.secretKey),
      publicKey: encodeBase64(stationPair.publicKey),
      certificate: otherCert,
    };
    expect((await readError(JSON.stringify(doc), readStationKeyFile)).message).toMatch(/certificate for another/);
    expect((await readError(JSON.stringify({ ...doc, certificate: { version: 1 } }), readStationKeyFile)).message).toMatch(/certificate/);
    expect((await readError(JSON.stringify({ ...doc, certificate: undefined }), readStationKeyFile)).message).toMatch(/certificate/);
  });
});

describe('station key files with a certificate from an issuing key', () => {
  it('keep the issuing certificate beside the certificate, and replacing it with a direct certificate drops it', async () => {
    const issuingKey = generateSigningKeyPair();
    const issuing = issueIssuingCertificate({
      rootSecretKey: root.secretKey,
      issuingId: 'custody-1',
      issuingPublicKey: issuingKey.publicKey,
      expiresAt: new Date(Date.now() + 365 * 86_400_000),
    });
    const short = issueStationCertificate({
      rootSecretKey: issuingKey.secretKey,
      issuingCertificate: issuing,
      stationId: identity.id,
      stationPublicKey: identity.publicKey,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
    const path = fresh('station');
    await writeStationKeyFile(path, { ...identity, certificate: null });
    await replaceStationCertificate(path, short, issuing);
    expect(await readStationKeyFile(path)).toEqual({ ...identity, certificate: short, issuingCertificate: issuing });
    // An issuing certificate for another key than the certificate's signer is refused, and the file is unchanged.
    const foreign = issueIssuingCertificate({ rootSecretKey: root.secretKey, issuingId: 'other', issuingPublicKey: root.publicKey, expiresAt: new Date(Date.now() + 86_400_000) });
    expect((await failure(replaceStationCertificate(path, short, foreign))).code).toBe('E_KEY_INVALID');
    await replaceStationCertificate(path, certificate);
    expect(await readStationKeyFile(path)).toEqual(identity);
  });

  it('the issuing key file is a secret file of its own type', async () => {
    const pair = generateSigningKeyPair();
    const path = fresh('issuing');
    await writeIssuingKeyFile(path, pair);
    expect(await readIssuingKeyFile(path)).toEqual(pair);
    if (isPosix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await failure(readRootKeyFile(path))).code).toBe('E_KEY_FILE');
  });
});
