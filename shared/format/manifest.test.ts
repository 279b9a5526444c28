import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ScelleError } from '../errors/scelle-error.js';
import { encodeBase64 } from './base64.js';
import { wrapForX25519 } from './keyslot.js';
import { type Manifest, parseManifest, serializeManifest, signManifest, verifyManifestSignature } from './manifest.js';

const station = ed25519.keygen();
const root = ed25519.keygen();
const b64 = (n: number, fill = 7) => encodeBase64(new Uint8Array(n).fill(fill));
const hex = 'ab'.repeat(32);
const ESCROW_SLOT = wrapForX25519(new Uint8Array(32).fill(1), x25519.keygen().publicKey, '01J8ZK3V6Q', 'escrow');

function sample(): Manifest {
  return {
    format: 'scelle/1',
    driveId: '01J8ZK3V6Q',
    createdAt: '2025-03-01T14:05:09.123Z',
    payload: {
      aead: 'AES256_GCM_HKDF_1MB',
      partPlaintextSize: 1073741824,
      parts: [
        { file: 'payload/part-00000.scx', size: 1073758168, sha256: hex },
        { file: 'payload/part-00001.scx', size: 1234, sha256: 'cd'.repeat(32) },
      ],
    },
    index: { file: 'index.scx', size: 456, sha256: 'ef'.repeat(32) },
    keyslots: [{ type: 'unlock-code', kdf: { alg: 'argon2id', m: 65536, t: 3, p: 1, salt: b64(16) }, nonce: b64(12), wrapped: b64(48) }, ESCROW_SLOT],
    station: {
      id: 'station-montreal-1',
      publicKey: encodeBase64(station.publicKey),
      certificate: {
        version: 1,
        stationId: 'station-montreal-1',
        publicKey: encodeBase64(station.publicKey),
        issuedAt: '2025-01-01T00:00:00Z',
        expiresAt: null,
        issuer: encodeBase64(root.publicKey),
        signature: b64(64),
      },
    },
  };
}

