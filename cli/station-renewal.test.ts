/**
 * Short-lived station certificates on the command line, against the real custody service
 * (server/createServer, SQLite, on 127.0.0.1, with an issuing key): `scelle station renew`
 * replaces the certificate in the station key file by one the service's issuing key signed,
 * which sealed drives carry and `verify` chains to the pinned root; `scelle custody sync` renews
 * by itself once the certificate is in its last third, and only then; a seal with an expired
 * certificate is refused until a sync renews it; a revoked station is refused and keeps its
 * certificate, and the sync still succeeds with a warning.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBase64 } from '../shared/custody/event.js';
import { readStationKeyFile, writePublicKeyFile, writeStationKeyFile } from '../shared/format/key-files.js';
import { generateSigningKeyPair, issueStationCertificate } from '../shared/format/station-cert.js';
import { signRevocationList } from '../shared/format/revocation.js';
import { call, startTestService, testEngines, TEST_ROOT_SECRET, TEST_SERVICE_KEY, type TestService } from '../server/testing.js';
import { runCli } from '../test/support/run-cli.js';
import { configPaths } from './config.js';

const day = 86_400_000;
const stationId = 'station-qc-renew';
let dir: string;
let savedHome: string | undefined;
let service: TestService | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scelle-cli-renew-'));
  savedHome = process.env['SCELLE_HOME'];
  process.env['SCELLE_HOME'] = join(dir, 'home');
  mkdirSync(process.env['SCELLE_HOME'], { recursive: true });
});

afterEach(async () => {
  await service?.stop();
  service = null;
  if (savedHome === undefined) delete process.env['SCELLE_HOME'];
  else process.env['SCELLE_HOME'] = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A station enrolled on a fresh service with a root-signed certificate issued `ageDays` ago for
 * `lifeDays` days; this machine pins the root and is configured with the station's token.
 */
