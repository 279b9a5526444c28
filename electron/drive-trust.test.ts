import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriveInfo } from '../shared/engine/api.js';
import { eventHash, publicKeyOf } from '../shared/custody/event.js';
import { CustodyStore } from '../shared/custody/journal.js';
import { parseReceipt, serviceKeyIdOf, signServiceObject } from '../shared/custody/receipt.js';
import { testAuthor, testNext, testSecretKey } from '../shared/custody/testing.js';
import { encodeBase64 } from '../shared/format/base64.js';
import { signRevocationList } from '../shared/format/revocation.js';
import { generateSigningKeyPair, issueStationCertificate, stationCertificateSha256 } from '../shared/format/station-cert.js';
import { DriveTrust } from './drive-trust.js';
import { NO_SECRETS, type SettingsStore } from './ports.js';

const root = generateSigningKeyPair();
const station = testAuthor('station', 'mtl-prep-1');
const serviceKey = testSecretKey('custody service');
const cert = issueStationCertificate({
  rootSecretKey: root.secretKey,
  stationId: 'mtl-prep-1',
  stationPublicKey: Buffer.from(station.author.publicKey, 'base64'),
  issuedAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2026-01-31T00:00:00Z'),
});
const info: DriveInfo = {
  driveId: 'GCK86F9V2FQTANES',
  driveDir: '/media/x/SCELLE-GCK86F9V2FQTANES',
  createdAt: '2026-01-15T10:00:00.000Z',
  manifestSha256: 'ab'.repeat(32),
  station: { id: 'mtl-prep-1', publicKey: station.author.publicKey, certified: true, reason: null, certificate: cert },
  parts: 1,
  payloadCiphertextBytes: 1,
  keyslots: [],
};

function settings(serviceKeys: string[]): SettingsStore {
  return {
    get: async () => ({ language: 'fr-CA', custodyUrl: 'https://custody.example.ca', custodyCaPath: null, stationId: null, stationEnrolled: true, customerKeyFile: null }),
    set: async () => {
      throw new Error('not used');
    },
    secrets: async () => ({ ...NO_SECRETS, serviceKeys }),
    setSecrets: async () => undefined,
  };
}

async function journalWithSealed(receivedAt: string | null): Promise<CustodyStore> {
  const store = await CustodyStore.open(mkdtempSync(join(tmpdir(), 'journal-')));
  const sealed = testNext(
    station,
    info.driveId,
    null,
    'sealed',
    {
      manifestSha256: info.manifestSha256,
      files: 1,
      bytes: 1,
      parts: 1,
      customerPublicKey: publicKeyOf(testSecretKey('c')),
      stationCertificateSha256: stationCertificateSha256(cert),
    },
    new Date('2026-01-15T10:00:00Z'),
  );
  await store.append(sealed);
  if (receivedAt)
    await store.recordReceipt(
      parseReceipt(
        signServiceObject({ eventId: sealed.id, eventHash: eventHash(sealed), receivedAt, leafIndex: 0, serviceKeyId: serviceKeyIdOf(publicKeyOf(serviceKey)) }, serviceKey),
      ),
    );
  return store;
}

describe("a drive's origin in the app (DriveTrust)", () => {
  it("is unconfirmed from the manifest alone, genuine with the service's receipt in the journal, expired when the receipt came after the certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-'));
    const roots = [encodeBase64(root.publicKey)];
    const none = await journalWithSealed(null);
    expect(await new DriveTrust(roots, settings([publicKeyOf(serviceKey)]), async () => none, join(dir, 'rev.json')).judge(info)).toMatchObject({
      trust: 'unconfirmed',
      timeSource: 'manifest',
    });
    const onTime = await journalWithSealed('2026-01-15T10:00:03.000Z');
    expect(await new DriveTrust(roots, settings([publicKeyOf(serviceKey)]), async () => onTime, join(dir, 'rev.json')).judge(info)).toMatchObject({
      trust: 'genuine',
      timeSource: 'receipt',
    });
    // A receipt signed by a key that is not the enrolled service's proves nothing.
    expect(await new DriveTrust(roots, settings([publicKeyOf(testSecretKey('other'))]), async () => onTime, join(dir, 'rev.json')).judge(info)).toMatchObject({
      trust: 'unconfirmed',
    });
    const late = await journalWithSealed('2026-03-01T00:00:00.000Z');
    expect(await new DriveTrust(roots, settings([publicKeyOf(serviceKey)]), async () => late, join(dir, 'rev.json')).judge(info)).toMatchObject({
      trust: 'expired',
      timeSource: 'receipt',
    });
  });

  it("caches the service's revocation list, applies it, and never goes back to an older one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-'));
    const store = await journalWithSealed(null);
    const trust = new DriveTrust([encodeBase64(root.publicKey)], settings([]), async () => store, join(dir, 'rev.json'));
    const urls: string[] = [];
    const revoked = signRevocationList(root.secretKey, 5, [{ certificateSha256: stationCertificateSha256(cert), revokedAt: '2026-01-10T00:00:00.000Z', reason: 'key-compromise' }]);
    expect(
      await trust.refresh(async (url) => {
        urls.push(url);
        return JSON.parse(JSON.stringify(revoked)) as unknown;
      }),
    ).toMatchObject({ sequence: 5 });
    expect(urls).toEqual(['https://custody.example.ca/v1/revocations']);
    expect(await trust.judge(info)).toMatchObject({ trust: 'revoked', revocation: { reason: 'key-compromise' } });
    await expect(trust.refresh(async () => signRevocationList(root.secretKey, 4, []))).rejects.toMatchObject({ code: 'E_REVOCATION_LIST', details: { problem: 'rollback' } });
    await expect(trust.refresh(async () => signRevocationList(testSecretKey('not the root'), 9, []))).rejects.toMatchObject({
      code: 'E_REVOCATION_LIST',
      details: { problem: 'unknown-root' },
    });
    expect(await trust.judge(info)).toMatchObject({ trust: 'revoked' });
  });
});
