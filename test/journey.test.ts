/**
 * The whole journey of a drive against the real custody service, on every database engine
 * (SQLite, and PostgreSQL when SCELLE_TEST_DATABASE_URL is set — required in CI):
 * a certified station seals, verifies, ships and syncs; the drive travels; the customer's
 * machine receives, opens and erases it while OFFLINE, and syncs only at the end; support
 * then looks the drive up by its tracking number typed with spaces and dashes and sees the
 * whole timeline, verified.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configPaths } from '../cli/config.js';
import { runCli } from './support/run-cli.js';
import { writeStationKeyFile } from '../shared/format/key-files.js';
import { generateSigningKeyPair, issueStationCertificate } from '../shared/format/station-cert.js';
import { encodeBase64 } from '../shared/custody/event.js';
import { call, startTestService, testEngines, TEST_ROOT_SECRET, TEST_SERVICE_KEY, type TestService } from '../server/testing.js';

interface Run {
  code: number;
  result: Record<string, unknown> | undefined;
  out: string;
}

/** Runs the CLI with --json as the machine whose configuration folder is `home`. */
async function as(home: string, args: string[]): Promise<Run> {
  const r = await runCli([...args, '--json'], home);
  return { code: r.code, result: r.events.find((x) => x['event'] === 'result'), out: r.stdout + r.stderr };
}

let dir = '';
let service: TestService | null = null;
afterEach(async () => {
  await service?.stop();
  service = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const engine of testEngines()) {
  if (engine.skipReason) console.warn(`custody journey on ${engine.name}: SKIPPED — ${engine.skipReason}`);
  (engine.skipReason ? describe.skip : describe)(`full custody journey (${engine.name})`, () => {
    it('seal → verify → ship → (offline customer) received → opened → erased → sync → lookup by tracking number', async () => {
      dir = mkdtempSync(join(tmpdir(), 'scelle-journey-'));
      const station = join(dir, 'station-home');
      const customer = join(dir, 'customer-home');
      const stationId = 'mtl-prep-7';
      service = await startTestService(engine, { customerDrive: 'NONE', stationId });
      const serviceKey = join(dir, 'service-key.json');
      writeFileSync(serviceKey, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
      const token = (name: string, value: string) => {
        const f = join(dir, name);
        writeFileSync(f, value + '\n', { mode: 0o600 });
        return f;
      };

      // The provider certifies and enrols the station.
      const pair = generateSigningKeyPair();
      const certificate = issueStationCertificate({ rootSecretKey: TEST_ROOT_SECRET, stationId, stationPublicKey: pair.publicKey, expiresAt: new Date(Date.now() + 86_400_000) });
      mkdirSync(station, { recursive: true });
      await writeStationKeyFile(configPaths(station).stationKey, { id: stationId, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate });
      expect((await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/stations', { publicKey: encodeBase64(pair.publicKey), certificate })).status).toBe(201);

      // Technician: seal, verify, ship, sync.
      const src = join(dir, 'donnees-client');
      mkdirSync(src);
      writeFileSync(join(src, 'facture.pdf'), 'contenu de la facture');
      const drive = join(dir, 'disque');
      mkdirSync(drive);
      const sealed = await as(station, ['seal', src, '--to', drive, '--no-escrow']);
      expect(sealed.code, sealed.out).toBe(0);
      const driveId = String(sealed.result!['driveId']);
      const codeFile = token('code.txt', String(sealed.result!['unlockCode']));
      expect((await as(station, ['verify', drive])).code).toBe(0);
      expect((await as(station, ['ship', drive, '--tracking', '1z5r89390357567127'])).code).toBe(0);
      expect(
        (await as(station, ['custody', 'config', '--service', service.baseUrl, '--token-file', token('station.token', service.tokens.station), '--service-key', serviceKey])).code,
      ).toBe(0);
      const stationSync = await as(station, ['custody', 'sync']);
      expect(stationSync.code, stationSync.out).toBe(0);
      expect(stationSync.result).toMatchObject({ stored: 3, pending: 0 });

      // Customer, offline: receives (verifies with the code), opens, erases. No sync yet.
      const restored = join(dir, 'restaure');
      expect((await as(customer, ['verify', drive, '--code-file', codeFile])).code).toBe(0);
      expect((await as(customer, ['open', drive, '--to', restored, '--code-file', codeFile])).code).toBe(0);
      expect(existsSync(join(restored, 'donnees-client', 'facture.pdf'))).toBe(true);
      const erased = await as(customer, ['erase', drive, '--yes', '--code-file', codeFile]);
      expect(erased.code, erased.out).toBe(0);
      const show = await as(customer, ['custody', 'show', driveId]);
      expect((show.result!['events'] as { type: string; sync: string }[]).map((e) => `${e.type}:${e.sync}`)).toEqual(['received:pending', 'opened:pending', 'erased:pending']);

      // Back online at the end: the provider issues the customer a token for this drive only.
      const issued = await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/tokens', { role: 'customer', subject: driveId, label: 'client' });
      expect(issued.status).toBe(201);
      expect(
        (await as(customer, ['custody', 'config', '--service', service.baseUrl, '--token-file', token('customer.token', String(issued.body.token)), '--service-key', serviceKey]))
          .code,
      ).toBe(0);
      const customerSync = await as(customer, ['custody', 'sync']);
      expect(customerSync.code, customerSync.out).toBe(0);
      expect(customerSync.result).toMatchObject({ stored: 3, pending: 0 });

      // Support finds it by the tracking number as a person would type it.
      const found = await as(station, ['custody', 'lookup', '--tracking', '1Z 5R8 939-03 5756 7127', '--token-file', token('support.token', service.tokens.support)]);
      expect(found.code, found.out).toBe(0);
      const drives = found.result!['drives'] as { driveId: string; serviceStatus: string; events: { type: string }[] }[];
      expect(drives).toHaveLength(1);
      expect(drives[0]!.driveId).toBe(driveId);
      expect(drives[0]!.serviceStatus).toBe('ok');
      expect(drives[0]!.events.map((e) => e.type).sort()).toEqual(['erased', 'opened', 'received', 'sealed', 'shipped', 'verified']);
    });
  });
}
