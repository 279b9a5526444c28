/**
 * The client core's sync client (shared/custody/sync-client.ts) against the real service, on
 * every engine: the wire contract of docs/CUSTODY.md §5 exercised from both ends, including the
 * client's checks of receipts, inclusion proofs and checkpoint consistency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../shared/custody/chain-verify.js';
import { CustodyStore } from '../shared/custody/journal.js';
import { CustodySyncClient } from '../shared/custody/sync-client.js';
import { buildTestChain, testNext, type TestChain } from '../shared/custody/testing.js';
import { chainTrustFrom, loadKeys } from './custody/signing-keys.js';
import { TEST_SERVICE_KEY, call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  suite(`sync client against the service on ${engine.name}`, () => {
    let svc: TestService;
    let chain: TestChain;
    const dirs: string[] = [];
    const openStore = async (): Promise<CustodyStore> => {
      const dir = mkdtempSync(join(tmpdir(), 'scelle-sync-'));
      dirs.push(dir);
      return CustodyStore.open(join(dir, 'journal'));
    };
    beforeAll(async () => {
      chain = buildTestChain('DRIVE-SYNC');
      svc = await startTestService(engine, { customerDrive: 'DRIVE-SYNC', stationId: 'station-qc-01' });
      for (const [who, kind] of [
        [chain.station, 'station'],
        [chain.staff, 'staff'],
      ] as const) {
        await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: who.author.publicKey, certificate: testCertificate(who), kind });
      }
    });
    afterAll(async () => {
      await svc?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('pushes a station journal, accepts every receipt and checkpoint, and pushing again changes nothing', async () => {
      const store = await openStore();
      for (const e of chain.provider) await store.append(e);
      const client = new CustodySyncClient({ baseUrl: svc.baseUrl, token: svc.tokens.station, serviceKeys: [TEST_SERVICE_KEY.publicKey], store });
      const r = await client.push();
      expect(r.stored).toHaveLength(4);
      expect(r.rejected).toEqual([]);
      expect(store.pending()).toEqual([]);
      expect(store.receipts()).toHaveLength(4);
      const again = await client.push();
      expect(again.stored).toEqual([]);
      expect((await client.refreshCheckpoint()).treeSize).toBe(4);
      await store.close();
    });

    it('keeps customer events pending while the service lacks the sealed event, then delivers them', async () => {
      const late = buildTestChain('DRIVE-LATE');
      const customerStore = await openStore();
      for (const e of late.customerEvents) await customerStore.append(e);
      const customerToken = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'customer', subject: 'DRIVE-LATE' })).body.token;
      const customer = new CustodySyncClient({ baseUrl: svc.baseUrl, token: customerToken, serviceKeys: [TEST_SERVICE_KEY.publicKey], store: customerStore });
      const first = await customer.push();
      expect(first.deferred.map((d) => d.code)).toContain('missing-genesis');
      expect(customerStore.pending()).toHaveLength(3);
      await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: late.provider });
      const second = await customer.push();
      expect(second.stored).toHaveLength(3);
      expect(customerStore.pending()).toEqual([]);
      await customerStore.close();
    });

    it("looks up a drive; the local verifier accepts it with the service's key registry and receipt times", async () => {
      const store = await openStore();
      const next = testNext(chain.station, 'DRIVE-SYNC', chain.provider[3] ?? null, 'note', { noteRef: 'n-1' }, new Date('2025-03-03T00:00:00Z'));
      await store.append(next);
      const client = new CustodySyncClient({ baseUrl: svc.baseUrl, token: svc.tokens.customer, serviceKeys: [TEST_SERVICE_KEY.publicKey], store });
      const drives = await client.lookupDrives({ drive: 'DRIVE-SYNC' });
      expect(drives).toHaveLength(1);
      const d = drives[0]!;
      expect(d.badReceipts).toBe(0);
      expect(d.receipts).toHaveLength(4);
      const keys = await loadKeys(
        svc.db,
        d.events.map((e) => e.author.publicKey),
      );
      const report = verifyChain(d.events, chainTrustFrom(keys), { trustedTimes: new Map(d.receipts.map((r) => [r.eventId, r.receivedAt])) });
      expect(report.ok).toBe(true);
      await store.close();
    });
  });
}
