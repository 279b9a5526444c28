/**
 * The app rotates its custody tokens before they expire: after a successful sync, tokens
 * stored more than 30 days ago are replaced by fresh ones, sealed for the same origin.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../server/testing.js';
import { startE2eCustody, type E2eCustody } from '../test/e2e/custody-service.js';
import { testSecretCipher } from '../test/support/test-secret-cipher.js';
import { HttpCustodyClient, ROTATE_TOKENS_AFTER_MS } from './custody-client.js';
import { JsonSettingsStore } from './settings-store.js';

describe('custody token rotation in the app', () => {
  let custody: E2eCustody;
  let dir: string;
  beforeAll(async () => {
    custody = await startE2eCustody();
    dir = await mkdtemp(join(tmpdir(), 'scelle-rotation-'));
  });
  afterAll(async () => {
    await custody?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates tokens older than 30 days after a sync, keeps younger ones', async () => {
    const token = async (role: string, subject?: string) =>
      String((await call(custody.url, custody.adminToken, 'POST', '/v1/tokens', { role, ...(subject ? { subject } : {}) })).body.token);
    const oldStation = await token('station', 'station-rot');
    const oldSupport = await token('support');
    const settings = new JsonSettingsStore(join(dir, 'settings.json'), testSecretCipher());
    const longAgo = new Date(Date.now() - ROTATE_TOKENS_AFTER_MS - 60_000).toISOString();
    await settings.setSecrets({ stationToken: oldStation, supportToken: oldSupport, serviceKeys: custody.serviceKeys, issuedAt: longAgo }, custody.url);
    await settings.set({ custodyUrl: custody.url, stationEnrolled: true });
    const client = new HttpCustodyClient(settings, join(dir, 'journal'), join(dir, 'station.json'), { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, requestTimeoutMs: 5_000 });
    try {
      await client.sync();
      const after = await settings.secrets();
      expect(after.stationToken).toMatch(/^sct_/);
      expect(after.stationToken).not.toBe(oldStation);
      expect(after.supportToken).not.toBe(oldSupport);
      expect(Date.parse(after.issuedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
      expect((await call(custody.url, after.stationToken, 'GET', '/v1/checkpoint')).status).toBe(200);
      expect((await call(custody.url, after.supportToken, 'GET', '/v1/drives?drive=NONE')).status).toBe(200);
      // young tokens stay
      expect(await client.rotateTokensIfDue()).toBe(false);
      await client.sync();
      expect((await settings.secrets()).stationToken).toBe(after.stationToken);
    } finally {
      await client.close();
    }
  });
});
