/**
 * The public transparency-log routes (server/http/routes-log.ts) on every engine of the matrix,
 * and the tile path and signed-note encodings they rely on. The end-to-end check by an
 * independent monitor is test/monitor/monitor.test.ts.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash, rootHash } from '../shared/custody/merkle.js';
import { eventHash } from '../shared/custody/event.js';
import { buildTestChain } from '../shared/custody/testing.js';
import { checkpointBody, noteVerifierKey, signCheckpointNote } from './custody/checkpoint-note.js';
import { encodeTileIndex, parseTilePath, tilePath } from './custody/log-tiles.js';
import { createServer } from './app.js';
import { TEST_ROOT_PUBLIC, TEST_SERVICE_KEY, call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

describe('tile paths (C2SP tlog-tiles)', () => {
  it('writes <N> in x-prefixed groups of three digits and parses only canonical paths', () => {
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(5)).toBe('005');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(tilePath({ kind: 'hash', level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ kind: 'entries', index: 1, width: 44 })).toBe('tile/entries/001.p/44');
    expect(parseTilePath('0/x001/x234/067')).toEqual({ kind: 'hash', level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('2/000.p/255')).toEqual({ kind: 'hash', level: 2, index: 0, width: 255 });
    expect(parseTilePath('entries/x001/000.p/1')).toEqual({ kind: 'entries', index: 1000, width: 1 });
    for (const bad of ['0/x000/001', '0/1', '0/0001', '00/000', '7/000', '0/000.p/256', '0/000.p/0', '0/000.p/012', 'entries/000.p/', '0/x001', '-1/000', '0/000/']) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });
});

describe('checkpoint notes (C2SP tlog-checkpoint, signed-note)', () => {
  it('signs the origin, size and base64 root lines with an Ed25519 note key named by the origin', () => {
    const root = 'ab'.repeat(32);
    const note = signCheckpointNote(TEST_SERVICE_KEY, 'example.ca/custody', 17, root);
    const body = `example.ca/custody\n17\n${Buffer.from(root, 'hex').toString('base64')}\n`;
    expect(checkpointBody('example.ca/custody', 17, root)).toBe(body);
    expect(note.startsWith(`${body}\n\u2014 example.ca/custody `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    const blob = Buffer.from(
      note
        .slice(body.length + 1)
        .split(' ')[2]!
        .trim(),
      'base64',
    );
    const pub = Buffer.from(TEST_SERVICE_KEY.publicKey, 'base64');
    const id = createHash('sha256').update('example.ca/custody\n\x01').update(pub).digest().subarray(0, 4);
    expect(blob.subarray(0, 4).equals(id)).toBe(true);
    expect(ed25519.verify(blob.subarray(4), Buffer.from(body), pub, { zip215: false })).toBe(true);
    expect(noteVerifierKey('example.ca/custody', TEST_SERVICE_KEY)).toBe(`example.ca/custody+${id.toString('hex')}+${Buffer.concat([Buffer.of(1), pub]).toString('base64')}`);
    expect(() => checkpointBody('has space', 1, root)).toThrow(/origin/);
    expect(() => checkpointBody('a+b', 1, root)).toThrow(/origin/);
  });

  it('refuses to start with an invalid log origin', async () => {
    const engine = testEngines()[0]!;
    const { db, drop } = await engine.open();
    try {
      await expect(createServer({ db, serviceKey: TEST_SERVICE_KEY, rootPublicKey: TEST_ROOT_PUBLIC, logOrigin: 'not valid' })).rejects.toMatchObject({ code: 'E_SERVER_CONFIG' });
    } finally {
      await drop();
    }
  });
});

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`transparency log on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`transparency log routes on ${engine.name}`, () => {
    let svc: TestService;
    const chain = buildTestChain('DRIVE-LOG');

    beforeAll(async () => {
      svc = await startTestService(engine, { customerDrive: 'DRIVE-LOG', stationId: 'station-qc-01' });
      for (const [who, kind] of [
        [chain.station, 'station'],
        [chain.staff, 'staff'],
      ] as const) {
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: who.author.publicKey, certificate: testCertificate(who), kind })).status).toBe(201);
      }
      await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: chain.provider.slice(0, 2) });
      await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: chain.provider.slice(2) });
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('serves the latest and past checkpoints, entries and hash tiles without a token; the rest still needs one', async () => {
      const get = (p: string) => fetch(`${svc.baseUrl}/v1/log/${p}`);
      const json = (await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/checkpoint')).body;
      expect(json.treeSize).toBe(4);
      const note = await (await get('checkpoint')).text();
      expect(note).toBe(signCheckpointNote(TEST_SERVICE_KEY, `scelle-custody/${TEST_SERVICE_KEY.keyId}`, 4, json.rootHash));
      const past = (await (await get('checkpoints')).json()) as { checkpoints: { treeSize: number; rootHash: string; note: string }[] };
      expect(past.checkpoints.map((c) => c.treeSize)).toEqual([0, 2, 4]);
      const hashes = chain.provider.map(eventHash);
      expect(past.checkpoints[1]!.rootHash).toBe(Buffer.from(rootHash(hashes.slice(0, 2).map(leafHash))).toString('hex'));
      expect(await (await get('checkpoint/2')).text()).toBe(past.checkpoints[1]!.note);
      expect((await get('checkpoint/3')).status).toBe(404);
      const entries = Buffer.from(await (await get('tile/entries/000.p/4')).arrayBuffer());
      expect(entries.toString('hex')).toBe(hashes.map((h) => `0020${h}`).join(''));
      const tile = Buffer.from(await (await get('tile/0/000.p/4')).arrayBuffer());
      expect(tile.toString('hex')).toBe(hashes.map((h) => Buffer.from(leafHash(h)).toString('hex')).join(''));
      expect((await get('tile/0/000.p/5')).status).toBe(404);
      expect((await get('tile/0/000')).status).toBe(404);
      expect((await get('info')).status).toBe(200);
      expect((await fetch(`${svc.baseUrl}/v1/checkpoint`)).status).toBe(401);
      expect((await fetch(`${svc.baseUrl}/v1/drives?drive=DRIVE-LOG`)).status).toBe(401);
    });
  });
}
