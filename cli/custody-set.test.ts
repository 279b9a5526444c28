/**
 * Custody of a sealed set from the command line: the seal records one `sealed` event per member,
 * each in its own chain and naming the set; `scelle custody show` of a member says which set and
 * position, and shows every member's state from the local journal when no service is configured.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticTrust, verifyChain } from '../shared/custody/chain-verify.js';
import { CustodyStore } from '../shared/custody/journal.js';
import { encodeBase64 } from '../shared/custody/event.js';
import { seal } from '../shared/engine/index.js';
import type { SealedMember, SealResult } from '../shared/engine/api.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../shared/format/payload-size.js';
import { configPaths, loadOrCreateStation } from './config.js';
import { writeStationKeyFile } from '../shared/format/key-files.js';
import { generateSigningKeyPair, issueStationCertificate } from '../shared/format/station-cert.js';
import { call, startTestService, testEngines, TEST_ROOT_SECRET, TEST_SERVICE_KEY, type TestService } from '../server/testing.js';
import { custodyDir, recordAfterSeal, recordSealedSet } from './custody.js';
import { Output } from './output.js';
import { runCli } from '../test/support/run-cli.js';

const PART = 65536;
let dir: string;
let home: string;
let result: SealResult & { set: NonNullable<SealResult['set']> };
let stationKey: string;
let savedHome: string | undefined;
let service: TestService | null = null;
const STATION_ID = 'station-qc-set';

/** An Output that keeps its JSON events. */
function jsonOutput(): { out: Output; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const sink = {
    write: (s: string) => (
      events.push(
        ...s
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      ),
      true
    ),
  };
  return { out: new Output('en', true, sink as unknown as typeof process.stdout, sink as unknown as typeof process.stderr), events };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scelle-cli-set-'));
  home = join(dir, 'home');
  savedHome = process.env['SCELLE_HOME'];
  process.env['SCELLE_HOME'] = home;
  const src = join(dir, 'src');
  mkdirSync(src);
  for (let i = 0; i < 8; i++) writeFileSync(join(src, `f${i}.bin`), Buffer.alloc(60_000 + i, i));
  const targets = [join(dir, 't1'), join(dir, 't2'), join(dir, 't3')];
  for (const t of targets) mkdirSync(t);
  // A station certified by the test service's root, enrolled there (used online below).
  service = await startTestService(
    testEngines().find((e) => e.name === 'sqlite')!,
    { customerDrive: 'UNUSED', stationId: STATION_ID },
  );
  const pair = generateSigningKeyPair();
  const certificate = issueStationCertificate({
    rootSecretKey: TEST_ROOT_SECRET,
    stationId: STATION_ID,
    stationPublicKey: pair.publicKey,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  mkdirSync(home, { recursive: true });
  await writeStationKeyFile(configPaths(home).stationKey, { id: STATION_ID, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate });
  expect((await call(service.baseUrl, service.tokens.admin, 'POST', '/v1/stations', { publicKey: encodeBase64(pair.publicKey), certificate })).status).toBe(201);
  const { station } = await loadOrCreateStation(home);
  stationKey = encodeBase64(station.publicKey);
  const r = await seal(
    {
      sources: [src],
      target: targets[0]!,
      station,
      recipients: { unlockCode: false, x25519: [{ label: 'recipient', publicKey: new Uint8Array(32).fill(9) }] },
      partPlaintextSize: PART,
      set: { more: targets.slice(1), memberBytes: indexAndSlackBytes(12) + 4 * streamCiphertextSize(PART) },
    },
    { sinkMode: 'inline' },
  );
  if (!r.set) throw new Error('expected a set');
  result = r as typeof result;
  const { out, events } = jsonOutput();
  expect(await recordSealedSet(out, station, result, home)).toBe(0);
  expect(events.filter((e) => e['event'] === 'custody').flatMap((e) => e['recorded'] as unknown[])).toHaveLength(result.set.members.length);
});

afterAll(async () => {
  await service?.stop();
  if (savedHome === undefined) delete process.env['SCELLE_HOME'];
  else process.env['SCELLE_HOME'] = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

async function journalEvents() {
  const store = await CustodyStore.open(custodyDir(home));
  try {
    return result.set.members.map((m) => store.eventsForDrive(m.driveId));
  } finally {
    await store.close();
  }
}

describe('recording the custody of a sealed set', () => {
  it("records one sealed event per member, in the member's own chain, naming the set, its position and what it holds", async () => {
    const members = result.set.members;
    expect(members.length).toBeGreaterThanOrEqual(2);
    const chains = await journalEvents();
    const driveIds = members.map((m) => m.driveId);
    chains.forEach((events, i) => {
      const m = members[i]!;
      expect(events.map((e) => [e.type, e.seq, e.driveId])).toEqual([['sealed', 0, m.driveId]]);
      const manifestBytes = readFileSync(join(m.driveDir, 'manifest.json'));
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as { set: unknown };
      expect(events[0]!.data).toMatchObject({
        manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
        files: result.files,
        bytes: result.bytes,
        parts: result.parts,
        customerPublicKey: m.customerPublicKey,
        set: { id: result.set.id, position: m.position, members: members.length, driveIds, parts: m.parts, tarBytes: m.tarBytes },
      });
      // the event's set is the manifest's
      expect(manifest.set).toEqual({ id: result.set.id, position: m.position, members: members.length, driveIds });
      const report = verifyChain(events, staticTrust({ stations: [stationKey] }));
      expect(report.ok).toBe(true);
      expect(report.set?.position).toBe(m.position);
      // nothing personal: no file name in the event
      expect(JSON.stringify(events[0])).not.toMatch(/f\d\.bin|src/);
    });
  });

  it('records nothing twice when called again (members already sealed in this journal are skipped)', async () => {
    const { station } = await loadOrCreateStation(home);
    const { out, events } = jsonOutput();
    expect(await recordAfterSeal(out, station, result, home)).toBe(0);
    expect(events.filter((e) => e['event'] === 'custody').flatMap((e) => e['recorded'] as unknown[])).toEqual([]);
    expect((await journalEvents()).map((c) => c.length)).toEqual(result.set.members.map(() => 1));
  });
});

describe('scelle custody show of a set member', () => {
  it('says which set and position, and lists every member with its state from the local journal', async () => {
    const m2 = result.set.members[1]!;
    const r = await runCli(['custody', 'show', m2.driveDir, '--lang', 'en'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Member 2 of ${result.set.members.length} of sealed set ${result.set.id}.`);
    for (const m of result.set.members) expect(r.stdout).toMatch(new RegExp(`${m.position}\\. drive ${m.driveId}: sealed`));
    const json = await runCli(['custody', 'show', m2.driveId, '--json'], home);
    const res = json.events.find((e) => e['event'] === 'result')!;
    expect(res['set']).toMatchObject({ setId: result.set.id, members: result.set.members.length, source: 'local' });
    expect((res['set'] as { memberViews: { driveId: string; state: string }[] }).memberViews.map((v) => [v.driveId, v.state])).toEqual(
      result.set.members.map((m) => [m.driveId, 'sealed']),
    );
  });
});

describe('custody of a set with the real service', () => {
  it("syncs every member; show of a member takes the set from the service; a lookup by one member's tracking number shows the whole set", async () => {
    const [m1, m2] = result.set.members as [SealedMember, SealedMember];
    expect((await runCli(['ship', m1.driveDir, '--carrier', 'ups', '--tracking', '1Z5R89390357567127'], home)).code).toBe(0);
    const stationToken = join(dir, 'station.token');
    const supportToken = join(dir, 'support.token');
    writeFileSync(stationToken, service!.tokens.station + '\n', { mode: 0o600 });
    writeFileSync(supportToken, service!.tokens.support + '\n', { mode: 0o600 });
    const keyFile = join(dir, 'service-key.json');
    writeFileSync(keyFile, JSON.stringify({ publicKey: TEST_SERVICE_KEY.publicKey }));
    expect((await runCli(['custody', 'config', '--service', service!.baseUrl, '--token-file', stationToken, '--service-key', keyFile], home)).code).toBe(0);
    const sync = await runCli(['custody', 'sync', '--json'], home);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.events.find((e) => e['event'] === 'result')).toMatchObject({ stored: result.set.members.length + 1, rejected: [] });

    // show of member 2 (its token may read the set: the station sealed every member)
    const show = await runCli(['custody', 'show', m2.driveId, '--json'], home);
    const set = show.events.find((e) => e['event'] === 'result')!['set'] as {
      source: string;
      memberViews: { driveId: string; state: string; shipment: { trackingNumber: string } | null }[];
    };
    expect(set.source).toBe('service');
    expect(set.memberViews.map((v) => [v.driveId, v.state, v.shipment?.trackingNumber ?? null])).toEqual(
      result.set.members.map((m) => [m.driveId, m === m1 ? 'shipped' : 'sealed', m === m1 ? '1Z5R89390357567127' : null]),
    );

    // Support: member 1's tracking number, typed with spaces, shows every member
    const lookup = await runCli(['custody', 'lookup', '--tracking', '1Z 5R8 939 0357567127', '--token-file', supportToken, '--lang', 'en'], home);
    expect(lookup.code, lookup.stdout + lookup.stderr).toBe(0);
    expect(lookup.stdout).toContain(`Member 1 of ${result.set.members.length} of sealed set ${result.set.id}.`);
    for (const m of result.set.members) expect(lookup.stdout).toMatch(new RegExp(`${m.position}\\. drive ${m.driveId}: ${m === m1 ? 'shipped' : 'sealed'}`));
  });
});
