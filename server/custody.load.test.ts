/**
 * Load test, on every engine: 50 concurrent clients push SCELLE_LOAD_EVENTS events (default
 * 10,000; bench/custody-load.ts runs 100,000) over loopback with duplicates and retries
 * injected; afterwards every event is stored exactly once and the integrity check passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAuthor, testCustomer, testSecretKey } from '../shared/custody/testing.js';
import { runLoad } from './load-driver.js';
import { call, loadChains, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

const TOTAL = Number(process.env['SCELLE_LOAD_EVENTS'] ?? 10_000);
const PER_DRIVE = 5;

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  suite(`custody service load on ${engine.name}`, () => {
    let svc: TestService;
    const station = testAuthor('station', 'station-load');
    beforeAll(async () => {
      svc = await startTestService(engine, { customerDrive: 'none', stationId: 'station-load' });
      const r = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: station.author.publicKey, certificate: testCertificate(station) });
      expect(r.status).toBe(201);
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it(`50 clients, ${TOTAL} events with duplicates and retries: each stored exactly once`, async () => {
      const customer = testCustomer(testSecretKey('load data key'), 'LOAD-0');
      const chains = loadChains(station, customer.author.publicKey, `LOAD-${engine.name}`, Math.ceil(TOTAL / PER_DRIVE), PER_DRIVE);
      const ids = new Set(chains.flat().map((e) => e.id));
      const stats = await runLoad({ baseUrl: svc.baseUrl, token: svc.tokens.station, chains, clients: 50, batchSize: 40, retryRate: 0.1, duplicateRate: 0.3, seed: 7 });
      console.log(
        `load on ${engine.name}: ${stats.stored} stored, ${stats.duplicate} duplicates, ${stats.requests} requests in ${stats.seconds.toFixed(1)} s = ${(stats.stored / stats.seconds).toFixed(0)} events/s`,
      );
      expect(stats.rejected).toBe(0);
      expect(stats.stored).toBe(ids.size);
      expect(stats.duplicate).toBeGreaterThan(0);
      const rows = await svc.db.query('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, MAX(leaf_index) AS m FROM events');
      expect(Number(rows[0]?.['n'])).toBe(ids.size);
      expect(Number(rows[0]?.['d'])).toBe(ids.size);
      expect(Number(rows[0]?.['m'])).toBe(ids.size - 1);
      const cp = await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/checkpoint');
      expect(cp.body.treeSize).toBe(ids.size);
      const integrity = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
      expect(integrity.body).toMatchObject({ ok: true, events: ids.size, treeSize: ids.size });
      const view = await call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?drive=LOAD-${engine.name}-17`);
      expect(view.body.drives[0].events).toHaveLength(PER_DRIVE);
      expect(view.body.drives[0].verification.ok).toBe(true);
    }, 300_000); // ≈ 7 s per engine on an idle 2-core machine; generous for a loaded CI runner
  });
}
