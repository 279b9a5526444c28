/**
 * The chain root → issuing key → station (docs/FORMAT.md §7): a station certificate signed by
 * an issuing key verifies only with the issuing certificate the root signed for station
 * certificates, within its constraints, every link valid at the trusted time; a revoked issuing
 * certificate revokes what it signed.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from './base64.js';
import { checkIssuingCertificate, issueIssuingCertificate, issuingCertificateSha256, issuingCertificateSignedBytes } from './issuing-cert.js';
import { signRevocationList } from './revocation.js';
import { generateSigningKeyPair, issueStationCertificate, stationCertificateSha256, verifyStationCertificate } from './station-cert.js';
import { judgeStation, type StationTrustInputs } from './station-trust.js';
import type { IssuingCertificate, StationCertificate } from './station.js';

const root = generateSigningKeyPair();
const otherRoot = generateSigningKeyPair();
const issuingKey = generateSigningKeyPair();
const station = generateSigningKeyPair();
const otherStation = generateSigningKeyPair();
const day = 86_400_000;
const JAN_1 = new Date('2026-01-01T00:00:00.000Z');
const JUL_1 = new Date('2026-07-01T00:00:00.000Z');
// The issuing certificate: the first half of 2026, station certificates of at most 30 days.
const issuing = issueIssuingCertificate({
  rootSecretKey: root.secretKey,
  issuingId: 'custody-2026',
  issuingPublicKey: issuingKey.publicKey,
  issuedAt: JAN_1,
  expiresAt: JUL_1,
  maxStationValidityDays: 30,
});
const MAR_1 = new Date('2026-03-01T00:00:00.000Z');
const MAR_31 = new Date('2026-03-31T00:00:00.000Z');
const stationCert = issueStationCertificate({
  rootSecretKey: issuingKey.secretKey,
  issuingCertificate: issuing,
  stationId: 'mtl-1',
  stationPublicKey: station.publicKey,
  issuedAt: MAR_1,
  expiresAt: MAR_31,
});
const MAR_15 = new Date('2026-03-15T00:00:00.000Z');

/** Signs a station certificate with any key, bypassing issueStationCertificate's checks (a forger's certificate). */
function forge(signer: Uint8Array, fields: Partial<Omit<StationCertificate, 'signature' | 'issuer'>> = {}): StationCertificate {
  const unsigned = {
    version: 1 as const,
    stationId: 'mtl-1',
    publicKey: encodeBase64(station.publicKey),
    issuedAt: MAR_1.toISOString(),
    expiresAt: MAR_31.toISOString() as string | null,
    issuer: encodeBase64(ed25519.getPublicKey(signer)),
    ...fields,
  };
  const { version, stationId, publicKey, issuedAt, expiresAt, issuer } = unsigned;
  const bytes = new TextEncoder().encode(JSON.stringify({ expiresAt, issuedAt, issuer, publicKey, stationId, version }));
  return { ...unsigned, signature: encodeBase64(ed25519.sign(bytes, signer)) };
}

/** An issuing certificate signed by `signer` with any fields (what a careless or hostile root could sign). */
function issuingWith(fields: Partial<Omit<IssuingCertificate, 'signature' | 'issuer'>>, signer: Uint8Array = root.secretKey): IssuingCertificate {
  const unsigned = {
    version: 1 as const,
    usage: 'station-certificates',
    issuingId: 'custody-2026',
    publicKey: encodeBase64(issuingKey.publicKey),
    issuedAt: JAN_1.toISOString(),
    expiresAt: JUL_1.toISOString(),
    maxStationValidityDays: 30,
    issuer: encodeBase64(ed25519.getPublicKey(signer)),
    ...fields,
  };
  return { ...unsigned, signature: encodeBase64(ed25519.sign(issuingCertificateSignedBytes(unsigned), signer)) };
}

