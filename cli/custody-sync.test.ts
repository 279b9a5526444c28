/**
 * `scelle custody sync` and `lookup` against the real custody service (server/createServer,
 * SQLite, on 127.0.0.1): a certified station seals, ships and the customer opens; the outbox
 * is pushed, pushed again idempotently, and the drive is found by its tracking number typed
 * with spaces.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPaths } from './config.js';
import { runCli } from '../test/support/run-cli.js';
import { writePublicKeyFile, writeStationKeyFile } from '../shared/format/key-files.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { generateSigningKeyPair, issueStationCertificate } from '../shared/format/station-cert.js';
import { encodeBase64 } from '../shared/custody/event.js';
import { createToken } from '../server/auth/tokens.js';
import { signRevocationList } from '../shared/format/revocation.js';
import { call, startTestService, testEngines, TEST_ROOT_SECRET, TEST_SERVICE_KEY, type TestService } from '../server/testing.js';

const run = (args: string[]) => runCli(args);

/** Seals one small file; returns the drive folder, its id and a file holding the unlock code. */
async function sealSample(base: string): Promise<{ driveDir: string; driveId: string; codeFile: string }> {
  const src = join(base, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'a.txt'), 'bonjour\n');
  const target = join(base, 'target');
  mkdirSync(target, { recursive: true });
  const r = await run(['seal', src, '--to', target, '--no-escrow', '--json']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const res = r.events.find((e) => e['event'] === 'result')!;
  const codeFile = join(base, 'code.txt');
  writeFileSync(codeFile, `${String(res['unlockCode'])}\n`, { mode: 0o600 });
  return { driveDir: String(res['driveDir']), driveId: String(res['driveId']), codeFile };
}

let dir: string;
let savedHome: string | undefined;
let service: TestService | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scelle-cli-sync-'));
  savedHome = process.env['SCELLE_HOME'];
  process.env['SCELLE_HOME'] = join(dir, 'home');
});

