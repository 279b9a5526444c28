import { describe, expect, it } from 'vitest';
import { eventHash, publicKeyOf, type SignedEvent } from '../custody/event.js';
import { parseReceipt, signServiceObject } from '../custody/receipt.js';
import { sealedReceiptTime } from '../custody/sealed-receipt.js';
import { serviceKeyIdOf } from '../custody/receipt.js';
import { testAuthor, testNext, testSecretKey } from '../custody/testing.js';
import { encodeBase64 } from './base64.js';
import { newerRevocationList, signRevocationList, verifyRevocationList, type RevokedCertificate } from './revocation.js';
import { generateSigningKeyPair, issueStationCertificate, stationCertificateSha256 } from './station-cert.js';
import { judgeStation, type StationTrustInputs } from './station-trust.js';

const root = generateSigningKeyPair();
const otherRoot = generateSigningKeyPair();
const stationAuthor = testAuthor('station', 'mtl-prep-1');
const stationKey = testSecretKey('station:mtl-prep-1');
const stationPub = publicKeyOf(stationKey);
const JAN_1 = new Date('2026-01-01T00:00:00Z');
const JAN_31 = new Date('2026-01-31T00:00:00Z');
// A short-lived certificate: January 2026.
const cert = issueStationCertificate({
  rootSecretKey: root.secretKey,
  stationId: 'mtl-prep-1',
  stationPublicKey: Buffer.from(stationPub, 'base64'),
  issuedAt: JAN_1,
  expiresAt: JAN_31,
});
const certHash = stationCertificateSha256(cert);

function inputs(over: Partial<StationTrustInputs> = {}): StationTrustInputs {
  return {
    station: { id: 'mtl-prep-1', publicKey: stationPub, certificate: cert },
    createdAt: '2026-01-15T10:00:00.000Z',
    pinnedRoots: [root.publicKey],
    revocations: [],
    sealedReceivedAt: null,
    ...over,
  };
}
const revoked = (revokedAt: string, reason: RevokedCertificate['reason']) => [signRevocationList(root.secretKey, 1, [{ certificateSha256: certHash, revokedAt, reason }])];

describe("a drive's origin (judgeStation)", () => {
  it('is genuine when a receipt shows the drive was sealed while the certificate was valid', () => {
    expect(judgeStation(inputs({ sealedReceivedAt: new Date('2026-01-15T10:00:05Z') }))).toMatchObject({ trust: 'genuine', reason: null, timeSource: 'receipt' });
  });

  it("is only unconfirmed without a receipt, even when the manifest's time fits the certificate", () => {
    expect(judgeStation(inputs())).toMatchObject({ trust: 'unconfirmed', timeSource: 'manifest', judgedAt: '2026-01-15T10:00:00.000Z' });
  });

  it('backdated certificate: a manifest dated inside the validity but received by the service after expiry is expired', () => {
    // The signer chose createdAt; the service's receipt tells when the drive really appeared.
    const j = judgeStation(inputs({ createdAt: '2026-01-20T00:00:00.000Z', sealedReceivedAt: new Date('2026-03-01T09:00:00Z') }));
    expect(j).toMatchObject({ trust: 'expired', reason: 'expired', timeSource: 'receipt', judgedAt: '2026-03-01T09:00:00.000Z' });
  });

  it("is expired when even the manifest's own time falls outside the certificate", () => {
    expect(judgeStation(inputs({ createdAt: '2026-02-10T00:00:00.000Z' }))).toMatchObject({ trust: 'expired', reason: 'expired' });
    expect(judgeStation(inputs({ createdAt: '2025-12-01T00:00:00.000Z' }))).toMatchObject({ trust: 'expired', reason: 'not-yet-valid' });
  });

  it("is local for a station without a certificate, and forged for a certificate that is not the provider's", () => {
    expect(judgeStation(inputs({ station: { id: 'mtl-prep-1', publicKey: stationPub, certificate: null } }))).toMatchObject({ trust: 'local', reason: 'no-certificate' });
    expect(judgeStation(inputs({ pinnedRoots: [otherRoot.publicKey] }))).toMatchObject({ trust: 'forged', reason: 'unknown-root' });
    expect(judgeStation(inputs({ station: { id: 'mtl-prep-1', publicKey: stationPub, certificate: { ...cert, expiresAt: '2030-01-01T00:00:00.000Z' } } }))).toMatchObject({
      trust: 'forged',
      reason: 'bad-signature',
    });
    expect(judgeStation(inputs({ station: { id: 'mtl-prep-1', publicKey: encodeBase64(otherRoot.publicKey), certificate: cert } }))).toMatchObject({
      trust: 'forged',
      reason: 'key-mismatch',
    });
    expect(judgeStation(inputs({ station: { id: 'qc-prep-9', publicKey: stationPub, certificate: cert } }))).toMatchObject({ trust: 'forged', reason: 'id-mismatch' });
  });

  it('is revoked from the revocation on, and for a compromised key whenever the sealing time is not receipt-backed', () => {
    const superseded = revoked('2026-01-20T00:00:00.000Z', 'superseded');
    expect(judgeStation(inputs({ revocations: superseded, sealedReceivedAt: new Date('2026-01-15T10:00:05Z') }))).toMatchObject({ trust: 'genuine' });
    expect(judgeStation(inputs({ revocations: superseded, sealedReceivedAt: new Date('2026-01-25T00:00:00Z') }))).toMatchObject({
      trust: 'revoked',
      reason: 'revoked',
      revocation: { reason: 'superseded' },
    });
    expect(judgeStation(inputs({ revocations: superseded }))).toMatchObject({ trust: 'unconfirmed' });
    const compromised = revoked('2026-01-20T00:00:00.000Z', 'key-compromise');
    // A thief holding the key can date a manifest before the revocation: only a receipt clears it.
    expect(judgeStation(inputs({ revocations: compromised }))).toMatchObject({ trust: 'revoked' });
    expect(judgeStation(inputs({ revocations: compromised, sealedReceivedAt: new Date('2026-01-15T10:00:05Z') }))).toMatchObject({ trust: 'genuine' });
  });
});

