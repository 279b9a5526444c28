// `scelle verify` says what a drive's origin is worth: unconfirmed offline, genuine once this
// machine holds the service's receipt of the `sealed` event, revoked once the provider's signed
// revocation list names the certificate; a replayed older list is refused. Built bin, real files.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bytes, tempDir, writeTree } from '../test/support/engine-fixtures.js';
import { eventHash, publicKeyOf } from '../shared/custody/event.js';
import { parseReceipt, serviceKeyIdOf, signServiceObject } from '../shared/custody/receipt.js';
import { testSecretKey } from '../shared/custody/testing.js';
import { withCustodyStore } from './custody.js';

const bin = fileURLToPath(new URL('../bin/scelle.js', import.meta.url));
const run = (args: string[], home: string): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCELLE_HOME: home, SCELLE_LANG: '' }, timeout: 120_000 });
function runAsync(args: string[], home: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, SCELLE_HOME: home, SCELLE_LANG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
function resultOf(r: Pick<SpawnSyncReturns<string>, 'stdout' | 'stderr'>): Record<string, unknown> {
  const ev = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((e) => e.event === 'result' || e.event === 'error');
  if (!ev) throw new Error(`no result in: ${r.stdout}\n${r.stderr}`);
  return ev;
}

describe("scelle verify judges the drive's origin", () => {
  it("unconfirmed offline, genuine with the service's receipt, revoked by the provider's list; an older list is refused", async () => {
    const admin = tempDir();
    const home = tempDir();
    expect(run(['keygen', 'root', '--out', join(admin, 'root.key')], admin).status).toBe(0);
    expect(run(['keygen', 'station', '--id', 'mtl-prep-1', '--out', join(admin, 'station.key')], admin).status).toBe(0);
    const certified = resultOf(
      run(
        [
          'certify',
          '--root-key',
          join(admin, 'root.key'),
          '--station-pub',
          join(admin, 'station.key.pub'),
          '--id',
          'mtl-prep-1',
          '--out',
          join(admin, 'cert.json'),
          '--days',
          '30',
          '--json',
        ],
        admin,
      ),
    );
    expect(certified.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(
      run(['setup', '--root', join(admin, 'root.key.pub'), '--station-key', join(admin, 'station.key'), '--certificate', join(admin, 'cert.json'), '--json'], home).status,
    ).toBe(0);
    const src = tempDir();
    writeTree(src, { 'client/a.txt': bytes(1000, 1) });
    const sealed = resultOf(run(['seal', join(src, 'client'), '--to', tempDir(), '--json', '--no-escrow'], home));
    const drive = String(sealed.driveDir);

    const offline = resultOf(run(['verify', drive, '--json'], home));
    expect(offline).toMatchObject({ ok: true, trust: { trust: 'unconfirmed', timeSource: 'manifest' } });

    // The custody service's receipt of the sealed event, as a sync would have stored it.
    const serviceKey = testSecretKey('custody service');
    writeFileSync(join(home, 'custody.json'), JSON.stringify({ serviceKeys: [publicKeyOf(serviceKey)] }));
    await withCustodyStore(async (store) => {
      const ev = store.eventsForDrive(String(sealed.driveId)).find((e) => e.type === 'sealed')!;
      const receivedAt = new Date(Date.now() + 5_000).toISOString();
      await store.recordReceipt(
        parseReceipt(signServiceObject({ eventId: ev.id, eventHash: eventHash(ev), receivedAt, leafIndex: 0, serviceKeyId: serviceKeyIdOf(publicKeyOf(serviceKey)) }, serviceKey)),
      );
    }, home);
    const online = run(['verify', drive, '--json'], home);
    expect(resultOf(online)).toMatchObject({ ok: true, trust: { trust: 'genuine', timeSource: 'receipt' } });

    // The provider revokes the certificate (key compromise) in list no. 2; the machine caches it.
    const revokedAt = new Date(Date.now() - 60_000).toISOString();
    expect(
      run(
        [
          'revoke',
          '--root-key',
          join(admin, 'root.key'),
          '--sequence',
          '2',
          '--out',
          join(admin, 'rev-2.json'),
          '--entry',
          `${String(certified.certificateSha256)}:key-compromise@${revokedAt}`,
        ],
        admin,
      ).status,
    ).toBe(0);
    expect(run(['setup', '--revocations', join(admin, 'rev-2.json'), '--json'], home).status).toBe(0);
    const revokedRun = run(['verify', drive, '--json'], home);
    expect(resultOf(revokedRun)).toMatchObject({ trust: { trust: 'revoked', revocation: { reason: 'key-compromise' } } });
    expect(run(['verify', drive], home).stderr + run(['verify', drive], home).stdout).toContain('révoqué');

    // Replaying list no. 1 (which does not name it) cannot un-revoke it.
    expect(run(['revoke', '--root-key', join(admin, 'root.key'), '--sequence', '1', '--out', join(admin, 'rev-1.json')], admin).status).toBe(0);
    const replay = run(['setup', '--revocations', join(admin, 'rev-1.json'), '--json'], home);
    expect(replay.status).not.toBe(0);
    expect(resultOf(replay)).toMatchObject({ event: 'error', code: 'E_REVOCATION_LIST', details: { problem: 'rollback' } });
    expect(JSON.parse(readFileSync(join(home, 'revocations.json'), 'utf8'))).toMatchObject({ sequence: 2 });
  });
});

describe('scelle setup --revocations <address>', () => {
  it('fetches the list the custody service publishes and caches it', async () => {
    const { startTestService, testEngines, call, TEST_ROOT_SECRET, TEST_ROOT_PUBLIC } = await import('../server/testing.js');
    const { signRevocationList } = await import('../shared/format/revocation.js');
    const svc = await startTestService(testEngines()[0]!, { customerDrive: 'DRIVE-REV', stationId: 'station-qc-01' });
    try {
      const list = signRevocationList(TEST_ROOT_SECRET, 4, [{ certificateSha256: 'ab'.repeat(32), revokedAt: '2026-02-01T00:00:00.000Z', reason: 'superseded' }]);
      expect((await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', list)).status).toBe(200);
      const home = tempDir();
      const admin = tempDir();
      expect(run(['keygen', 'root', '--out', join(admin, 'r.key')], admin).status).toBe(0);
      // Set up the test root as the pinned root (a development build), through a real .pub file.
      const pub = JSON.parse(readFileSync(join(admin, 'r.key.pub'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(admin, 'test-root.pub'), JSON.stringify({ ...pub, publicKey: TEST_ROOT_PUBLIC }));
      expect(run(['setup', '--root', join(admin, 'test-root.pub'), '--json'], home).status).toBe(0);
      // Asynchronously: the service answers from this process, which spawnSync would block.
      const fetched = await runAsync(['setup', '--revocations', `${svc.baseUrl}/v1/revocations`, '--json'], home);
      expect(fetched.status, fetched.stdout + fetched.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(home, 'revocations.json'), 'utf8'))).toMatchObject({ sequence: 4, revoked: [{ reason: 'superseded' }] });
      const plainElsewhere = run(['setup', '--revocations', 'http://custody.example.ca/v1/revocations', '--json'], home);
      expect(resultOf(plainElsewhere)).toMatchObject({ event: 'error', code: 'E_REVOCATION_LIST' });
    } finally {
      await svc.stop();
    }
  });
});