const check = (cert: StationCertificate, chain: IssuingCertificate | null, at: Date = MAR_15, roots = [root.publicKey]) =>
  verifyStationCertificate(cert, station.publicKey, roots, at, 'mtl-1', chain);

describe('station certificate chains (root → issuing key → station)', () => {
  it('a good chain verifies at a time inside both validities, and the root signed the issuing certificate over its canonical fields', () => {
    expect(check(stationCert, issuing)).toEqual({ certified: true, reason: null });
    expect(stationCert.issuer).toBe(encodeBase64(issuingKey.publicKey));
    expect(new TextDecoder().decode(issuingCertificateSignedBytes(issuing))).toBe(
      `{"expiresAt":"2026-07-01T00:00:00.000Z","issuedAt":"2026-01-01T00:00:00.000Z","issuer":"${issuing.issuer}","issuingId":"custody-2026",` +
        `"maxStationValidityDays":30,"publicKey":"${issuing.publicKey}","usage":"station-certificates","version":1}`,
    );
  });

  it('without the issuing certificate, a station certificate from an issuing key does not chain to the root', () => {
    expect(check(stationCert, null)).toEqual({ certified: false, reason: 'unknown-root' });
  });

  it('an issuing certificate from a root this machine does not pin, or altered, is refused', () => {
    expect(check(stationCert, issuing, MAR_15, [otherRoot.publicKey])).toEqual({ certified: false, reason: 'unknown-root' });
    expect(check(stationCert, { ...issuing, maxStationValidityDays: 90 })).toEqual({ certified: false, reason: 'bad-signature' });
    expect(check(stationCert, { ...issuing, expiresAt: '2030-01-01T00:00:00.000Z' })).toEqual({ certified: false, reason: 'bad-signature' });
  });

  it('judged after the issuing certificate expired, the chain is refused as issuer-expired, even though the station certificate says nothing of it', () => {
    const shortIssuing = issueIssuingCertificate({
      rootSecretKey: root.secretKey,
      issuingId: 'custody-q1',
      issuingPublicKey: issuingKey.publicKey,
      issuedAt: JAN_1,
      expiresAt: MAR_31,
      maxStationValidityDays: 30,
    });
    const cert = issueStationCertificate({
      rootSecretKey: issuingKey.secretKey,
      issuingCertificate: shortIssuing,
      stationId: 'mtl-1',
      stationPublicKey: station.publicKey,
      issuedAt: MAR_1,
      expiresAt: MAR_31,
    });
    expect(check(cert, shortIssuing, MAR_15)).toEqual({ certified: true, reason: null });
    expect(check(cert, shortIssuing, MAR_31)).toEqual({ certified: false, reason: 'issuer-expired' });
    // A station certificate dated before its issuing key existed is not valid then either.
    expect(check(cert, shortIssuing, new Date('2025-12-31T00:00:00Z'))).toEqual({ certified: false, reason: 'issuer-expired' });
  });

  it('a station certificate that outlives its issuing certificate is refused, and the issuer will not sign one', () => {
    const outliving = forge(issuingKey.secretKey, { issuedAt: '2026-06-20T00:00:00.000Z', expiresAt: '2026-07-10T00:00:00.000Z' });
    expect(check(outliving, issuing, new Date('2026-06-25T00:00:00Z'))).toEqual({ certified: false, reason: 'outlives-issuer' });
    expect(() =>
      issueStationCertificate({
        rootSecretKey: issuingKey.secretKey,
        issuingCertificate: issuing,
        stationId: 'mtl-1',
        stationPublicKey: station.publicKey,
        issuedAt: new Date('2026-06-20T00:00:00Z'),
        expiresAt: new Date('2026-07-10T00:00:00Z'),
      }),
    ).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });

  it('judged after the station certificate expired, the chain is expired; before it was issued, not yet valid', () => {
    expect(check(stationCert, issuing, MAR_31)).toEqual({ certified: false, reason: 'expired' });
    expect(check(stationCert, issuing, new Date('2026-02-15T00:00:00Z'))).toEqual({ certified: false, reason: 'not-yet-valid' });
  });

  it('a station certificate signed by a key that is not the issuing key is refused, even with a genuine issuing certificate', () => {
    // Another station's key signs a certificate and offers the genuine issuing certificate.
    expect(check(forge(otherStation.secretKey), issuing)).toEqual({ certified: false, reason: 'issuer-mismatch' });
    // The root signing a station certificate directly while an issuing certificate is offered: not this chain.
    expect(check(forge(root.secretKey), issuing)).toEqual({ certified: false, reason: 'issuer-mismatch' });
    // The right issuer name, but not its signature.
    expect(check({ ...forge(otherStation.secretKey), issuer: encodeBase64(issuingKey.publicKey) }, issuing)).toEqual({ certified: false, reason: 'bad-signature' });
  });

  it("a station's own certificate offered as the issuing certificate (a station certifying another) is the wrong usage", () => {
    // otherStation holds a genuine direct certificate and signs one for `station`.
    const otherStationCert = issueStationCertificate({
      rootSecretKey: root.secretKey,
      stationId: 'mtl-2',
      stationPublicKey: otherStation.publicKey,
      issuedAt: JAN_1,
      expiresAt: JUL_1,
    });
    const minted = forge(otherStation.secretKey);
    expect(check(minted, otherStationCert as unknown as IssuingCertificate)).toEqual({ certified: false, reason: 'wrong-usage' });
  });

  it('an issuing certificate for another usage, or one that lets station certificates live too long, is refused', () => {
    const otherUsage = issuingWith({ usage: 'code-signing' });
    expect(checkIssuingCertificate(otherUsage, [root.publicKey])).toEqual({ reason: 'wrong-usage' });
    expect(check(stationCert, otherUsage)).toEqual({ certified: false, reason: 'wrong-usage' });
    // The schema bounds maxStationValidityDays to 90: a root cannot make a long-lived station certificate "short-lived".
    expect(check(stationCert, issuingWith({ maxStationValidityDays: 365 }))).toEqual({ certified: false, reason: 'malformed' });
  });

  it('a station certificate beyond the issuing certificate’s constraint (too long, or never expiring) is refused', () => {
    const tooLong = forge(issuingKey.secretKey, { issuedAt: MAR_1.toISOString(), expiresAt: new Date(MAR_1.getTime() + 31 * day).toISOString() });
    expect(check(tooLong, issuing)).toEqual({ certified: false, reason: 'constraint-violated' });
    expect(check(forge(issuingKey.secretKey, { expiresAt: null }), issuing)).toEqual({ certified: false, reason: 'constraint-violated' });
    // Exactly the maximum is fine.
    const exact = forge(issuingKey.secretKey, { issuedAt: MAR_1.toISOString(), expiresAt: new Date(MAR_1.getTime() + 30 * day).toISOString() });
    expect(check(exact, issuing)).toEqual({ certified: true, reason: null });
  });

  it('issueIssuingCertificate refuses a station validity over 90 days and an issuing life over the bound', () => {
    const base = { rootSecretKey: root.secretKey, issuingId: 'x', issuingPublicKey: issuingKey.publicKey, issuedAt: JAN_1, expiresAt: JUL_1 };
    expect(() => issueIssuingCertificate({ ...base, maxStationValidityDays: 91 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => issueIssuingCertificate({ ...base, expiresAt: new Date(JAN_1.getTime() + 1831 * day) })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => issueStationCertificate({ rootSecretKey: root.secretKey, issuingCertificate: issuing, stationId: 'mtl-1', stationPublicKey: station.publicKey })).toThrow(
      expect.objectContaining({ code: 'E_KEY_INVALID' }),
    );
  });
});

describe("a drive's origin through an issuing key (judgeStation)", () => {
  const inputs = (over: Partial<StationTrustInputs> = {}): StationTrustInputs => ({
    station: { id: 'mtl-1', publicKey: encodeBase64(station.publicKey), certificate: stationCert, issuingCertificate: issuing },
    createdAt: MAR_15.toISOString(),
    pinnedRoots: [root.publicKey],
    revocations: [],
    sealedReceivedAt: null,
    ...over,
  });
  const issuingRevoked = (revokedAt: string, reason: 'key-compromise' | 'superseded') => [
    signRevocationList(root.secretKey, 1, [{ certificateSha256: issuingCertificateSha256(issuing), revokedAt, reason }]),
  ];

  it('is genuine with a receipt inside every link’s validity, and expired when the receipt falls after the station certificate', () => {
    expect(judgeStation(inputs({ sealedReceivedAt: new Date('2026-03-15T00:00:05Z') }))).toMatchObject({ trust: 'genuine', reason: null });
    // The manifest says March 15; the service received the sealed event on April 2: the receipt decides.
    expect(judgeStation(inputs({ sealedReceivedAt: new Date('2026-04-02T00:00:00Z') }))).toMatchObject({ trust: 'expired', reason: 'expired', timeSource: 'receipt' });
  });

  it('revoking the issuing certificate revokes the station certificates it signed (from its date; at once for a key compromise without a receipt)', () => {
    expect(judgeStation(inputs({ revocations: issuingRevoked('2026-03-10T00:00:00.000Z', 'superseded') }))).toMatchObject({ trust: 'revoked', reason: 'issuer-revoked' });
    expect(judgeStation(inputs({ revocations: issuingRevoked('2026-03-20T00:00:00.000Z', 'superseded') }))).toMatchObject({ trust: 'unconfirmed', reason: null });
    expect(judgeStation(inputs({ revocations: issuingRevoked('2026-03-20T00:00:00.000Z', 'key-compromise') }))).toMatchObject({ trust: 'revoked', reason: 'issuer-revoked' });
    // A receipt from before a compromise keeps the drive genuine.
    expect(judgeStation(inputs({ revocations: issuingRevoked('2026-03-20T00:00:00.000Z', 'key-compromise'), sealedReceivedAt: new Date('2026-03-15T00:00:05Z') }))).toMatchObject({
      trust: 'genuine',
    });
  });

  it('the station certificate is named by its own hash in a revocation list, as a direct one is', () => {
    const list = [
      signRevocationList(root.secretKey, 1, [{ certificateSha256: stationCertificateSha256(stationCert), revokedAt: '2026-03-01T00:00:00.000Z', reason: 'superseded' }]),
    ];
    expect(judgeStation(inputs({ revocations: list }))).toMatchObject({ trust: 'revoked', reason: 'revoked' });
  });

  it('a chain broken by its constraints is forged, an issuing certificate expired at the trusted time is expired', () => {
    const tooLong = forge(issuingKey.secretKey, { expiresAt: new Date(MAR_1.getTime() + 60 * day).toISOString() });
    expect(judgeStation(inputs({ station: { ...inputs().station, certificate: tooLong } }))).toMatchObject({ trust: 'forged', reason: 'constraint-violated' });
    expect(judgeStation(inputs({ station: { ...inputs().station, issuingCertificate: null } }))).toMatchObject({ trust: 'forged', reason: 'unknown-root' });
    const q1 = issuingWith({ expiresAt: '2026-03-31T00:00:00.000Z' });
    const cert = issueStationCertificate({
      rootSecretKey: issuingKey.secretKey,
      issuingCertificate: q1,
      stationId: 'mtl-1',
      stationPublicKey: station.publicKey,
      issuedAt: MAR_15,
      expiresAt: MAR_31,
    });
    expect(judgeStation(inputs({ station: { ...inputs().station, certificate: cert, issuingCertificate: q1 }, sealedReceivedAt: new Date('2026-03-31T00:00:01Z') }))).toMatchObject(
      { trust: 'expired', reason: 'issuer-expired' },
    );
  });
});