/** Deep copy with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function parseError(bytes: Uint8Array): ScelleError {
  try {
    parseManifest(bytes);
  } catch (e) {
    if (e instanceof ScelleError) return e;
    throw e;
  }
  throw new Error('manifest accepted');
}

describe('serializeManifest', () => {
  it('writes 2-space indented JSON with a trailing newline, in the order of DESIGN §3', () => {
    const out = text(serializeManifest(sample()));
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.startsWith('{\n  "format": "scelle/1",\n  "driveId": "01J8ZK3V6Q",\n  "createdAt"')).toBe(true);
    expect(Object.keys(JSON.parse(out))).toEqual(['format', 'driveId', 'createdAt', 'payload', 'index', 'keyslots', 'station']);
  });

  it('is deterministic whatever the key order of the object', () => {
    const m = sample();
    const reordered = reverseKeys(m) as Manifest;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(m));
    expect(serializeManifest(reordered)).toEqual(serializeManifest(m));
  });

  it('round-trips through parseManifest', () => {
    const m = sample();
    expect(parseManifest(serializeManifest(m))).toEqual(m);
    const uncertified = { ...m, station: { ...m.station, certificate: null } };
    expect(parseManifest(serializeManifest(uncertified))).toEqual(uncertified);
  });

  it('refuses to write an invalid manifest', () => {
    expect(() => serializeManifest({ ...sample(), driveId: 'has space' })).toThrow(expect.objectContaining({ code: 'E_FORMAT_MANIFEST' }));
  });
});

describe('parseManifest', () => {
  it('ignores unknown fields at any level', () => {
    const raw = JSON.parse(text(serializeManifest(sample())));
    raw.futureField = { x: 1 };
    raw.payload.compression = 'none';
    raw.keyslots[0].hint = 'ignored';
    const parsed = parseManifest(bytesOf(raw));
    expect(parsed).toEqual(sample());
    expect(parsed.keyslots[0]).not.toHaveProperty('hint');
    expect(parsed).not.toHaveProperty('futureField');
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating parsed JSON of any shape
  const broken: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['missing driveId', (m) => delete m.driveId, /driveId/],
    ['driveId with a slash', (m) => (m.driveId = '../x'), /driveId/],
    ['createdAt not UTC', (m) => (m.createdAt = '2025-03-01T14:05:09+01:00'), /createdAt/],
    ['createdAt impossible date', (m) => (m.createdAt = '2025-02-30T00:00:00Z'), /createdAt/],
    ['size as string', (m) => (m.payload.parts[0].size = '12'), /payload\.parts\.0\.size/],
    ['negative size', (m) => (m.index.size = -1), /index\.size/],
    ['fractional part size', (m) => (m.payload.partPlaintextSize = 1.5), /partPlaintextSize/],
    ['no parts', (m) => (m.payload.parts = []), /payload\.parts/],
    ['part outside payload/', (m) => (m.payload.parts[0].file = 'index.scx'), /payload\.parts\.0\.file/],
    ['path traversal', (m) => (m.payload.parts[1].file = 'payload/../../etc/passwd'), /payload\.parts\.1\.file/],
    ['uppercase hash', (m) => (m.index.sha256 = 'AB'.repeat(32)), /index\.sha256/],
    ['other AEAD', (m) => (m.payload.aead = 'AES128_GCM_HKDF_4KB'), /payload\.aead/],
    ['no keyslot', (m) => (m.keyslots = []), /keyslots/],
    ['short wrapped key', (m) => (m.keyslots[0].wrapped = b64(32)), /keyslots\.0\.wrapped/],
    ['unpadded base64', (m) => (m.keyslots[0].nonce = b64(12).replace(/=+$/, '') + 'A'), /keyslots\.0\.nonce/],
    ['weak KDF', (m) => (m.keyslots[0].kdf.t = 1), /keyslots\.0\.kdf\.t/],
    ['station key wrong length', (m) => (m.station.publicKey = b64(31)), /station\.publicKey/],
    ['certificate missing signature', (m) => delete m.station.certificate.signature, /station\.certificate\.signature/],
    ['certificate absent instead of null', (m) => delete m.station.certificate, /station\.certificate/],
    ['duplicate part files', (m) => (m.payload.parts[1].file = m.payload.parts[0].file), /distinct/],
  ];
  for (const [name, mutate, where] of broken) {
    it(`rejects ${name} with E_FORMAT_MANIFEST naming the field`, () => {
      const raw = JSON.parse(text(serializeManifest(sample())));
      mutate(raw);
      const e = parseError(bytesOf(raw));
      expect(e.code).toBe('E_FORMAT_MANIFEST');
      expect(e.message).toMatch(where);
    });
  }

  it('rejects bytes that are not UTF-8 JSON objects', () => {
    expect(parseError(Uint8Array.from([0x7b, 0xff, 0x7d])).message).toMatch(/UTF-8/);
    expect(parseError(new TextEncoder().encode('{"format":')).message).toMatch(/JSON/);
    expect(parseError(new TextEncoder().encode('[1,2]')).message).toMatch(/object/);
    expect(parseError(new TextEncoder().encode('null')).code).toBe('E_FORMAT_MANIFEST');
  });

  it('says E_FORMAT_UNSUPPORTED for another format or an unknown keyslot type', () => {
    const raw = JSON.parse(text(serializeManifest(sample())));
    expect(parseError(bytesOf({ ...raw, format: 'scelle/2' })).code).toBe('E_FORMAT_UNSUPPORTED');
    expect(parseError(bytesOf({ ...raw, keyslots: [...raw.keyslots, { type: 'fido2' }] })).code).toBe('E_FORMAT_UNSUPPORTED');
  });
});

describe('manifest signature', () => {
  const bytes = serializeManifest(sample());
  const signature = signManifest(bytes, station.secretKey);

  it('verifies over the exact bytes with the station key', () => {
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verifyManifestSignature(bytes, signature, station.publicKey)).toBe(true);
    expect(verifyManifestSignature(bytes, signature + '\n', station.publicKey)).toBe(true);
    expect(ed25519.verify(Buffer.from(signature, 'base64'), bytes, station.publicKey)).toBe(true);
  });

  it('fails on any flipped manifest byte', () => {
    for (let i = 0; i < bytes.length; i += 1 + Math.floor(bytes.length / 97)) {
      const tampered = bytes.slice();
      tampered[i] = tampered[i]! ^ 0x01;
      expect(verifyManifestSignature(tampered, signature, station.publicKey)).toBe(false);
    }
    expect(verifyManifestSignature(bytes.slice(0, -1), signature, station.publicKey)).toBe(false);
  });

  it('fails for a forged or malformed signature, or another key', () => {
    const forged = signManifest(bytes, ed25519.utils.randomSecretKey());
    expect(verifyManifestSignature(bytes, forged, station.publicKey)).toBe(false);
    expect(verifyManifestSignature(bytes, signature, root.publicKey)).toBe(false);
    const sig = Buffer.from(signature, 'base64');
    sig[10] = sig[10]! ^ 0x80;
    expect(verifyManifestSignature(bytes, sig.toString('base64'), station.publicKey)).toBe(false);
    expect(verifyManifestSignature(bytes, 'not base64!', station.publicKey)).toBe(false);
    expect(verifyManifestSignature(bytes, signature.slice(0, 40), station.publicKey)).toBe(false);
    expect(verifyManifestSignature(bytes, signature, new Uint8Array(31))).toBe(false);
    expect(verifyManifestSignature(bytes, signature, new Uint8Array(32))).toBe(false);
  });

  it('refuses a secret key of the wrong length', () => {
    expect(() => signManifest(bytes, new Uint8Array(64))).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
  });
});

describe('bounds on what a manifest can make a reader do (E_FORMAT_LIMIT)', () => {
  const slot = () => ({ type: 'unlock-code', kdf: { alg: 'argon2id', m: 65536, t: 3, p: 1, salt: b64(16) }, nonce: b64(12), wrapped: b64(48) });
  const over: [string, (m: ReturnType<typeof JSON.parse>) => void, string, number, number][] = [
    ['17 keyslots', (m) => (m.keyslots = [...Array(16).fill(ESCROW_SLOT), slot()]), 'keyslots', 17, 16],
    ['5 unlock-code keyslots', (m) => (m.keyslots = Array.from({ length: 5 }, slot)), 'unlock-code keyslots', 5, 4],
    ['Argon2id m above 1 GiB', (m) => (m.keyslots[0].kdf.m = 4194304), 'argon2id m', 4194304, 1048576],
    ['Argon2id t above 16', (m) => (m.keyslots[0].kdf.t = 17), 'argon2id t', 17, 16],
    ['Argon2id p above 8', (m) => (m.keyslots[0].kdf.p = 9), 'argon2id p', 9, 8],
    ['100,001 parts', (m) => (m.payload.parts = Array.from({ length: 100_001 }, (_, n) => ({ file: `payload/p${n}`, size: 1, sha256: hex }))), 'parts', 100_001, 100_000],
  ];
  for (const [name, mutate, what, value, max] of over) {
    it(`refuses ${name}, naming the bound`, () => {
      const raw = JSON.parse(text(serializeManifest(sample())));
      mutate(raw);
      const e = parseError(bytesOf(raw));
      expect(e.code).toBe('E_FORMAT_LIMIT');
      expect(e.details).toEqual({ what, value, max });
    });
  }
  it('accepts every bound exactly (16 keyslots, 4 unlock-code slots at the largest KDF)', () => {
    const raw = JSON.parse(text(serializeManifest(sample())));
    const big = () => ({ ...slot(), kdf: { alg: 'argon2id', m: 1048576, t: 16, p: 8, salt: b64(16) } });
    raw.keyslots = [...Array.from({ length: 4 }, big), ...Array(12).fill(ESCROW_SLOT)];
    expect(parseManifest(bytesOf(raw)).keyslots).toHaveLength(16);
  });
});
