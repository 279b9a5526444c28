/**
 * Drive ownership in the custody service (server/custody/ownership.ts), on every engine of the
 * matrix: the sealing station owns the drive; another station appends only after a handoff;
 * station tokens name their station; lookups carry ownership and custody anomalies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEvent } from '../shared/custody/event.js';
import { signHandoff } from '../shared/custody/handoff.js';
import { buildTestChain, testAuthor, testNext, type TestChain } from '../shared/custody/testing.js';
import { createToken } from './auth/tokens.js';
import { call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`drive ownership on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`drive ownership on ${engine.name}`, () => {
    let svc: TestService;
    let a: TestChain;
    const stationB = testAuthor('station', 'station-qc-02');
    let tokenB: string;
    const push = (token: string, events: unknown[]) => call(svc.baseUrl, token, 'POST', '/v1/events', { events });
    const stored = async (driveId: string): Promise<string[]> =>
      (await svc.db.query(`SELECT id FROM events WHERE drive_id = ? ORDER BY leaf_index`, [driveId])).map((r) => String(r['id']));
    const treeSize = async (): Promise<number> => Number((await svc.db.query(`SELECT size FROM tree_state WHERE id = 1`))[0]?.['size']);

    beforeAll(async () => {
      a = buildTestChain('DRIVE-OWN');
      svc = await startTestService(engine, { customerDrive: 'DRIVE-OWN', stationId: 'station-qc-01' });
      for (const [who, kind] of [
        [a.station, 'station'],
        [a.staff, 'staff'],
        [stationB, 'station'],
      ] as const) {
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: who.author.publicKey, certificate: testCertificate(who), kind })).status).toBe(201);
      }
      tokenB = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: 'station-qc-02' })).body.token;
      // station A seals and verifies its drive
      const r = await push(svc.tokens.station, a.provider.slice(0, 2));
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['stored', 'stored']);
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it("cross-station write: station B appending shipped and incident(lost) to station A's drive is refused (not-owner) and nothing is stored", async () => {
      const [, verified] = a.provider as [SignedEvent, SignedEvent];
      const shippedByB = testNext(stationB, a.driveId, verified, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, new Date('2025-03-01T15:00:00Z'));
      const lostByB = testNext(stationB, a.driveId, shippedByB, 'incident', { kind: 'lost' }, new Date('2025-03-01T15:05:00Z'));
      const lostAtOnce = testNext(stationB, a.driveId, verified, 'incident', { kind: 'lost' }, new Date('2025-03-01T15:05:00Z'));
      const before = await stored(a.driveId);
      const size = await treeSize();
      const r = await push(tokenB, [shippedByB, lostByB, lostAtOnce]);
      expect(r.status).toBe(200);
      expect(r.body.results[0]).toMatchObject({ id: shippedByB.id, status: 'rejected', code: 'not-owner' });
      // the incident builds on the refused shipped (gap) or directly on A's head (not-owner): never stored
      expect(r.body.results[1].status).toBe('rejected');
      expect(r.body.results[2]).toMatchObject({ id: lostAtOnce.id, status: 'rejected', code: 'not-owner' });
      expect(r.body.results[0].message).toMatch(/station-qc-01/);
      expect(await stored(a.driveId)).toEqual(before);
      expect(await treeSize()).toBe(size);
      // the chain still verifies for support, with A's two events only
      const view = await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?drive=${a.driveId}`);
      expect(view.body.drives[0].events.map((e: SignedEvent) => e.id)).toEqual(before);
      expect(view.body.drives[0].ownership).toMatchObject({ sealedBy: 'station-qc-01', owner: 'station-qc-01', handoffs: [] });
    });

    it('a station token that names no station is refused for station events, and no such token can be created', async () => {
      const legacy = 'sct_' + 'L'.repeat(43);
      const { createHash } = await import('node:crypto');
      await svc.db.run(`INSERT INTO tokens (id, token_hash, role, subject, label, created_at) VALUES (?, ?, 'station', NULL, 'legacy', ?)`, [
        'legacy-station',
        createHash('sha256').update(legacy).digest('hex'),
        new Date().toISOString(),
      ]);
      const d = buildTestChain('DRIVE-LEGACY');
      const r = await push(legacy, [d.provider[0]]);
      expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(r.body.results[0].message).toMatch(/names no station/);
      expect(await stored('DRIVE-LEGACY')).toEqual([]);
      const created = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station' });
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('E_USAGE');
      await expect(createToken(svc.db, 'station', null, 'x', new Date())).rejects.toMatchObject({ code: 'E_USAGE' });
    });

    it('handoff: signed by the holding station or assigned by an admin, to an enrolled station; then B appends and A may not', async () => {
      const [, verified] = a.provider as [SignedEvent, SignedEvent];
      const handoff = (token: string, driveId: string, toStation: string, signed?: unknown) =>
        call(svc.baseUrl, token, 'POST', `/v1/drives/${driveId}/handoff`, { toStation, ...(signed ? { signed } : {}) });
      const sign = (over: Partial<{ driveId: string; fromStation: string; toStation: string; at: Date }> = {}, key = a.station.secretKey) =>
        signHandoff({ driveId: a.driveId, fromStation: 'station-qc-01', toStation: 'station-qc-02', at: new Date(), ...over }, key);
      expect(await handoff(tokenB, a.driveId, 'station-qc-02')).toMatchObject({ status: 403, body: { error: { code: 'not-owner' } } });
      expect((await handoff(svc.tokens.support, a.driveId, 'station-qc-02')).status).toBe(403);
      expect(await handoff(svc.tokens.admin, a.driveId, 'station-nobody')).toMatchObject({ status: 400, body: { error: { code: 'unknown-station' } } });
      expect(await handoff(svc.tokens.admin, 'DRIVE-NONE', 'station-qc-02')).toMatchObject({ status: 404, body: { error: { code: 'unknown-drive' } } });
      expect(await handoff(svc.tokens.station, a.driveId, 'station-qc-01')).toMatchObject({ status: 400, body: { error: { code: 'same-station' } } });
      // the holding station must sign its handoff with its own live station key, fresh, for this drive and target
      const badHandoff = { status: 400, body: { error: { code: 'bad-handoff' } } };
      expect(await handoff(svc.tokens.station, a.driveId, 'station-qc-02')).toMatchObject(badHandoff);
      expect(await handoff(svc.tokens.station, a.driveId, 'station-qc-02', sign({}, stationB.secretKey))).toMatchObject(badHandoff);
      expect(await handoff(svc.tokens.station, a.driveId, 'station-qc-02', sign({ at: new Date(Date.now() - 3_600_000) }))).toMatchObject(badHandoff);
      expect(await handoff(svc.tokens.station, a.driveId, 'station-qc-02', sign({ driveId: 'DRIVE-OTHER' }))).toMatchObject(badHandoff);
      const tampered = sign();
      expect(
        await handoff(svc.tokens.station, a.driveId, 'station-qc-02', { ...tampered, statement: { ...tampered.statement, at: new Date(Date.now() + 1000).toISOString() } }),
      ).toMatchObject(badHandoff);
      expect(await stored(a.driveId)).toHaveLength(2);
      // the holding station hands its drive to B
      const signed = sign();
      const ok = await handoff(svc.tokens.station, a.driveId, 'station-qc-02', signed);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ driveId: a.driveId, sealedBy: 'station-qc-01', owner: 'station-qc-02' });
      expect(ok.body.handoffs).toHaveLength(1);
      expect(ok.body.handoffs[0]).toMatchObject({ from: 'station-qc-01', to: 'station-qc-02', byRole: 'station', signedBy: a.station.author.publicKey });
      const row = (await svc.db.query(`SELECT statement, signature FROM drive_handoffs WHERE drive_id = ?`, [a.driveId]))[0];
      expect(JSON.parse(String(row?.['statement']))).toEqual(signed.statement);
      expect(row?.['signature']).toBe(signed.signature);
      // B now appends; A no longer may
      const shippedByB = testNext(stationB, a.driveId, verified, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, new Date('2025-03-01T16:00:00Z'));
      expect((await push(tokenB, [shippedByB])).body.results[0].status).toBe('stored');
      const noteByA = testNext(a.station, a.driveId, shippedByB, 'note', { noteRef: 'n-1' }, new Date('2025-03-01T16:10:00Z'));
      expect((await push(svc.tokens.station, [noteByA])).body.results[0]).toMatchObject({ status: 'rejected', code: 'not-owner' });
      // staff events are not bound to a station
      const delivered = testNext(a.staff, a.driveId, shippedByB, 'delivered', {}, new Date('2025-03-02T10:00:00Z'));
      expect((await push(tokenB, [delivered])).body.results[0].status).toBe('stored');
      // an admin hands it back
      expect((await handoff(svc.tokens.admin, a.driveId, 'station-qc-01')).body).toMatchObject({ owner: 'station-qc-01' });
      const noteByA2 = testNext(a.station, a.driveId, delivered, 'note', { noteRef: 'n-2' }, new Date('2025-03-02T11:00:00Z'));
      expect((await push(svc.tokens.station, [noteByA2])).body.results[0].status).toBe('stored');
      const view = await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?drive=${a.driveId}`);
      expect(view.body.drives[0].ownership.handoffs.map((h: { byRole: string; signedBy: string | null }) => [h.byRole, h.signedBy])).toEqual([
        ['station', a.station.author.publicKey],
        ['admin', null],
      ]);
      expect(view.body.drives[0].verification.ok).toBe(true);
      const audit = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries.map((e: { action: string }) => e.action);
      expect(audit.filter((x: string) => x === 'drives.handoff')).toHaveLength(2);
      expect(audit).toContain('drives.handoff.refused');
    });

    it('lookup reports custody anomalies (received before shipped) and keeps the signed events', async () => {
      const d = buildTestChain('DRIVE-ODD');
      const [sealed, verified] = d.provider as [SignedEvent, SignedEvent];
      const customerToken = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'customer', subject: 'DRIVE-ODD' })).body.token;
      expect((await push(svc.tokens.station, [sealed, verified])).body.results.every((x: { status: string }) => x.status === 'stored')).toBe(true);
      const received = d.customerEvents[0] as SignedEvent;
      expect((await push(customerToken, [received])).body.results[0].status).toBe('stored');
      const view = (await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?drive=DRIVE-ODD')).body.drives[0];
      expect(view.events.map((e: SignedEvent) => e.id)).toEqual([sealed.id, verified.id, received.id]);
      expect(view.verification.problems).toEqual([]);
      expect(view.verification.anomalies.map((x: { kind: string; eventId: string }) => [x.kind, x.eventId])).toEqual([['received-before-shipped', received.id]]);
      expect(view.verification).toMatchObject({ ok: false, status: 'warning' });
    });
  });
}
