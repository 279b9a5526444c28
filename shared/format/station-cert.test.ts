import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from './base64.js';
import { certificateSignedBytes, generateEscrowKeyPair, generateSigningKeyPair, issueStationCertificate, verifyStationCertificate } from './station-cert.js';
import type { StationCertificate } from './station.js';

const root = generateSigningKeyPair();
const otherRoot = generateSigningKeyPair();
const station = generateSigningKeyPair();
const issuedAt = new Date('2025-01-01T00:00:00.000Z');
const expiresAt = new Date('2026-01-01T00:00:00.000Z');
const during = new Date('2025-06-01T00:00:00Z');
const cert = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: station.publicKey, issuedAt, expiresAt });

describe('key generation', () => {
  it('makes distinct Ed25519 signing key pairs whose keys work together', () => {
    const other = generateSigningKeyPair();
    expect(station.secretKey).toHaveLength(32);
    expect(ed25519.getPublicKey(station.secretKey)).toEqual(station.publicKey);
    expect(other.secretKey).not.toEqual(station.secretKey);
    const msg = new Uint8Array([1, 2, 3]);
    expect(ed25519.verify(ed25519.sign(msg, station.secretKey), msg, station.publicKey)).toBe(true);
  });

  it('makes X25519 escrow key pairs usable for Diffie-Hellman', () => {
    const a = generateEscrowKeyPair();
    const b = generateEscrowKeyPair();
    expect(x25519.getPublicKey(a.secretKey)).toEqual(a.publicKey);
    expect(x25519.getSharedSecret(a.secretKey, b.publicKey)).toEqual(x25519.getSharedSecret(b.secretKey, a.publicKey));
  });
});