describe('revocation lists', () => {
  it('are accepted only from a pinned root, unaltered, and never older than the list held', () => {
    const list = signRevocationList(root.secretKey, 3, [{ certificateSha256: certHash, revokedAt: '2026-01-20T00:00:00.000Z', reason: 'superseded' }]);
    const wire = JSON.parse(JSON.stringify(list)) as unknown;
    expect(verifyRevocationList(wire, [root.publicKey]).revoked).toHaveLength(1);
    expect(() => verifyRevocationList(wire, [otherRoot.publicKey])).toThrow(expect.objectContaining({ code: 'E_REVOCATION_LIST', details: { problem: 'unknown-root' } }));
    expect(() => verifyRevocationList({ ...list, revoked: [] }, [root.publicKey])).toThrow(
      expect.objectContaining({ code: 'E_REVOCATION_LIST', details: { problem: 'bad-signature' } }),
    );
    expect(() => verifyRevocationList({ ...list, extra: 1 }, [root.publicKey])).toThrow(expect.objectContaining({ code: 'E_REVOCATION_LIST', details: { problem: 'malformed' } }));
    const older = signRevocationList(root.secretKey, 2, []);
    expect(() => newerRevocationList(list, older)).toThrow(expect.objectContaining({ code: 'E_REVOCATION_LIST', details: { problem: 'rollback' } }));
    expect(newerRevocationList(older, list)).toBe(list);
  });
});

describe('the trusted time of sealing (sealedReceiptTime)', () => {
  const serviceSecret = testSecretKey('service');
  const servicePub = publicKeyOf(serviceSecret);
  const drive = { driveId: 'GCK86F9V2FQTANES', manifestSha256: 'ab'.repeat(32), stationPublicKey: stationPub };
  const sealed: SignedEvent = testNext(
    stationAuthor,
    drive.driveId,
    null,
    'sealed',
    { manifestSha256: drive.manifestSha256, files: 1, bytes: 1, parts: 1, customerPublicKey: publicKeyOf(testSecretKey('c')), stationCertificateSha256: certHash },
    new Date('2026-01-15T10:00:00Z'),
  );
  const receiptFor = (e: SignedEvent, key = serviceSecret) =>
    parseReceipt(
      signServiceObject({ eventId: e.id, eventHash: eventHash(e), receivedAt: '2026-01-15T10:00:05.000Z', leafIndex: 0, serviceKeyId: serviceKeyIdOf(publicKeyOf(key)) }, key),
    );

  it("is the receive time of a receipt the pinned service signed for this drive's sealed event", () => {
    expect(sealedReceiptTime(sealed, receiptFor(sealed), [servicePub], drive)?.toISOString()).toBe('2026-01-15T10:00:05.000Z');
  });

  it('is unknown for a receipt of another service, of another event, or a sealed event of another manifest', () => {
    expect(sealedReceiptTime(sealed, receiptFor(sealed, testSecretKey('impostor')), [servicePub], drive)).toBeNull();
    const other = testNext(stationAuthor, drive.driveId, sealed, 'verified', { level: 'media', ok: true, problems: 0 }, new Date('2026-01-15T11:00:00Z'));
    expect(sealedReceiptTime(sealed, receiptFor(other), [servicePub], drive)).toBeNull();
    expect(sealedReceiptTime(sealed, receiptFor(sealed), [servicePub], { ...drive, manifestSha256: 'cd'.repeat(32) })).toBeNull();
    expect(sealedReceiptTime(sealed, receiptFor(sealed), [servicePub], { ...drive, stationPublicKey: publicKeyOf(testSecretKey('x')) })).toBeNull();
    expect(sealedReceiptTime({ ...sealed, at: '2026-01-01T00:00:00.000Z' }, receiptFor(sealed), [servicePub], drive)).toBeNull();
  });
});
