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
import type { SealResult } from '../shared/engine/api.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../shared/format/payload-size.js';
import { loadOrCreateStation } from './config.js';
import { custodyDir, recordAfterSeal, recordSealedSet } from './custody.js';
import { Output } from './output.js';
import { runCli } from '../test/support/run-cli.js';

const PART = 65536;
let dir: string;
let home: string;
let result: SealResult & { set: NonNullable<SealResult['set']> };
let stationKey: string;
let savedHome: string | undefined;

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

afterAll(() => {
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
