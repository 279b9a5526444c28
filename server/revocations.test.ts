/**
 * The provider's revocation list on the custody service, on every engine of the matrix: the
 * admin publishes lists signed by the provider root; anyone fetches the newest without a
 * token; an older, foreign or altered list is refused and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRevocationList, verifyRevocationList } from '../shared/format/revocation.js';
import { decodeBase64 } from '../shared/format/base64.js';
import { testSecretKey } from '../shared/custody/testing.js';
import { TEST_ROOT_PUBLIC, TEST_ROOT_SECRET, call, startTestService, testEngines, type TestService } from './testing.js';

const entry = (n: number) => ({ certificateSha256: n.toString(16).padStart(64, '0'), revokedAt: '2026-02-01T00:00:00.000Z', reason: 'key-compromise' as const });

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`revocation lists on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`revocation lists on ${engine.name}`, () => {
    let svc: TestService;
    beforeAll(async () => {
      svc = await startTestService(engine, { customerDrive: 'DRIVE-REV', stationId: 'station-qc-01' });
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('publishes the root-signed list to anyone, refuses an older, foreign or altered one, and audits each upload', async () => {
      expect((await call(svc.baseUrl, null, 'GET', '/v1/revocations')).status).toBe(404);
      const two = signRevocationList(TEST_ROOT_SECRET, 2, [entry(1)]);
      expect((await call(svc.baseUrl, null, 'PUT', '/v1/revocations', two)).status).toBe(401);
      expect((await call(svc.baseUrl, svc.tokens.station, 'PUT', '/v1/revocations', two)).status).toBe(403);
      expect((await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', two)).body).toEqual({ sequence: 2, revoked: 1, stored: true });
      expect((await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', two)).body).toMatchObject({ stored: false });

      const older = await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', signRevocationList(TEST_ROOT_SECRET, 1, []));
      expect(older).toMatchObject({ status: 409, body: { error: { code: 'revocations-rollback' } } });
      const foreign = await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', signRevocationList(testSecretKey('not the root'), 3, []));
      expect(foreign).toMatchObject({ status: 400, body: { error: { code: 'revocations-unknown-root' } } });
      const altered = await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', {
        ...signRevocationList(TEST_ROOT_SECRET, 3, [entry(1), entry(2)]),
        revoked: [entry(2)],
      });
      expect(altered).toMatchObject({ status: 400, body: { error: { code: 'revocations-bad-signature' } } });
      const sameNumber = await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', signRevocationList(TEST_ROOT_SECRET, 2, []));
      expect(sameNumber).toMatchObject({ status: 409, body: { error: { code: 'revocations-conflict' } } });

      const served = await call(svc.baseUrl, null, 'GET', '/v1/revocations');
      expect(served.status).toBe(200);
      expect(verifyRevocationList(served.body, [decodeBase64(TEST_ROOT_PUBLIC, 32)!])).toMatchObject({ sequence: 2, revoked: [entry(1)] });

      const audit = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries as { action: string; resultCount: number }[];
      expect(
        audit
          .filter((a) => a.action === 'revocations.publish')
          .map((a) => a.resultCount)
          .sort(),
      ).toEqual([0, 1]);
    });
  });
}
