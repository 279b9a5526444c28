/**
 * Sealing with a short-lived station certificate: the manifest carries the chain (station
 * certificate + issuing certificate) and readers verify it to the pinned root; a station whose
 * certificate (or issuing certificate) has expired is refused before anything is written.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeKeys, tempDir, writeTree } from '../../../test/support/engine-fixtures.js';
import { issueIssuingCertificate } from '../../format/issuing-cert.js';
import { generateSigningKeyPair, issueStationCertificate, stationCertificateSha256 } from '../../format/station-cert.js';
import { loadDrive } from '../drive.js';
import { seal, verify } from '../index.js';
import { requireUnexpiredCertificate } from './certificate-validity.js';

const day = 86_400_000;

function chainedStation(stationValidMs: [number, number], issuingValidMs: [number, number]) {
  const { root, station } = makeKeys('mtl-short-1');
  const issuingKey = generateSigningKeyPair();
  const now = Date.now();
  const issuing = issueIssuingCertificate({
    rootSecretKey: root.secretKey,
    issuingId: 'custody-test',
    issuingPublicKey: issuingKey.publicKey,
    issuedAt: new Date(now + issuingValidMs[0]),
    expiresAt: new Date(now + issuingValidMs[1]),
    maxStationValidityDays: 30,
  });
  const certificate = issueStationCertificate({
    rootSecretKey: issuingKey.secretKey,
    issuingCertificate: issuing,
    stationId: station.id,
    stationPublicKey: station.publicKey,
    issuedAt: new Date(now + stationValidMs[0]),
    expiresAt: new Date(now + stationValidMs[1]),
  });
  return { root, station: { ...station, certificate, issuingCertificate: issuing } };
}

const sealTo = async (station: ReturnType<typeof chainedStation>['station']) => {
  const src = tempDir();
  writeTree(src, { 'a.txt': 'hello' });
  const target = tempDir();
  const run = seal(
    { sources: [join(src, 'a.txt')], target, station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: makeKeys().escrow.publicKey }] } },
    { sinkMode: 'inline' },
  );
  return { target, run };
};

describe('sealing with a certificate from an issuing key', () => {
  it('writes the issuing certificate into the manifest, and the drive is certified by the pinned root', async () => {
    const { root, station } = chainedStation([-day, 29 * day], [-10 * day, 300 * day]);
    const { run } = await sealTo(station);
    const result = await run;
    const drive = loadDrive(result.driveDir, [root.publicKey]);
    expect(drive.manifest.station.issuingCertificate).toEqual(station.issuingCertificate);
    // The sealed event names the certificate this seal wrote, not whatever the station holds later.
    expect(result.stationCertificateSha256).toBe(stationCertificateSha256(drive.manifest.station.certificate));
    expect(drive.info.station).toMatchObject({ certified: true, reason: null });
    // Without the issuing certificate's root pinned, the chain does not verify.
    expect(loadDrive(result.driveDir, [generateSigningKeyPair().publicKey]).info.station).toMatchObject({ certified: false, reason: 'unknown-root' });
    expect((await verify({ driveDir: result.driveDir, pinnedRoots: [root.publicKey] })).station.certified).toBe(true);
  });

  it('refuses to seal with an expired station certificate, before writing anything', async () => {
    const { station } = chainedStation([-31 * day, -day], [-100 * day, 300 * day]);
    const { target, run } = await sealTo(station);
    await expect(run).rejects.toMatchObject({ code: 'E_STATION_CERTIFICATE_EXPIRED', details: { stationId: 'mtl-short-1', expiresAt: station.certificate.expiresAt } });
    expect(readdirSync(target)).toEqual([]);
  });

  it('a direct certificate without expiry, or a local station, may seal; an expired issuing certificate is refused too', () => {
    const { station } = makeKeys();
    expect(() => requireUnexpiredCertificate(station)).not.toThrow();
    expect(() => requireUnexpiredCertificate({ ...station, certificate: null })).not.toThrow();
    const chained = chainedStation([-day, 9 * day], [-10 * day, 10 * day]).station;
    expect(() => requireUnexpiredCertificate(chained, new Date(Date.now() + 5 * day))).not.toThrow();
    // A station certificate claiming a later expiry than its issuing certificate: the earlier date decides.
    const claimsLater = { ...chained, certificate: { ...chained.certificate, expiresAt: new Date(Date.now() + 20 * day).toISOString() } };
    expect(() => requireUnexpiredCertificate(claimsLater, new Date(Date.now() + 11 * day))).toThrow(
      expect.objectContaining({ code: 'E_STATION_CERTIFICATE_EXPIRED', details: expect.objectContaining({ expiresAt: chained.issuingCertificate.expiresAt }) }),
    );
  });
});
