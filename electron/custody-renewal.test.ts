/**
 * The app's station certificate is short-lived and renewed on its sync: an enrolment file whose
 * certificate the custody service issued (with its issuing certificate) is imported and checked
 * against the pinned root; a sync renews the certificate once it is in its last third, stores
 * the new one with its issuing certificate, and leaves a fresh one alone. Real service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, TEST_ISSUING_SECRET } from '../server/testing.js';
import { issueStationCertificate, verifyStationCertificate } from '../shared/format/station-cert.js';
import { decodeBase64 } from '../shared/format/base64.js';
import { E2E_ROOT_PUBLIC, startE2eCustody, type E2eCustody } from '../test/e2e/custody-service.js';
import { testSecretCipher } from '../test/support/test-secret-cipher.js';
import { HttpCustodyClient } from './custody-client.js';
import { importEnrolment } from './enrolment.js';
import { JsonSettingsStore } from './settings-store.js';
import { loadOrCreateStation, loadStationIdentity, saveStationIdentity } from './station.js';

const day = 86_400_000;

describe('station certificate renewal in the app', () => {
  let custody: E2eCustody;
  let dir: string;
  beforeAll(async () => {
    custody = await startE2eCustody();
    dir = await mkdtemp(join(tmpdir(), 'scelle-app-renewal-'));
  });
  afterAll(async () => {
    await custody?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a service-issued certificate with its chain, and renews it on a sync once it is due', async () => {
    const stationKeyFile = join(dir, 'station.json');
    await loadOrCreateStation(stationKeyFile, 'station-app-renew');
    const settings = new JsonSettingsStore(join(dir, 'settings.json'), testSecretCipher());
    const file = await custody.issueEnrolment(stationKeyFile, dir, { shortLived: true });
    await importEnrolment(file, { settings, stationKeyFile, pinnedRoots: [E2E_ROOT_PUBLIC], dataDir: dir });
    const enrolled = await loadStationIdentity(stationKeyFile);
    enrolled.secretKey.fill(0);
    expect(enrolled.issuingCertificate).toMatchObject({ usage: 'station-certificates' });
    expect(Date.parse(enrolled.certificate!.expiresAt!) - Date.parse(enrolled.certificate!.issuedAt)).toBe(30 * day);

    const client = new HttpCustodyClient(settings, join(dir, 'journal'), stationKeyFile, { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, requestTimeoutMs: 5_000 }, [
      E2E_ROOT_PUBLIC,
    ]);
    try {
      // Fresh: a sync leaves it alone.
      await client.sync();
      expect((await loadStationIdentity(stationKeyFile)).certificate).toEqual(enrolled.certificate);

      // The certificate the station holds was issued 25 days ago for 30 days: in its last third.
      const station = await loadStationIdentity(stationKeyFile);
      const issuing = custody.server.ctx.issuing!;
      const old = issueStationCertificate({
        rootSecretKey: TEST_ISSUING_SECRET,
        issuingCertificate: issuing.certificate,
        stationId: station.id,
        stationPublicKey: station.publicKey,
        issuedAt: new Date(Date.now() - 25 * day),
        expiresAt: new Date(Date.now() + 5 * day),
      });
      await saveStationIdentity(stationKeyFile, { ...station, certificate: old, issuingCertificate: issuing.certificate });
      await client.sync();
      const renewed = await loadStationIdentity(stationKeyFile);
      expect(Date.parse(renewed.certificate!.expiresAt!)).toBeGreaterThan(Date.now() + 29 * day);
      expect(renewed.issuingCertificate).toEqual(issuing.certificate);
      const roots = [decodeBase64(E2E_ROOT_PUBLIC, 32)!];
      expect(verifyStationCertificate(renewed.certificate, renewed.publicKey, roots, new Date(), renewed.id, renewed.issuingCertificate)).toEqual({
        certified: true,
        reason: null,
      });
      renewed.secretKey.fill(0);
      const audit = (await call(custody.url, custody.adminToken, 'GET', '/v1/audit')).body.entries as { action: string }[];
      expect(audit.filter((a) => a.action === 'stations.renew')).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