describe('issueStationCertificate', () => {
  it('fills the fields and signs RFC 8785 canonical JSON without the signature', () => {
    expect(cert).toMatchObject({
      version: 1,
      stationId: 'mtl-1',
      publicKey: encodeBase64(station.publicKey),
      issuedAt: '2025-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:00:00.000Z',
      issuer: encodeBase64(root.publicKey),
    });
    const signed = new TextDecoder().decode(certificateSignedBytes(cert));
    // RFC 8785: keys sorted by UTF-16 code units, no white space.
    expect(signed).toBe(
      `{"expiresAt":"2026-01-01T00:00:00.000Z","issuedAt":"2025-01-01T00:00:00.000Z","issuer":"${cert.issuer}",` +
        `"publicKey":"${cert.publicKey}","stationId":"mtl-1","version":1}`,
    );
    expect(ed25519.verify(Buffer.from(cert.signature, 'base64'), new TextEncoder().encode(signed), root.publicKey)).toBe(true);
  });

  it('defaults to issued now and never expiring', () => {
    const before = Date.now();
    const c = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: 's', stationPublicKey: station.publicKey });
    expect(Date.parse(c.issuedAt)).toBeGreaterThanOrEqual(before);
    expect(c.expiresAt).toBeNull();
    expect(verifyStationCertificate(c, station.publicKey, [root.publicKey])).toEqual({ certified: true, reason: null });
  });

  it('refuses bad arguments', () => {
    const base = { rootSecretKey: root.secretKey, stationId: 'mtl-1', stationPublicKey: station.publicKey };
    expect(() => issueStationCertificate({ ...base, rootSecretKey: new Uint8Array(64) })).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
    expect(() => issueStationCertificate({ ...base, stationPublicKey: new Uint8Array(3) })).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
    expect(() => issueStationCertificate({ ...base, stationId: '' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => issueStationCertificate({ ...base, stationId: 'a\nb' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => issueStationCertificate({ ...base, issuedAt, expiresAt: issuedAt })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => issueStationCertificate({ ...base, issuedAt: new Date('nope') })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('verifyStationCertificate', () => {
  const check = (c: StationCertificate | null, opts: { key?: Uint8Array; roots?: Uint8Array[]; now?: Date; id?: string } = {}) =>
    verifyStationCertificate(c, opts.key ?? station.publicKey, opts.roots ?? [otherRoot.publicKey, root.publicKey], opts.now ?? during, opts.id);

  it('certifies a genuine certificate within its validity, with the id when asked', () => {
    expect(check(cert)).toEqual({ certified: true, reason: null });
    expect(check(cert, { id: 'mtl-1' })).toEqual({ certified: true, reason: null });
    expect(check(cert, { now: issuedAt })).toEqual({ certified: true, reason: null });
  });

  it('says no-certificate for null', () => {
    expect(check(null)).toEqual({ certified: false, reason: 'no-certificate' });
  });

  it('says unknown-root for a certificate from a root that is not pinned', () => {
    const rogue = issueStationCertificate({ rootSecretKey: generateSigningKeyPair().secretKey, stationId: 'mtl-1', stationPublicKey: station.publicKey, issuedAt });
    expect(check(rogue)).toEqual({ certified: false, reason: 'unknown-root' });
    expect(check(cert, { roots: [otherRoot.publicKey] })).toEqual({ certified: false, reason: 'unknown-root' });
    expect(check(cert, { roots: [] })).toEqual({ certified: false, reason: 'unknown-root' });
  });

  it('says bad-signature for a forged or altered certificate', () => {
    const forgedIssuer = issueStationCertificate({ rootSecretKey: otherRoot.secretKey, stationId: 'mtl-1', stationPublicKey: station.publicKey, issuedAt });
    expect(check({ ...forgedIssuer, issuer: cert.issuer })).toEqual({ certified: false, reason: 'bad-signature' });
    expect(check({ ...cert, expiresAt: '2099-01-01T00:00:00.000Z' })).toEqual({ certified: false, reason: 'bad-signature' });
    expect(check({ ...cert, stationId: 'mtl-2' })).toEqual({ certified: false, reason: 'bad-signature' });
    const other = generateSigningKeyPair();
    expect(check({ ...cert, publicKey: encodeBase64(other.publicKey) }, { key: other.publicKey })).toEqual({ certified: false, reason: 'bad-signature' });
  });

  it('says key-mismatch for a genuine certificate of another station key', () => {
    expect(check(cert, { key: generateSigningKeyPair().publicKey })).toEqual({ certified: false, reason: 'key-mismatch' });
    expect(check(cert, { key: new Uint8Array(5) })).toEqual({ certified: false, reason: 'key-mismatch' });
  });

  it('says id-mismatch when another station id is expected', () => {
    expect(check(cert, { id: 'qc-2' })).toEqual({ certified: false, reason: 'id-mismatch' });
  });

  it('says expired at and after expiresAt, and not-yet-valid well before issuedAt', () => {
    expect(check(cert, { now: expiresAt })).toEqual({ certified: false, reason: 'expired' });
    expect(check(cert, { now: new Date('2030-01-01T00:00:00Z') })).toEqual({ certified: false, reason: 'expired' });
    expect(check(cert, { now: new Date('2024-12-31T23:55:00Z') })).toEqual({ certified: true, reason: null }); // clock skew
    expect(check(cert, { now: new Date('2024-12-31T23:00:00Z') })).toEqual({ certified: false, reason: 'not-yet-valid' });
    expect(check(cert, { now: new Date('garbage') })).toEqual({ certified: false, reason: 'expired' });
  });

  it('says malformed for a certificate with missing or mistyped fields', () => {
    const broken = [
      { ...cert, version: 2 },
      { ...cert, signature: cert.signature.slice(8) },
      { ...cert, issuer: 'not base64' },
      { ...cert, issuedAt: '2025-01-01' },
      (({ signature: _s, ...rest }) => rest)(cert),
    ];
    for (const c of broken) expect(check(c as unknown as StationCertificate)).toEqual({ certified: false, reason: 'malformed' });
  });
});