async function enrolledStation(ageDays: number, lifeDays: number): Promise<{ pair: ReturnType<typeof generateSigningKeyPair> }> {
  service = await startTestService(
    testEngines().find((e) => e.name === 'sqlite')!,
    { customerDrive: 'UNUSED', stationId },
  );
  const pair = generateSigningKeyPair();
  const issuedAt = new Date(Date.now() - ageDays * day);
  const certificate = issueStationCertificate({
    rootSecretKey: TEST_ROOT_SECRET,
    stationId,
    stationPublicKey: pair.publicKey,
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + lifeDays * day),
  });
  await writeStationKeyFile(configPaths().stationKey, { id: stationId, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate });
  // The service enrolled the key while a certificate was valid (an expired one cannot be enrolled).
  const enrolled =
    Date.parse(certificate.expiresAt!) > Date.now() ? certificate : issueStationCertificate({ rootSecretKey: TEST_ROOT_SECRET, stationId, stationPublicKey: pair.publicKey });
  expect((await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/stations', { publicKey: encodeBase64(pair.publicKey), certificate: enrolled })).status).toBe(201);
  const rootPub = join(dir, 'root.pub');
  await writePublicKeyFile(rootPub, 'root', ed25519.getPublicKey(TEST_ROOT_SECRET));
  expect((await runCli(['setup', '--root', rootPub])).code).toBe(0);
  const token = join(dir, 'station.token');
  writeFileSync(token, `${service.tokens.station}\n`, { mode: 0o600 });
  const serviceKey = join(dir, 'service-key.json');
  writeFileSync(serviceKey, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
  expect((await runCli(['custody', 'config', '--service', service.baseUrl, '--token-file', token, '--service-key', serviceKey])).code).toBe(0);
  return { pair };
}

const resultOf = (r: Awaited<ReturnType<typeof runCli>>) => r.events.find((e) => e['event'] === 'result' || e['event'] === 'error')!;

async function sealSample(): Promise<Awaited<ReturnType<typeof runCli>>> {
  const src = join(dir, `src-${Math.random().toString(16).slice(2)}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'a.txt'), 'bonjour\n');
  const target = join(dir, `target-${Math.random().toString(16).slice(2)}`);
  mkdirSync(target, { recursive: true });
  return runCli(['seal', src, '--to', target, '--no-escrow', '--json']);
}

describe('scelle station renew and custody sync with the real service', () => {
  it('renews into a short-lived certificate from the issuing key; sealed drives carry the chain and verify as certified', async () => {
    await enrolledStation(1, 730);
    const renew = await runCli(['station', 'renew', '--json']);
    expect(renew.code, renew.stdout + renew.stderr).toBe(0);
    const res = resultOf(renew);
    expect(res).toMatchObject({ command: 'station renew', stationId, certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Date.parse(String(res['expiresAt'])) - Date.now()).toBeGreaterThan(29 * day);
    expect(Date.parse(String(res['expiresAt'])) - Date.now()).toBeLessThanOrEqual(30 * day);
    const station = await readStationKeyFile(configPaths().stationKey);
    expect(station.certificate?.expiresAt).toBe(res['expiresAt']);
    expect(station.issuingCertificate).toMatchObject({ usage: 'station-certificates', issuingId: 'test-issuing' });
    expect(station.certificate?.issuer).toBe(station.issuingCertificate?.publicKey);

    const sealed = await sealSample();
    expect(sealed.code, sealed.stdout + sealed.stderr).toBe(0);
    const driveDir = String(resultOf(sealed)['driveDir']);
    const manifest = JSON.parse(readFileSync(join(driveDir, 'manifest.json'), 'utf8')) as { station: { issuingCertificate?: unknown } };
    expect(manifest.station.issuingCertificate).toEqual(station.issuingCertificate);
    const verify = await runCli(['verify', driveDir, '--json']);
    expect(resultOf(verify)).toMatchObject({ ok: true, station: { certified: true }, trust: { trust: 'unconfirmed' } });

    // --days asks for less; more than the format's bound is refused before anything is sent.
    expect(resultOf(await runCli(['station', 'renew', '--days', '91', '--json']))).toMatchObject({ event: 'error', code: 'E_USAGE' });
    const short = resultOf(await runCli(['station', 'renew', '--days', '7', '--json']));
    expect(Date.parse(String(short['expiresAt'])) - Date.now()).toBeLessThanOrEqual(7 * day);

    // The provider revokes the issuing certificate (as of yesterday): the drive's verdict is revoked, naming the issuing key.
    const issuingSha256 = service!.server.ctx.issuing!.certificateSha256;
    const list = signRevocationList(TEST_ROOT_SECRET, 1, [{ certificateSha256: issuingSha256, revokedAt: new Date(Date.now() - day).toISOString(), reason: 'superseded' }]);
    expect((await call(service!.baseUrl, service!.tokens.admin, 'PUT', '/v1/revocations', list)).status).toBe(200);
    expect((await runCli(['setup', '--revocations', `${service!.baseUrl}/v1/revocations`])).code).toBe(0);
    expect(resultOf(await runCli(['verify', driveDir, '--json']))).toMatchObject({ trust: { trust: 'revoked', reason: 'issuer-revoked' } });
    expect((await runCli(['verify', driveDir])).stderr).toMatch(/révoqué la clé émettrice qui a certifié le poste station-qc-renew/);
    expect((await runCli(['verify', driveDir, '--lang', 'en'])).stderr).toMatch(/revoked the issuing key that certified station station-qc-renew/);
    // And the service no longer renews with a revoked issuing certificate, and says so at once.
    expect(resultOf(await runCli(['station', 'renew', '--json']))).toMatchObject({ event: 'error', code: 'E_STATION_RENEWAL', details: { problem: 'issuing-revoked' } });
  });

  it('custody sync renews only once the certificate is in its last third, and a seal with an expired certificate is refused until then', async () => {
    // 30-day certificate issued 31 days ago: expired.
    await enrolledStation(31, 30);
    const before = (await readStationKeyFile(configPaths().stationKey)).certificate;
    const refused = await sealSample();
    expect(resultOf(refused)).toMatchObject({ event: 'error', code: 'E_STATION_CERTIFICATE_EXPIRED', details: { stationId, expiresAt: before?.expiresAt } });
    expect(refused.code).toBe(1);

    const sync = await runCli(['custody', 'sync', '--json']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const renewed = resultOf(sync)['certificateRenewed'];
    expect(Date.parse(String(renewed))).toBeGreaterThan(Date.now() + 29 * day);
    expect((await sealSample()).code).toBe(0);

    // A fresh 30-day certificate is not due: the next sync leaves it alone.
    const again = await runCli(['custody', 'sync', '--json']);
    expect(resultOf(again)).toMatchObject({ certificateRenewed: null });
    expect((await readStationKeyFile(configPaths().stationKey)).certificate?.expiresAt).toBe(renewed);
  });

  it('a direct certificate with most of its life left is not renewed by a sync', async () => {
    await enrolledStation(10, 30);
    const before = (await readStationKeyFile(configPaths().stationKey)).certificate;
    expect(resultOf(await runCli(['custody', 'sync', '--json']))).toMatchObject({ certificateRenewed: null });
    expect((await readStationKeyFile(configPaths().stationKey)).certificate).toEqual(before);
  });

  it('a revoked station is refused: renew fails and keeps the certificate, sync succeeds with a warning', async () => {
    await enrolledStation(25, 30);
    const before = await readStationKeyFile(configPaths().stationKey);
    expect((await call(service!.baseUrl, service!.tokens.admin, 'POST', `/v1/stations/${stationId}/revoke`, { reason: 'stolen' })).status).toBe(200);
    const renew = await runCli(['station', 'renew', '--json']);
    expect(resultOf(renew)).toMatchObject({ event: 'error', code: 'E_STATION_RENEWAL', details: { problem: 'station-revoked' } });
    expect(renew.code).toBe(1);
    const fr = await runCli(['station', 'renew']);
    expect(fr.stderr).toMatch(/n’a pas renouvelé le certificat du poste \(station-revoked\)/);
    const en = await runCli(['station', 'renew', '--lang', 'en']);
    expect(en.stderr).toMatch(/did not renew the station's certificate \(station-revoked\)/);

    const sync = await runCli(['custody', 'sync', '--json']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.events).toContainEqual(expect.objectContaining({ event: 'warning', code: 'certificate-not-renewed' }));
    expect(resultOf(sync)).toMatchObject({ certificateRenewed: null });
    expect(await readStationKeyFile(configPaths().stationKey)).toEqual(before);
  });
});
