/**
 * A monitor written from the C2SP specs (test/monitor/monitor.ts, which shares no code with
 * server/ or shared/custody) follows a running custody service without any token: it fetches
 * checkpoints and entries, verifies the note signatures, recomputes the tree with RFC 9162
 * hashing and checks consistency between checkpoints. Only this harness uses the service's
 * test helpers, to start the service and fill it with events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEvent } from '../../shared/custody/event.js';
import { testAuthor } from '../../shared/custody/testing.js';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { call, loadChains, startTestService, testCertificate, testEngines, type TestService } from '../../server/testing.js';
import { LogMonitor, MonitorError, leafHashOf, noteKeyIdOf, openCheckpoint, parseVerifierKey, subtreeHash, type Fetch } from './monitor.js';

const engine = testEngines()[0];

/**
 * Signs a checkpoint note as an operator holding the log key would, from the C2SP specs (not
 * with the service's code): the test service key's seed is public, see server/testing.ts.
 */
function operatorSignedNote(origin: string, size: number, root: Uint8Array, keyId: Uint8Array): string {
  const seed = createHash('sha256').update('scelle test key custody service').digest();
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const body = `${origin}\n${size}\n${Buffer.from(root).toString('base64')}\n`;
  const sig = sign(null, Buffer.from(body), key);
  return `${body}\n\u2014 ${origin} ${Buffer.concat([keyId, sig]).toString('base64')}\n`;
} // SQLite: the log routes are engine-independent SQL, covered on both engines by server/log.test.ts