afterEach(async () => {
  await service?.stop();
  service = null;
  if (savedHome === undefined) delete process.env['SCELLE_HOME'];
  else process.env['SCELLE_HOME'] = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

describe('scelle custody sync / lookup with the real service', () => {
  it('pushes the outbox, is idempotent, and finds the drive by a tracking number typed with spaces', async () => {
    const sqlite = testEngines().find((e) => e.name === 'sqlite')!;
    const stationId = 'station-qc-test';
    service = await startTestService(sqlite, { customerDrive: 'UNUSED', stationId });
    // a station certified by the service's root, enrolled by an admin
    const pair = generateSigningKeyPair();
    const certificate = issueStationCertificate({ rootSecretKey: TEST_ROOT_SECRET, stationId, stationPublicKey: pair.publicKey, expiresAt: new Date(Date.now() + 86_400_000) });
    mkdirSync(process.env['SCELLE_HOME']!, { recursive: true });
    await writeStationKeyFile(configPaths().stationKey, { id: stationId, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate });
    const enrol = await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/stations', { publicKey: encodeBase64(pair.publicKey), certificate });
    expect(enrol.status).toBe(201);

    const { driveDir, driveId, codeFile } = await sealSample(dir);
    expect((await run(['ship', driveDir, '--carrier', 'ups', '--tracking', '1Z5R89390357567127'])).code).toBe(0);
    expect((await run(['open', driveDir, '--to', join(dir, 'out'), '--code-file', codeFile])).code).toBe(0);

    const stationToken = join(dir, 'station.token');
    const supportToken = join(dir, 'support.token');
    writeFileSync(stationToken, service.tokens.station + '\n', { mode: 0o600 });
    writeFileSync(supportToken, service.tokens.support + '\n', { mode: 0o600 });
    const keyFile = join(dir, 'service-key.json');
    writeFileSync(keyFile, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
    expect((await run(['custody', 'config', '--service', service.baseUrl, '--token-file', stationToken, '--service-key', keyFile])).code).toBe(0);

    // The provider publishes a revocation list; this station pins the root, so a sync caches it.
    const rootPubFile = join(dir, 'provider-root.pub');
    await writePublicKeyFile(rootPubFile, 'root', ed25519.getPublicKey(TEST_ROOT_SECRET));
    expect((await run(['setup', '--root', rootPubFile])).code).toBe(0);
    const list = signRevocationList(TEST_ROOT_SECRET, 3, [{ certificateSha256: 'cd'.repeat(32), revokedAt: '2026-01-01T00:00:00.000Z', reason: 'superseded' }]);
    expect((await call(service.baseUrl, service.tokens.admin, 'PUT', '/v1/revocations', list)).status).toBe(200);

    const sync = await run(['custody', 'sync', '--json']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const res = sync.events.find((e) => e['event'] === 'result')!;
    expect(res).toMatchObject({ stored: 4, duplicate: 0, pending: 0, rejected: [], revocations: 3 });
    expect(JSON.parse(readFileSync(join(process.env['SCELLE_HOME']!, 'revocations.json'), 'utf8'))).toMatchObject({ sequence: 3 });
    expect(sync.stdout).not.toContain(service.tokens.station);
    const human = await run(['custody', 'sync']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Synchronisation : 0 événement stocké, 0 déjà connu, 0 refusé, 0 en attente.');
    expect(human.stdout).toContain('Point de contrôle du service vérifié : 4 événements dans le registre.');

    const show = await run(['custody', 'show', driveId, '--json']);
    const events = show.events.find((e) => e['event'] === 'result')!['events'] as Array<{ sync: string }>;
    expect(events.map((e) => e.sync)).toEqual(['synced', 'synced', 'synced', 'synced']);

    const lookup = await run(['custody', 'lookup', '--tracking', '1Z 5R8 939 03 5756 7127', '--token-file', supportToken, '--json']);
    expect(lookup.code, lookup.stdout + lookup.stderr).toBe(0);
    const drives = lookup.events.find((e) => e['event'] === 'result')!['drives'] as Array<{
      driveId: string;
      events: unknown[];
      localVerification: { ok: boolean };
      serviceStatus: string;
    }>;
    expect(drives).toHaveLength(1);
    expect(drives[0]).toMatchObject({ driveId, serviceStatus: 'ok', localVerification: { ok: true } });
    expect(drives[0]!.events).toHaveLength(4);
  });

  it('token file: refused when group/other-readable (says chmod 600), bound to its service origin, and rotated in place', async () => {
    const sqlite = testEngines().find((e) => e.name === 'sqlite')!;
    service = await startTestService(sqlite, { customerDrive: 'UNUSED', stationId: 'station-qc-test' });
    const tokenFile = join(dir, 'station.token');
    writeFileSync(tokenFile, service.tokens.station + '\n', { mode: 0o600 });
    chmodSync(tokenFile, 0o644);
    const keyFile = join(dir, 'service-key.json');
    writeFileSync(keyFile, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
    const open = await run(['custody', 'config', '--service', service.baseUrl, '--token-file', tokenFile, '--service-key', keyFile, '--lang', 'en']);
    expect(open.code).not.toBe(0);
    expect(open.stderr).toContain(`chmod 600 ${tokenFile}`);
    chmodSync(tokenFile, 0o600);
    expect((await run(['custody', 'config', '--service', service.baseUrl, '--token-file', tokenFile, '--service-key', keyFile])).code).toBe(0);
    chmodSync(tokenFile, 0o640);
    const sync = await run(['custody', 'sync', '--lang', 'en']);
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toContain(`chmod 600 ${tokenFile}`);
    chmodSync(tokenFile, 0o600);

    // rotation: the file holds a new token that works; the file stays private
    const rotated = await run(['custody', 'rotate-token', '--json']);
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    const fresh = readFileSync(tokenFile, 'utf8').trim();
    expect(fresh).toMatch(/^sct_/);
    expect(fresh).not.toBe(service.tokens.station);
    expect(rotated.stdout).not.toContain(fresh);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await call(service.baseUrl, fresh, 'GET', '/v1/checkpoint')).status).toBe(200);

    // token-to-new-URL: another origin never receives the configured token
    const other = await run(['custody', 'sync', '--service', 'http://127.0.0.2:1', '--lang', 'en']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--token-file');
    const moved = await run(['custody', 'config', '--service', 'http://127.0.0.2:1', '--lang', 'en', '--json']);
    expect(moved.code).toBe(0);
    const cfg = moved.events.find((e) => e['event'] === 'result')!['config'] as Record<string, unknown>;
    expect(cfg['tokenFile']).toBeUndefined();
    expect(moved.stdout + moved.stderr).toContain('enrol the station again');
  });
});

describe('a customer machine verifies against the service copy', () => {
  it('merges the station events from the service: the customer-key chain verifies, customer-attested', async () => {
    const sqlite = testEngines().find((e) => e.name === 'sqlite')!;
    const stationId = 'station-qc-cust';
    service = await startTestService(sqlite, { customerDrive: 'UNUSED', stationId });
    const stationHome = process.env['SCELLE_HOME']!;
    const customerHome = join(dir, 'customer-home');
    // the customer makes a key and gives its public part
    process.env['SCELLE_HOME'] = customerHome;
    const kg = await run(['keygen', 'customer', '--json']);
    expect(kg.code, kg.stdout + kg.stderr).toBe(0);
    const customerPub = String(kg.events.find((e) => e['event'] === 'result')!['publicKey']);
    // a certified, enrolled station seals for it and syncs
    process.env['SCELLE_HOME'] = stationHome;
    const pair = generateSigningKeyPair();
    const certificate = issueStationCertificate({ rootSecretKey: TEST_ROOT_SECRET, stationId, stationPublicKey: pair.publicKey, expiresAt: new Date(Date.now() + 86_400_000) });
    mkdirSync(stationHome, { recursive: true });
    await writeStationKeyFile(configPaths().stationKey, { id: stationId, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate });
    expect((await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/stations', { publicKey: encodeBase64(pair.publicKey), certificate })).status).toBe(201);
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'bonjour\n');
    mkdirSync(join(dir, 'target'));
    const sealed = await run(['seal', src, '--to', join(dir, 'target'), '--no-escrow', '--no-unlock-code', '--customer', customerPub, '--json']);
    expect(sealed.code, sealed.stdout + sealed.stderr).toBe(0);
    const res = sealed.events.find((e) => e['event'] === 'result')!;
    const driveDir = String(res['driveDir']);
    const driveId = String(res['driveId']);
    expect((await run(['ship', driveDir, '--carrier', 'ups', '--tracking', '1Z5R89390357567127'])).code).toBe(0);
    const keyFile = join(dir, 'service-key.json');
    writeFileSync(keyFile, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
    const stationToken = join(dir, 'station.token');
    writeFileSync(stationToken, service.tokens.station + '\n', { mode: 0o600 });
    expect((await run(['custody', 'config', '--service', service.baseUrl, '--token-file', stationToken, '--service-key', keyFile])).code).toBe(0);
    expect((await run(['custody', 'sync'])).code).toBe(0);

    // the customer's app pins the provider's root; it opens with their key; offline (no service configured) the chain is "not yet known"
    process.env['SCELLE_HOME'] = customerHome;
    const rootPub = join(dir, 'root.pub');
    await writePublicKeyFile(rootPub, 'root', ed25519.getPublicKey(TEST_ROOT_SECRET));
    expect((await run(['setup', '--root', rootPub])).code).toBe(0);
    expect((await run(['open', driveDir, '--to', join(dir, 'out')])).code).toBe(0);
    const offline = await run(['custody', 'verify', driveDir, '--json']);
    expect(offline.code, offline.stdout + offline.stderr).toBe(0);
    expect(offline.events.find((e) => e['event'] === 'result')).toMatchObject({ providerLineage: 'not-yet-known', service: 'none' });

    // with the customer's token for this drive, verify fetches and merges the service's copy
    const customerToken = join(dir, 'customer.token');
    writeFileSync(customerToken, (await createToken(service.db, 'customer', driveId, 'test customer', new Date())).token + '\n', { mode: 0o600 });
    expect((await run(['custody', 'config', '--service', service.baseUrl, '--token-file', customerToken, '--service-key', keyFile])).code).toBe(0);
    const online = await run(['custody', 'verify', driveDir, '--json']);
    expect(online.code, online.stdout + online.stderr).toBe(0);
    const result = online.events.find((e) => e['event'] === 'result')!;
    expect(result).toMatchObject({ ok: true, status: 'ok', providerLineage: 'present', customerAttestation: 'customer-key', service: 'merged' });
    const events = result['events'] as Array<{ type: string; attestation: string | null }>;
    expect(events.map((e) => [e.type, e.attestation])).toEqual([
      ['sealed', null],
      ['shipped', null],
      ['received', 'customer-key'],
      ['opened', 'customer-key'],
    ]);
    const human = await run(['custody', 'show', driveDir]);
    expect(human.stdout).toContain('attesté par la clé du client');

    // the service is gone: the customer's own copy says "not yet known", never "failing"
    await service.stop();
    service = null;
    const gone = await run(['custody', 'verify', driveDir, '--json']);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect(gone.events.find((e) => e['event'] === 'result')).toMatchObject({ providerLineage: 'not-yet-known', service: 'unreachable' });
  });
});
