/**
 * The custody service end to end over HTTP, on every engine of the matrix (SQLite always,
 * PostgreSQL when SCELLE_TEST_DATABASE_URL is set; see server/testing.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes, decodeBase64Strict, eventHash, signEvent, type SignedEvent } from '../shared/custody/event.js';
import { leafHash, verifyConsistencyProof, verifyInclusionProof } from '../shared/custody/merkle.js';
import { buildTestChain, testAuthor, testNext, testSecretKey, type TestChain } from '../shared/custody/testing.js';
import { APPEND_ONLY_TABLES } from './db/migrations.js';
import { TEST_SERVICE_KEY, call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function verifySigned(obj: Record<string, unknown>): boolean {
  const { signature, ...body } = obj;
  const sig = decodeBase64Strict(String(signature), 64);
  const pub = decodeBase64Strict(TEST_SERVICE_KEY.publicKey, 32);
  return !!sig && !!pub && ed25519.verify(sig, canonicalBytes(body), pub, { zip215: false });
}

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`custody service on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`custody service on ${engine.name}`, () => {
    let svc: TestService;
    let chain: TestChain;
    let other: TestChain;
    const push = (token: string, events: unknown[]) => call(svc.baseUrl, token, 'POST', '/v1/events', { events });

    beforeAll(async () => {
      chain = buildTestChain('DRIVE-A');
      other = buildTestChain('DRIVE-B');
      svc = await startTestService(engine, { customerDrive: 'DRIVE-A', stationId: 'station-qc-01' });
      for (const [who, kind] of [
        [chain.station, 'station'],
        [chain.staff, 'staff'],
      ] as const) {
        const r = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: who.author.publicKey, certificate: testCertificate(who), kind });
        expect(r.status).toBe(201);
      }
    });
    afterAll(async () => {
      await svc?.stop();
    });

    describe('authentication and roles', () => {
      it('answers 401 without a token, with a malformed one or an unknown one; health and service key are public', async () => {
        expect((await call(svc.baseUrl, null, 'GET', '/v1/checkpoint')).status).toBe(401);
        expect((await call(svc.baseUrl, 'nope', 'GET', '/v1/checkpoint')).status).toBe(401);
        expect((await call(svc.baseUrl, `sct_${'A'.repeat(43)}`, 'GET', '/v1/checkpoint')).status).toBe(401);
        expect((await call(svc.baseUrl, null, 'GET', '/healthz')).status).toBe(200);
        const key = await call(svc.baseUrl, null, 'GET', '/v1/service-key');
        expect(key.body).toEqual({ publicKey: TEST_SERVICE_KEY.publicKey, keyId: TEST_SERVICE_KEY.keyId });
      });

      it('stores only token hashes', async () => {
        const rows = await svc.db.query('SELECT token_hash FROM tokens');
        const all = JSON.stringify(rows);
        for (const t of Object.values(svc.tokens)) expect(all).not.toContain(t);
        expect(rows.length).toBeGreaterThanOrEqual(4);
      });

      it('station: may push events and read checkpoints and proofs; may not look up, audit or administer', async () => {
        const t = svc.tokens.station;
        expect((await push(t, chain.provider)).status).toBe(200);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/checkpoint')).status).toBe(200);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/proof/consistency?from=1&to=2')).status).toBe(200);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/drives?drive=DRIVE-A')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/personal/ORD-1')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/audit')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'POST', '/v1/tokens', { role: 'admin' })).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/admin/integrity')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'POST', '/v1/stations', {})).status).toBe(403);
      });

      it("station: a token bound to one station may not push another station's events", async () => {
        const rogue = testAuthor('station', 'station-other');
        const e = testNext(
          rogue,
          'DRIVE-R',
          null,
          'sealed',
          { manifestSha256: 'cd'.repeat(32), files: 1, bytes: 1, parts: 1, customerPublicKey: chain.customer.author.publicKey, stationCertificateSha256: 'ab'.repeat(32) },
          new Date('2025-03-01T00:00:00Z'),
        );
        const r = await push(svc.tokens.station, [e]);
        expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
      });

      it("customer: pushes its own drive's customer events; provider events or another drive are forbidden", async () => {
        const t = svc.tokens.customer;
        const own = await push(t, chain.customerEvents);
        expect(own.status).toBe(200);
        expect(own.body.results.map((r: { status: string }) => r.status)).toEqual(['stored', 'stored', 'stored']);
        const provider = await push(t, [chain.provider[0]]);
        expect(provider.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
        const foreign = await push(t, [other.customerEvents[0]]);
        expect(foreign.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
      });

      it('customer: looks up only its own drive, never by tracking or order, and proofs only for its events', async () => {
        const t = svc.tokens.customer;
        const own = await call(svc.baseUrl, t, 'GET', '/v1/drives?drive=DRIVE-A');
        expect(own.status).toBe(200);
        expect(own.body.drives).toHaveLength(1);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/drives?drive=DRIVE-B')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/drives?tracking=1Z999AA10123456784')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/personal/ORD-1')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/audit')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/checkpoint')).status).toBe(200);
        await push(svc.tokens.station, other.provider);
        const otherHash = eventHash(other.provider[0] as SignedEvent);
        const cp = (await call(svc.baseUrl, t, 'GET', '/v1/checkpoint')).body;
        expect((await call(svc.baseUrl, t, 'GET', `/v1/proof/inclusion?hash=${otherHash}&treeSize=${cp.treeSize}`)).status).toBe(404);
        const ownHash = eventHash(chain.customerEvents[0] as SignedEvent);
        expect((await call(svc.baseUrl, t, 'GET', `/v1/proof/inclusion?hash=${ownHash}&treeSize=${cp.treeSize}`)).status).toBe(200);
      });

      it('support: looks up drives and personal records; may not push, administer or read the audit log', async () => {
        const t = svc.tokens.support;
        expect((await call(svc.baseUrl, t, 'GET', '/v1/drives?drive=DRIVE-A')).status).toBe(200);
        expect((await push(t, chain.provider)).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/audit')).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'PUT', '/v1/personal/ORD-9', { name: 'x', deleteAfter: '2030-01-01T00:00:00Z' })).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'POST', '/v1/tokens', { role: 'support' })).status).toBe(403);
        expect((await call(svc.baseUrl, t, 'GET', '/v1/admin/integrity')).status).toBe(403);
      });

      it('admin: creates and revokes tokens; a revoked token is refused; a customer token needs a drive', async () => {
        const created = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'support', label: 'temp' });
        expect(created.status).toBe(201);
        expect((await call(svc.baseUrl, created.body.token, 'GET', '/v1/checkpoint')).status).toBe(200);
        expect((await call(svc.baseUrl, svc.tokens.admin, 'DELETE', `/v1/tokens/${created.body.id}`)).status).toBe(200);
        expect((await call(svc.baseUrl, created.body.token, 'GET', '/v1/checkpoint')).status).toBe(401);
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'customer' })).status).toBe(400);
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'root' })).status).toBe(400);
        expect((await push(svc.tokens.admin, [])).status).toBe(403);
      });
    });

    describe('ingest', () => {
      it('is idempotent: the same event again is a duplicate with the original receipt', async () => {
        const e = chain.provider[0] as SignedEvent;
        const a = await push(svc.tokens.station, [e]);
        const b = await push(svc.tokens.station, [e, e]);
        expect(a.body.results[0].status).toBe('duplicate');
        expect(b.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
        expect(b.body.results[0].receipt).toEqual(a.body.results[0].receipt);
        const count = await svc.db.query('SELECT COUNT(*) AS n FROM events WHERE id = ?', [e.id]);
        expect(Number(count[0]?.['n'])).toBe(1);
      });

      it('signs receipts and checkpoints with the service key; the checkpoint covers every receipt', async () => {
        const fresh = buildTestChain('DRIVE-C');
        const r = await push(svc.tokens.station, fresh.provider);
        expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
        for (const [i, res] of r.body.results.entries()) {
          expect(res.receipt.eventHash).toBe(eventHash(fresh.provider[i] as SignedEvent));
          expect(res.receipt.serviceKeyId).toBe(TEST_SERVICE_KEY.keyId);
          expect(verifySigned(res.receipt)).toBe(true);
          expect(res.receipt.leafIndex).toBeLessThan(r.body.checkpoint.treeSize);
          expect(verifySigned({ ...res.receipt, leafIndex: res.receipt.leafIndex + 1 })).toBe(false);
        }
        expect(verifySigned(r.body.checkpoint)).toBe(true);
      });

      it('rejects the same id with other content as a conflict', async () => {
        const e = chain.provider[1] as SignedEvent;
        const altered = signEvent({ ...e, at: '2025-03-01T14:06:00.000Z' }, chain.station.secretKey);
        const r = await push(svc.tokens.station, [altered]);
        expect(r.body.results[0]).toMatchObject({ id: e.id, status: 'rejected', code: 'conflict' });
      });

      it('rejects malformed events and bad signatures with precise codes, per event', async () => {
        const d = buildTestChain('DRIVE-M');
        const sealed = d.provider[0] as SignedEvent;
        const badSig = { ...sealed, sig: (d.provider[1] as SignedEvent).sig };
        const r = await push(svc.tokens.station, [{ hello: 'world' }, { ...sealed, extra: 1 }, { ...sealed, seq: -1 }, badSig, sealed]);
        expect(r.status).toBe(200);
        expect(r.body.results.map((x: { code?: string; status: string }) => x.code ?? x.status)).toEqual(['malformed', 'malformed', 'malformed', 'bad-signature', 'stored']);
        const tooMany = await push(
          svc.tokens.station,
          Array.from({ length: 101 }, () => sealed),
        );
        expect(tooMany.status).toBe(400);
        expect((await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { nope: 1 })).status).toBe(400);
      });

      it('rejects unknown keys and keys enrolled for another author', async () => {
        const stranger = testAuthor('station', 'station-qc-01');
        const impostor = { author: { ...stranger.author, publicKey: testAuthor('station', 'x').author.publicKey }, secretKey: testAuthor('station', 'x').secretKey };
        const d = buildTestChain('DRIVE-U');
        const e = testNext(impostor, 'DRIVE-U', null, 'sealed', (d.provider[0] as SignedEvent).data as never, new Date('2025-03-01T00:00:00Z'));
        const r = await push(svc.tokens.station, [e]);
        expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'unknown-key' });
        const staffAsStation = testNext(
          { author: { ...chain.staff.author, kind: 'station' }, secretKey: chain.staff.secretKey },
          'DRIVE-U',
          null,
          'sealed',
          (d.provider[0] as SignedEvent).data as never,
          new Date('2025-03-01T00:00:00Z'),
        );
        const r2 = await push(svc.tokens.station, [staffAsStation]);
        expect(r2.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
      });

      it('rejects forks, gaps and altered links', async () => {
        const d = buildTestChain('DRIVE-F');
        const [sealed, verified, shipped] = d.provider as [SignedEvent, SignedEvent, SignedEvent];
        expect((await push(svc.tokens.station, [sealed, verified])).body.results.every((x: { status: string }) => x.status === 'stored')).toBe(true);
        const fork = testNext(d.station, 'DRIVE-F', sealed, 'verified', { level: 'media', ok: false, problems: 2 }, new Date('2025-03-01T14:07:00Z'));
        const gapPrev = testNext(d.station, 'DRIVE-F', shipped, 'note', { noteRef: 'note-1' }, new Date('2025-03-01T15:00:00Z'));
        const altered = signEvent({ ...shipped, prev: eventHash(sealed) }, d.station.secretKey);
        const r = await push(svc.tokens.station, [fork, gapPrev, altered]);
        expect(r.body.results.map((x: { code: string }) => x.code)).toEqual(['fork', 'gap', 'altered']);
        expect((await push(svc.tokens.station, [shipped])).body.results[0].status).toBe('stored');
      });

      it('checks customer events against the sealed event: wrong author, wrong anchor, missing genesis', async () => {
        const d = buildTestChain('DRIVE-A');
        const mallory = testAuthor('station', 'mallory');
        const forged = testNext(
          { author: { kind: 'customer', id: 'customer:DRIVE-A', publicKey: mallory.author.publicKey }, secretKey: mallory.secretKey },
          'DRIVE-A',
          null,
          'received',
          { anchor: d.manifestSha256, level: 'media', ok: true, problems: 0 },
          new Date('2025-03-02T00:00:00Z'),
        );
        const r = await push(svc.tokens.customer, [forged]);
        expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'wrong-author' });
        const z = buildTestChain('DRIVE-Z');
        const early = await push(svc.tokens.station, [z.customerEvents[0]]);
        expect(early.body.results[0]).toMatchObject({ status: 'rejected', code: 'missing-genesis' });
        const badAnchor = testNext(z.customer, 'DRIVE-Z', null, 'received', { anchor: 'ee'.repeat(32), level: 'media', ok: true, problems: 0 }, new Date('2025-03-02T00:00:00Z'));
        await push(svc.tokens.station, [z.provider[0]]);
        const r2 = await push(svc.tokens.station, [badAnchor]);
        expect(r2.body.results[0]).toMatchObject({ status: 'rejected', code: 'wrong-author' });
      });

      it('enrols only certificates of the configured root, and a revoked station key is refused from then on', async () => {
        const s2 = testAuthor('station', 'station-qc-02');
        const wrongRoot = testCertificate(s2, testSecretKey('another root'));
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: s2.author.publicKey, certificate: wrongRoot })).status).toBe(400);
        const tampered = { ...testCertificate(s2), stationId: 'station-qc-03' };
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: s2.author.publicKey, certificate: tampered })).status).toBe(400);
        const expired = testCertificate(s2, undefined, '2025-01-02T00:00:00.000Z');
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: s2.author.publicKey, certificate: expired })).status).toBe(400);
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: chain.station.author.publicKey, certificate: testCertificate(s2) })).status).toBe(
          400,
        );
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: s2.author.publicKey, certificate: testCertificate(s2) })).status).toBe(201);
        const d = buildTestChain('DRIVE-S2');
        const first = testNext(s2, 'DRIVE-S2', null, 'sealed', (d.provider[0] as SignedEvent).data as never, new Date('2025-03-01T00:00:00Z'));
        const second = testNext(s2, 'DRIVE-S2', first, 'verified', { level: 'full', ok: true, problems: 0 }, new Date('2025-03-01T00:01:00Z'));
        const stationToken = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: 'station-qc-02' })).body.token;
        expect((await push(stationToken, [first])).body.results[0].status).toBe('stored');
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations/station-qc-02/revoke', { reason: 'stolen laptop' })).status).toBe(200);
        expect((await push(stationToken, [second])).body.results[0]).toMatchObject({ status: 'rejected', code: 'revoked-key' });
        // the event received before the revocation still verifies
        const view = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?drive=DRIVE-S2');
        expect(view.body.drives[0].verification.ok).toBe(true);
        expect(
          (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/stations')).body.keys.find((k: { authorId: string }) => k.authorId === 'station-qc-02').revokedAt,
        ).not.toBeNull();
      });
    });

    describe('Merkle proofs', () => {
      it('inclusion proofs of stored events verify against the signed checkpoint root', async () => {
        const cp = (await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/checkpoint')).body;
        expect(verifySigned(cp)).toBe(true);
        for (const e of [...chain.provider, ...chain.customerEvents]) {
          const h = eventHash(e);
          const r = await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/proof/inclusion?hash=${h}&treeSize=${cp.treeSize}`);
          expect(r.status).toBe(200);
          const proof = r.body.proof.map(unhex);
          expect(verifyInclusionProof(leafHash(h), r.body.leafIndex, cp.treeSize, proof, unhex(cp.rootHash))).toBe(true);
          expect(verifyInclusionProof(leafHash(h), r.body.leafIndex + 1, cp.treeSize, proof, unhex(cp.rootHash))).toBe(false);
        }
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/proof/inclusion?hash=${'0'.repeat(64)}&treeSize=1`)).status).toBe(404);
        expect(
          (await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/proof/inclusion?hash=${eventHash(chain.provider[0] as SignedEvent)}&treeSize=${cp.treeSize + 1}`)).status,
        ).toBe(400);
      });

      it('consistency proofs between successive checkpoints verify', async () => {
        const before = (await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/checkpoint')).body;
        const d = buildTestChain('DRIVE-P');
        const r = await push(svc.tokens.station, d.provider);
        const after = r.body.checkpoint;
        expect(after.treeSize).toBe(before.treeSize + 4);
        const proof = await call(svc.baseUrl, svc.tokens.station, 'GET', `/v1/proof/consistency?from=${before.treeSize}&to=${after.treeSize}`);
        expect(verifyConsistencyProof(before.treeSize, after.treeSize, proof.body.proof.map(unhex), unhex(before.rootHash), unhex(after.rootHash))).toBe(true);
        expect(verifyConsistencyProof(before.treeSize, after.treeSize, proof.body.proof.map(unhex), unhex(after.rootHash), unhex(after.rootHash))).toBe(false);
        expect((await call(svc.baseUrl, svc.tokens.station, 'GET', `/v1/proof/consistency?from=${after.treeSize}&to=${after.treeSize + 5}`)).status).toBe(400);
        expect((await call(svc.baseUrl, svc.tokens.station, 'GET', `/v1/proof/consistency?from=x&to=1`)).status).toBe(400);
      });
    });

    describe('lookup, personal data, audit and retention', () => {
      it('finds a drive by tracking number whatever its spacing, dashes or case, with a verifying chain', async () => {
        const r = await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?tracking=${encodeURIComponent('1z 999-aa1 0123456784')}`);
        expect(r.status).toBe(200);
        const ids = r.body.drives.map((d: { driveId: string }) => d.driveId);
        expect(ids).toContain('DRIVE-A');
        const a = r.body.drives.find((d: { driveId: string }) => d.driveId === 'DRIVE-A');
        expect(a.events).toHaveLength(7);
        expect(a.receipts).toHaveLength(7);
        expect(a.verification.ok).toBe(true);
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?tracking=1Z&drive=DRIVE-A')).status).toBe(400);
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives')).status).toBe(400);
      });

      it('keeps personal data apart, finds drives by order reference, and writes one audit row per lookup', async () => {
        const d = buildTestChain('DRIVE-O');
        const shipped = testNext(
          d.station,
          'DRIVE-O',
          d.provider[1] as SignedEvent,
          'shipped',
          { carrier: 'canada-post', trackingNumber: 'EE123456785CA', orderRef: 'ORD-77' },
          new Date('2025-03-01T15:00:00Z'),
        );
        await push(svc.tokens.station, [d.provider[0], d.provider[1], shipped]);
        const put = await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/personal/ORD-77', {
          driveId: 'DRIVE-O',
          name: 'Marie Tremblay',
          contact: 'marie@example.ca',
          address: '1 rue Principale, Québec',
          deleteAfter: '2025-04-01T00:00:00Z',
        });
        expect(put.status).toBe(200);
        const eventsText = JSON.stringify(await svc.db.query('SELECT body FROM events'));
        expect(eventsText).not.toContain('Tremblay');

        const auditBefore = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit?limit=10000')).body.entries.length;
        const byOrder = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?order=ORD-77');
        expect(byOrder.body.drives.map((x: { driveId: string }) => x.driveId)).toEqual(['DRIVE-O']);
        const none = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?tracking=NOPE0000');
        expect(none.body.drives).toEqual([]);
        const person = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/personal/ORD-77');
        expect(person.body.name).toBe('Marie Tremblay');
        await call(svc.baseUrl, svc.tokens.customer, 'GET', '/v1/drives?drive=DRIVE-O');

        const entries = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit?limit=10000')).body.entries;
        // 4 lookups + the previous audit read
        expect(entries.length).toBe(auditBefore + 5);
        const recent = entries.slice(0, 5).map((x: { action: string; resultCount: number; query: string; role: string }) => [x.action, x.role, JSON.parse(x.query), x.resultCount]);
        expect(recent).toEqual(
          expect.arrayContaining([
            ['drives.lookup', 'support', { order: 'ORD-77' }, 1],
            ['drives.lookup', 'support', { tracking: 'NOPE0000' }, 0],
            ['personal.read', 'support', { order: 'ORD-77' }, 1],
            ['drives.lookup.denied', 'customer', { drive: 'DRIVE-O' }, 0],
            ['audit.read', 'admin', { since: null }, auditBefore],
          ]),
        );
        for (const e of entries) expect(e.at).toMatch(/Z$/);
      });

      it('retention deletes expired personal data only, and chains still verify', async () => {
        await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/personal/ORD-KEEP', { name: 'Keep', deleteAfter: new Date(Date.now() + 300 * 86_400_000).toISOString() });
        const eventsBefore = Number((await svc.db.query('SELECT COUNT(*) AS n FROM events'))[0]?.['n']);
        const deleted = await svc.server.runRetention(new Date('2025-05-01T00:00:00Z'));
        expect(deleted).toBe(1);
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/personal/ORD-77')).status).toBe(404);
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/personal/ORD-KEEP')).status).toBe(200);
        expect(Number((await svc.db.query('SELECT COUNT(*) AS n FROM events'))[0]?.['n'])).toBe(eventsBefore);
        const view = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?order=ORD-77');
        expect(view.body.drives[0].verification.ok).toBe(true);
        const integrity = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
        expect(integrity.body.ok).toBe(true);
        const entries = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries;
        expect(entries.some((x: { action: string; resultCount: number }) => x.action === 'retention.run' && x.resultCount === 1)).toBe(true);
      });
    });

    describe('append-only storage and tampering', () => {
      it('the database itself refuses UPDATE and DELETE on events, Merkle nodes, checkpoints, the audit log, the incident register, handoffs, revocation lists, set members and issued station certificates', async () => {
        await svc.db.run(
          `INSERT INTO drive_handoffs (id, drive_id, from_station, to_station, at, by_role, by_token) VALUES ('h-test', 'D-NONE', 's', 't', '2025-01-01T00:00:00.000Z', 'admin', 'k')`,
        );
        await svc.db.run(`INSERT INTO revocation_lists (sequence, issued_at, stored_at, body) VALUES (999999, 't', 't', '{}')`);
        await svc.db.run(`INSERT INTO incidents (id, drive_id, event_id, kind, reported_at, opened_at, reported_by) VALUES ('i-test', 'D', 'e-test', 'lost', 't', 't', 's')`);
        await svc.db.run(`INSERT INTO set_members (drive_id, set_id, position, members, drive_ids, event_id, leaf_index, parts, tar_bytes, recorded_at)
          VALUES ('D-NONE', 'S-NONE', 1, 2, '["D-NONE","E-NONE"]', 'e-none', 0, 1, 10, 't')`);
        await svc.db.run(
          `INSERT INTO station_certificates (certificate_sha256, station_id, public_key, issued_at, expires_at, issuing_sha256, issued_by, body) VALUES ('c-test', 's', 'k', 't', 't', 'i', 'tok', '{}')`,
        );
        for (const t of APPEND_ONLY_TABLES) {
          await expect(svc.db.run(`DELETE FROM ${t}`)).rejects.toThrow(/append-only/);
        }
        await expect(svc.db.run(`UPDATE events SET type = 'note'`)).rejects.toThrow(/append-only/);
        await expect(svc.db.run(`UPDATE merkle_nodes SET hash = '00'`)).rejects.toThrow(/append-only/);
        await expect(svc.db.run(`UPDATE checkpoints SET root_hash = 'x'`)).rejects.toThrow(/append-only/);
        await expect(svc.db.run(`UPDATE audit_log SET result_count = 0`)).rejects.toThrow(/append-only/);
        if (engine.name === 'postgres') await expect(svc.db.run('TRUNCATE events')).rejects.toThrow(/append-only/);
        const integrity = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
        expect(integrity.body).toMatchObject({ ok: true, problems: [] });
      });

      it('the integrity check catches an event edited after dropping the triggers', async () => {
        const dropTrigger = engine.name === 'sqlite' ? 'DROP TRIGGER events_no_update' : 'DROP TRIGGER events_no_change ON events';
        await svc.db.exec(dropTrigger);
        const target = chain.provider[2] as SignedEvent;
        const forged = { ...target, data: { ...target.data, trackingNumber: '1Z999AA10000000000' } };
        await svc.db.run(`UPDATE events SET body = ?, tracking_number = ? WHERE id = ?`, [JSON.stringify(forged), '1Z999AA10000000000', target.id]);
        const r = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
        expect(r.body.ok).toBe(false);
        const codes = r.body.problems.filter((p: { eventId?: string }) => p.eventId === target.id).map((p: { code: string }) => p.code);
        expect(codes).toEqual(expect.arrayContaining(['event-hash', 'signature']));
        // Re-hashing the forged event to hide it breaks the next link and the signed Merkle root.
        await svc.db.run(`UPDATE events SET event_hash = ? WHERE id = ?`, ['ff'.repeat(32), target.id]);
        const r2 = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
        const codes2 = r2.body.problems.map((p: { code: string }) => p.code);
        expect(codes2).toEqual(expect.arrayContaining(['chain-link', 'merkle-root', 'merkle-nodes']));
        // and the lookup's chain verification flags the drive too
        const view = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?drive=DRIVE-A');
        expect(view.body.drives[0].verification.ok).toBe(false);
      });
    });
  });
}