describe('a monitor written from the C2SP specs follows the custody log', () => {
  let svc: TestService;
  let prefix: string;
  let vkey: string;
  const station = testAuthor('station', 'station-qc-01');
  const customerKey = testAuthor('station', 'not-a-customer').author.publicKey;
  const chains = loadChains(station, customerKey, 'mon', 100, 3);
  const push = async (events: SignedEvent[]): Promise<void> => {
    for (let i = 0; i < events.length; i += 100) {
      const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: events.slice(i, i + 100) });
      expect(r.body.results.every((x: { status: string }) => x.status === 'stored')).toBe(true);
    }
  };
  /** fetch without any token, counting requests. */
  let requests = 0;
  const plain: Fetch = (u) => {
    requests++;
    return fetch(u);
  };

  beforeAll(async () => {
    svc = await startTestService(engine!, { customerDrive: 'none', stationId: 'station-qc-01' });
    expect(
      (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: station.author.publicKey, certificate: testCertificate(station), kind: 'station' })).status,
    ).toBe(201);
    prefix = `${svc.baseUrl}/v1/log/`;
    const info = (await (await fetch(`${prefix}info`)).json()) as { origin: string; verifierKey: string; tileHeight: number };
    expect(info.tileHeight).toBe(8);
    vkey = info.verifierKey;
    expect(parseVerifierKey(vkey).name).toBe(info.origin);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('fetches checkpoints and entries without a token, recomputes the tree and checks consistency between two checkpoints', async () => {
    const monitor = new LogMonitor(prefix, vkey, plain);
    await push(chains.slice(0, 30).flat()); // 90 events
    const first = await monitor.update();
    expect(first).toMatchObject({ previousSize: 0, newEntries: 90, consistencyChecked: false });
    expect(first.checkpoint.treeSize).toBe(90);

    await push(chains.slice(30).flat()); // 210 more: 300 entries, one full data tile and a partial one
    const second = await monitor.update();
    expect(second).toMatchObject({ previousSize: 90, newEntries: 210, consistencyChecked: true });
    expect(second.checkpoint.treeSize).toBe(300);
    expect(monitor.entries).toHaveLength(300);
    console.log(`monitor: followed the log from 90 to 300 entries, ${first.tilesFetched + second.tilesFetched} tiles, ${requests} requests, no token`);

    // every past checkpoint the service kept verifies and is a prefix of what the monitor saw
    const list = (await (await fetch(`${prefix}checkpoints?limit=1000`)).json()) as { checkpoints: { treeSize: number; note: string }[] };
    expect(list.checkpoints.map((c) => c.treeSize)).toEqual([0, 90, 190, 290, 300]);
    for (const c of list.checkpoints) {
      const cp = monitor.open(c.note);
      expect(cp.treeSize).toBe(c.treeSize);
      monitor.checkPast(cp);
    }
    const past = await monitor.fetchCheckpoint('checkpoint/190');
    expect(past.treeSize).toBe(190);
    monitor.checkPast(past);

    // the level-1 tile: one hash of the first 256 leaves
    const level1 = new Uint8Array(await (await fetch(`${prefix}tile/1/000.p/1`)).arrayBuffer());
    expect(Buffer.from(level1).equals(Buffer.from(subtreeHash(monitor.leaves, 0, 256)))).toBe(true);
  });

  it('serves tiles only at canonical paths the tree holds', async () => {
    const status = async (p: string): Promise<number> => (await fetch(prefix + p)).status;
    expect(await status('tile/0/000')).toBe(200);
    expect(await status('tile/0/000.p/255')).toBe(200); // a prefix of a full tile
    expect(await status('tile/0/001.p/44')).toBe(200);
    expect(await status('tile/0/001.p/45')).toBe(404); // beyond the tree
    expect(await status('tile/0/001')).toBe(404);
    expect(await status('tile/entries/001.p/44')).toBe(200);
    expect(await status('tile/0/x000/001.p/44')).toBe(404); // not canonical
    expect(await status('tile/0/1')).toBe(404);
    expect(await status('tile/0/000.p/256')).toBe(404);
    expect(await status('tile/0/000.p/0')).toBe(404);
    expect(await status('tile/07/000')).toBe(404);
    const full = await fetch(`${prefix}tile/entries/000`);
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
    expect(full.headers.get('cache-control')).toMatch(/immutable/);
    expect((await full.arrayBuffer()).byteLength).toBe(256 * 34);
    const note = await fetch(`${prefix}checkpoint`);
    expect(note.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('detects a log that lies: a changed entry, a rewritten history, a forged or foreign signature', async () => {
    const flipEntry =
      (tile: string, index: number): Fetch =>
      async (u) => {
        const r = await fetch(u);
        if (!u.includes(`tile/entries/${tile}`)) return r;
        const b = new Uint8Array(await r.arrayBuffer());
        b[index * 34 + 2 + 5] = (b[index * 34 + 2 + 5] ?? 0) ^ 1;
        return {
          status: r.status,
          text: async () => Buffer.from(b).toString('latin1'),
          arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
        };
      };
    await expect(new LogMonitor(prefix, vkey, flipEntry('000', 7)).update()).rejects.toThrow(/recomputed from the entries differs/);

    // a monitor that has seen the log, then is served a history in which entry 260 changed
    let lie = false;
    const m = new LogMonitor(prefix, vkey, (u) => (lie ? flipEntry('001', 4)(u) : fetch(u)));
    await m.update();
    await push(loadChains(station, customerKey, 'mon2', 1, 3).flat());
    lie = true;
    await expect(m.update()).rejects.toThrow(/entry 260 changed since it was first seen/);

    // an operator who holds the log key rewrites entry 3 and signs the new tree: not consistent
    const m2 = new LogMonitor(prefix, vkey);
    await m2.update();
    const rewritten = [...m2.leaves];
    rewritten[3] = leafHashOf(new Uint8Array(32).fill(9));
    const seen = m2.leaves.length;
    const logKey = parseVerifierKey(vkey);
    const forgedNote = operatorSignedNote(logKey.name, seen, subtreeHash(rewritten, 0, seen), logKey.keyId);
    expect(openCheckpoint(forgedNote, logKey).treeSize).toBe(seen); // validly signed
    const m3 = new LogMonitor(prefix, vkey, async (u) =>
      u.endsWith('/checkpoint') ? { status: 200, text: async () => forgedNote, arrayBuffer: async () => new ArrayBuffer(0) } : fetch(u),
    );
    m3.last = m2.last;
    m3.entries.push(...m2.entries);
    m3.leaves.push(...m2.leaves);
    await expect(m3.update()).rejects.toThrow(/differs from the signed checkpoint/);

    const note = await (await fetch(`${prefix}checkpoint`)).text();
    const key = parseVerifierKey(vkey);
    expect(openCheckpoint(note, key).treeSize).toBe(303);
    const [origin, size, ...rest] = note.split('\n');
    expect(() => openCheckpoint([origin, String(Number(size) + 1), ...rest].join('\n'), key)).toThrow(MonitorError);
    // a key of the same name but other bytes (e.g. a log that swapped its key) does not verify it
    const foreign = new Uint8Array(32).fill(7);
    const foreignKey = `${key.name}+${Buffer.from(noteKeyIdOf(key.name, foreign)).toString('hex')}+${Buffer.concat([Buffer.of(1), foreign]).toString('base64')}`;
    expect(() => openCheckpoint(note, parseVerifierKey(foreignKey))).toThrow(/no valid signature/);
    expect(() => parseVerifierKey(`${key.name}+00000000+${Buffer.concat([Buffer.of(1), foreign]).toString('base64')}`)).toThrow(/key id/);
  });
});
