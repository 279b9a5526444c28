/**
 * Sealed sets in the custody service (server/custody/sets.ts), on every engine of the matrix:
 * each member's sealed event records its membership; the set view shows every member; a lookup
 * by any member's tracking number brings the whole set; a lost member opens an incident naming
 * the set, its position and what it held; stations read only the sets of their own drives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEvent } from '../shared/custody/event.js';
import type { SetMemberView } from '../shared/custody/set-view.js';
import { buildTestSet, testAuthor, testNext, type TestSet } from '../shared/custody/testing.js';
import { createToken } from './auth/tokens.js';
import { call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`sealed sets on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`sealed sets on ${engine.name}`, () => {
    let svc: TestService;
    let set: TestSet;
    let other: TestSet;
    const stationB = testAuthor('station', 'station-qc-02');
    let tokenB: string;
    let customerOfMember2: string;
    const push = (token: string, events: unknown[]) => call(svc.baseUrl, token, 'POST', '/v1/events', { events });
    const audits = async (action: string) =>
      (await svc.db.query(`SELECT query, result_count FROM audit_log WHERE action = ? ORDER BY at, id`, [action])).map((r) => [String(r['query']), Number(r['result_count'])]);

    beforeAll(async () => {
      set = buildTestSet('SET-A1', ['MEMBER-A1', 'MEMBER-A2', 'MEMBER-A3']);
      svc = await startTestService(engine, { customerDrive: 'MEMBER-A1', stationId: 'station-qc-01' });
      for (const who of [set.station, stationB])
        expect(
          (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: who.author.publicKey, certificate: testCertificate(who), kind: 'station' })).status,
        ).toBe(201);
      tokenB = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: 'station-qc-02' })).body.token;
      customerOfMember2 = (await createToken(svc.db, 'customer', 'MEMBER-A2', 'member 2 customer', new Date())).token;
      // Members travel separately: members 1 and 2 are pushed whole, member 3 only sealed.
      const r = await push(svc.tokens.station, [...set.chains[0]!, ...set.chains[1]!, set.chains[2]![0]]);
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(Array(7).fill('stored'));
      // Station B seals a set of its own.
      const b = buildTestSet('SET-B1', ['MEMBER-B1', 'MEMBER-B2']);
      // (sealed and verified only: its test tracking numbers are the same as set A's)
      other = { ...b, station: stationB, chains: b.chains.map((c) => resign(c.slice(0, 2), stationB)) };
      expect((await push(tokenB, other.chains.flat())).body.results.every((x: { status: string }) => x.status === 'stored')).toBe(true);
    });
    afterAll(async () => {
      await svc?.stop();
    });

    /** The same chain authored and signed by `who`. */
    function resign(chain: SignedEvent[], who: typeof stationB): SignedEvent[] {
      const out: SignedEvent[] = [];
      for (const e of chain) out.push(testNext(who, e.driveId, out.at(-1) ?? null, e.type, e.data as never, new Date(e.at)));
      return out;
    }

    it('stores each member sealed event with its membership, append-only', async () => {
      const rows = await svc.db.query(`SELECT drive_id, set_id, position, members, drive_ids, parts, tar_bytes FROM set_members WHERE set_id = 'SET-A1' ORDER BY position`);
      expect(
        rows.map((r) => [r['drive_id'], r['set_id'], Number(r['position']), Number(r['members']), JSON.parse(String(r['drive_ids'])), Number(r['parts']), Number(r['tar_bytes'])]),
      ).toEqual([
        ['MEMBER-A1', 'SET-A1', 1, 3, set.driveIds, 2, 1000],
        ['MEMBER-A2', 'SET-A1', 2, 3, set.driveIds, 2, 1000],
        ['MEMBER-A3', 'SET-A1', 3, 3, set.driveIds, 2, 1000],
      ]);
      await expect(svc.db.run(`UPDATE set_members SET position = 9`)).rejects.toThrow(/append-only/);
    });

    it("GET /v1/sets/:setId shows every member's drive id, position, tracking number, state and anomalies, and is audited", async () => {
      const r = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/sets/SET-A1');
      expect(r.status).toBe(200);
      expect(r.body.set.memberViews.map((m: SetMemberView) => [m.position, m.driveId, m.state, m.shipment?.trackingNumber ?? null, m.anomalies, m.chain])).toEqual([
        [1, 'MEMBER-A1', 'shipped', '1Z999AA10123456784', [], 'ok'],
        [2, 'MEMBER-A2', 'shipped', '1Z999AA10123456795', [], 'ok'],
        [3, 'MEMBER-A3', 'sealed', null, [], 'ok'],
      ]);
      expect(r.body.set).toMatchObject({ setId: 'SET-A1', members: 3, ok: true, problems: [] });
      expect(r.body.drives.map((d: { driveId: string }) => d.driveId)).toEqual(set.driveIds);
      expect(await audits('sets.view')).toContainEqual([JSON.stringify({ set: 'SET-A1' }), 3]);
      expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/sets/NO-SUCH-SET')).status).toBe(404);
      expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/sets/bad%20id')).status).toBe(400);
    });

    it("a lookup by any member's tracking number returns that drive and the whole set", async () => {
      const r = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?tracking=1Z%20999%20AA1%2001%202345%206795');
      expect(r.status).toBe(200);
      expect(r.body.drives.map((d: { driveId: string }) => d.driveId)).toEqual(['MEMBER-A2']);
      expect(r.body.drives[0].verification.set).toMatchObject({ id: 'SET-A1', position: 2, members: 3 });
      expect(r.body.sets).toHaveLength(1);
      expect(r.body.sets[0].memberViews.map((m: { driveId: string; state: string }) => [m.driveId, m.state])).toEqual([
        ['MEMBER-A1', 'shipped'],
        ['MEMBER-A2', 'shipped'],
        ['MEMBER-A3', 'sealed'],
      ]);
      // a drive sealed alone brings no set
      const alone = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?drive=NOT-A-MEMBER');
      expect(alone.body).toEqual({ drives: [], sets: [] });
    });

    it('a member reported lost opens an incident naming the set, its position and what it held (counts and bytes only)', async () => {
      const [, , shipped] = set.chains[1]!;
      const lost = testNext(set.station, 'MEMBER-A2', shipped!, 'incident', { kind: 'lost' }, new Date('2025-03-04T10:00:00Z'));
      expect((await push(svc.tokens.station, [lost])).body.results[0].status).toBe('stored');
      const list = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/incidents');
      expect(list.body.incidents.filter((i: { driveId: string }) => i.driveId === 'MEMBER-A2')).toEqual([
        expect.objectContaining({
          eventId: lost.id,
          kind: 'lost',
          set: { id: 'SET-A1', position: 2, members: 3 },
          held: { parts: 2, tarBytes: 1000, files: null, bytes: null },
        }),
      ]);
      // the set view shows the member's open incident
      const view = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/sets/SET-A1');
      expect(view.body.set.memberViews[1]).toMatchObject({ driveId: 'MEMBER-A2', state: 'incident', openIncident: { kind: 'lost' } });
    });

    it('a drive sealed alone and reported lost names what it held, and no set', async () => {
      const alone = buildTestSet('SET-X', ['ALONE-1', 'ALONE-2']);
      const [sealed] = alone.chains[0]!;
      const { set: _set, ...data } = sealed!.data as Record<string, unknown>;
      const single = testNext(set.station, 'ALONE-1', null, 'sealed', data as never, new Date(sealed!.at));
      const lost = testNext(set.station, 'ALONE-1', single, 'incident', { kind: 'lost' }, new Date('2025-03-04T11:00:00Z'));
      expect((await push(svc.tokens.station, [single, lost])).body.results.map((x: { status: string }) => x.status)).toEqual(['stored', 'stored']);
      const list = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/incidents');
      expect(list.body.incidents.find((i: { driveId: string }) => i.driveId === 'ALONE-1')).toMatchObject({
        set: null,
        held: { parts: 4, tarBytes: null, files: 30, bytes: 2500 },
      });
    });

    it("stations read only the sets of their own drives; a customer only its own drive's set", async () => {
      expect((await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/sets/SET-A1')).status).toBe(200);
      const denied = await call(svc.baseUrl, tokenB, 'GET', '/v1/sets/SET-A1');
      expect(denied.status).toBe(403);
      expect(JSON.stringify(denied.body)).not.toMatch(/MEMBER-A/);
      // the same refusal for a set that does not exist: no existence oracle
      expect((await call(svc.baseUrl, tokenB, 'GET', '/v1/sets/NO-SUCH-SET')).status).toBe(403);
      expect((await call(svc.baseUrl, tokenB, 'GET', '/v1/sets/SET-B1')).status).toBe(200);
      expect((await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/sets/SET-B1')).status).toBe(403);
      expect((await call(svc.baseUrl, customerOfMember2, 'GET', '/v1/sets/SET-A1')).status).toBe(200);
      expect((await call(svc.baseUrl, customerOfMember2, 'GET', '/v1/sets/SET-B1')).status).toBe(403);
      // a customer's own drive lookup carries its set; stations may not use the drive lookup at all
      const own = await call(svc.baseUrl, customerOfMember2, 'GET', '/v1/drives?drive=MEMBER-A2');
      expect(own.body.sets.map((s: { setId: string }) => s.setId)).toEqual(['SET-A1']);
      expect((await call(svc.baseUrl, tokenB, 'GET', '/v1/drives?drive=MEMBER-A2')).status).toBe(403);
      expect(await audits('sets.view.denied')).toContainEqual([JSON.stringify({ set: 'SET-A1' }), 0]);
    });

    it('an access request about one member covers every member of its set and the reads of the set', async () => {
      const r = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/access-request?drive=MEMBER-A3');
      expect(r.status).toBe(200);
      expect(r.body.driveIds).toEqual(set.driveIds);
      expect(r.body.setIds).toEqual(['SET-A1']);
      expect(r.body.incidents.map((i: { driveId: string }) => i.driveId)).toEqual(['MEMBER-A2']);
      expect(r.body.accessLog.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['sets.view', 'sets.view.denied', 'drives.lookup']));
    });

    it('a drive of another station claiming a place in the set gains no access and is flagged', async () => {
      const [sealed] = set.chains[0]!;
      const data = sealed!.data as { set: Record<string, unknown> };
      const claim = testNext(
        stationB,
        'INTRUDER-1',
        null,
        'sealed',
        { ...sealed!.data, set: { ...data.set, position: 1, driveIds: ['INTRUDER-1', 'MEMBER-A2', 'MEMBER-A3'] } } as never,
        new Date(),
      );
      expect((await push(tokenB, [claim])).body.results[0].status).toBe('stored');
      expect((await call(svc.baseUrl, tokenB, 'GET', '/v1/sets/SET-A1')).status).toBe(403);
      const view = await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/sets/SET-A1');
      expect(view.body.set.memberViews.map((m: { driveId: string }) => m.driveId)).toEqual(set.driveIds);
      expect(view.body.set.problems).toEqual([expect.objectContaining({ code: 'set-mismatch', driveId: 'INTRUDER-1' })]);
    });
  });
}
