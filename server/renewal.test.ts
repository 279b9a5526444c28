/**
 * Station certificate renewal on the custody service (POST /v1/stations/renew), on every engine
 * of the matrix: only the station's own token with a request signed by its enrolled key gets a
 * certificate; it is short-lived, bounded by the service's setting and by the issuing
 * certificate, chains to the root, is audited, and extends the key's trust at ingest; a revoked
 * station is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { decodeBase64Strict, type SignedEvent } from '../shared/custody/event.js';
import { signRenewalRequest } from '../shared/custody/renewal-request.js';
import { testAuthor, testNext, testSecretKey } from '../shared/custody/testing.js';
import { decodeBase64 } from '../shared/format/base64.js';
import { signRevocationList } from '../shared/format/revocation.js';
import { stationCertificateSha256, verifyStationCertificate } from '../shared/format/station-cert.js';
import { issuingKeyFrom } from './issuing-key.js';
import { call, startTestService, TEST_ROOT_PUBLIC, TEST_ROOT_SECRET, testCertificate, testEngines, testIssuingKey, type TestService } from './testing.js';

const day = 86_400_000;
const root = [decodeBase64(TEST_ROOT_PUBLIC, 32)!];

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`certificate renewal on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`station certificate renewal on ${engine.name}`, () => {
    let svc: TestService;
    // A movable clock: the service's "now".
    let now = new Date('2026-11-01T12:00:00.000Z');
    const station = testAuthor('station', 'station-qc-01');
    const stranger = testAuthor('station', 'station-qc-09');
    const renew = (token: string | null, body: unknown) => call(svc.baseUrl, token, 'POST', '/v1/stations/renew', body);
    const request = (secretKey: Uint8Array, over: { stationId?: string; at?: Date; validityDays?: number } = {}) =>
      signRenewalRequest({ stationId: over.stationId ?? 'station-qc-01', at: over.at ?? now, ...(over.validityDays ? { validityDays: over.validityDays } : {}) }, secretKey);
    const auditOf = async (action: string) =>
      ((await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries as { action: string; query: string }[])
        .filter((e) => e.action === action)
        .map((e) => JSON.parse(e.query) as Record<string, unknown>);

    beforeAll(async () => {
      // Issuing certificate valid one year; the service issues 30-day certificates (the default).
      svc = await startTestService(engine, { customerDrive: 'DRIVE-REN', stationId: 'station-qc-01', now: () => now, issuing: testIssuingKey(now, 365, 90) });
      // Enrolled with a root-signed certificate that expires in two days.
      const enrol = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', {
        publicKey: station.author.publicKey,
        certificate: testCertificate(station, TEST_ROOT_SECRET, new Date(now.getTime() + 2 * day).toISOString()),
      });
      expect(enrol.status).toBe(201);
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('needs a station token for that very station', async () => {
      const body = request(station.secretKey);
      expect((await renew(null, body)).status).toBe(401);
      expect((await renew(svc.tokens.support, body)).status).toBe(403);
      const otherToken = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: 'station-qc-09' })).body.token as string;
      expect(await renew(otherToken, body)).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    });

    it('needs proof of possession: a request signed by the named key, within 10 minutes of the service clock', async () => {
      const forged = { ...request(stranger.secretKey), statement: { ...request(stranger.secretKey).statement, publicKey: station.author.publicKey } };
      expect(await renew(svc.tokens.station, forged)).toMatchObject({ status: 400, body: { error: { code: 'bad-proof' } } });
      const stale = request(station.secretKey, { at: new Date(now.getTime() - 11 * 60_000) });
      expect(await renew(svc.tokens.station, stale)).toMatchObject({ status: 400, body: { error: { code: 'bad-proof' } } });
      // A key that signs correctly but is not enrolled for this station.
      expect(await renew(svc.tokens.station, request(stranger.secretKey))).toMatchObject({ status: 403, body: { error: { code: 'unknown-station' } } });
      expect(await auditOf('stations.renew.refused')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ refusal: 'bad-proof' }),
          expect.objectContaining({ refusal: 'unknown-station', publicKey: stranger.author.publicKey }),
          expect.objectContaining({ refusal: 'forbidden' }),
        ]),
      );
    });

    it('issues a 30-day certificate that chains to the root through the issuing certificate, bounded whatever is asked, and audited', async () => {
      const r = await renew(svc.tokens.station, request(station.secretKey, { validityDays: 90 }));
      expect(r.status).toBe(201);
      const { certificate, issuingCertificate, certificateSha256 } = r.body;
      expect(Date.parse(certificate.expiresAt) - Date.parse(certificate.issuedAt)).toBe(30 * day);
      expect(certificate.issuedAt).toBe(now.toISOString());
      expect(certificateSha256).toBe(stationCertificateSha256(certificate));
      expect(verifyStationCertificate(certificate, decodeBase64Strict(station.author.publicKey, 32)!, root, now, 'station-qc-01', issuingCertificate)).toEqual({
        certified: true,
        reason: null,
      });
      // Not a root-signed certificate: without the issuing certificate it does not verify.
      expect(verifyStationCertificate(certificate, decodeBase64Strict(station.author.publicKey, 32)!, root, now, 'station-qc-01').reason).toBe('unknown-root');
      const shorter = await renew(svc.tokens.station, request(station.secretKey, { validityDays: 3 }));
      expect(Date.parse(shorter.body.certificate.expiresAt) - Date.parse(shorter.body.certificate.issuedAt)).toBe(3 * day);
      expect(await auditOf('stations.renew')).toEqual(
        expect.arrayContaining([
          { stationId: 'station-qc-01', publicKey: station.author.publicKey, certificateSha256, expiresAt: certificate.expiresAt },
          expect.objectContaining({ certificateSha256: shorter.body.certificateSha256 }),
        ]),
      );
      const rows = await svc.db.query(`SELECT certificate_sha256 FROM station_certificates WHERE public_key = ?`, [station.author.publicKey]);
      expect(rows.map((x) => String(x['certificate_sha256'])).sort()).toEqual([certificateSha256, shorter.body.certificateSha256].sort());
    });

    it('a renewed certificate keeps the key trusted at ingest after its enrolment certificate expired', async () => {
      // Five days on: the root-signed certificate (two days) has expired; the 30-day renewal covers now.
      now = new Date(now.getTime() + 5 * day);
      const sealed = testNext(
        station,
        'DRIVE-REN',
        null,
        'sealed',
        { manifestSha256: 'cd'.repeat(32), files: 1, bytes: 1, parts: 1, customerPublicKey: station.author.publicKey, stationCertificateSha256: 'ab'.repeat(32) },
        now,
      );
      const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [sealed] });
      expect(r.body.results[0]).toMatchObject({ status: 'stored' });
      // Past every certificate (a further 40 days): unknown again.
      now = new Date(now.getTime() + 40 * day);
      const late: SignedEvent = testNext(station, 'DRIVE-REN', sealed, 'verified', { level: 'media', ok: true, problems: 0 }, now);
      expect((await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [late] })).body.results[0]).toMatchObject({ status: 'rejected', code: 'unknown-key' });
    });

    it('refuses a station whose certificate the published revocation list names, and a station revoked on the service', async () => {
      const ok = await renew(svc.tokens.station, request(station.secretKey));
      expect(ok.status).toBe(201);
      const list = signRevocationList(TEST_ROOT_SECRET, 1, [{ certificateSha256: ok.body.certificateSha256, revokedAt: now.toISOString(), reason: 'key-compromise' }]);
      expect((await call(svc.baseUrl, svc.tokens.admin, 'PUT', '/v1/revocations', list)).status).toBe(200);
      expect(await renew(svc.tokens.station, request(station.secretKey))).toMatchObject({ status: 403, body: { error: { code: 'station-revoked' } } });

      // Another station, enrolled by the admin without a certificate: the service issues its first one.
      const other = testAuthor('station', 'station-qc-03');
      const enrol = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: other.author.publicKey, stationId: 'station-qc-03' });
      expect(enrol.status).toBe(201);
      expect(
        verifyStationCertificate(enrol.body.certificate, decodeBase64Strict(other.author.publicKey, 32)!, root, now, 'station-qc-03', enrol.body.issuingCertificate).certified,
      ).toBe(true);
      const otherToken = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: 'station-qc-03' })).body.token as string;
      const signWith = (at: Date) => signRenewalRequest({ stationId: 'station-qc-03', at }, other.secretKey);
      expect((await renew(otherToken, signWith(now))).status).toBe(201);
      expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations/station-qc-03/revoke', { reason: 'stolen laptop' })).status).toBe(200);
      expect(await renew(otherToken, signWith(now))).toMatchObject({ status: 403, body: { error: { code: 'station-revoked' } } });
    });
  });

  suite(`renewal bounded by the issuing certificate on ${engine.name}`, () => {
    it('never outlives the issuing certificate; without an issuing key the service answers 409 no-issuing-key', async () => {
      const now = new Date('2026-11-01T12:00:00.000Z');
      const station = testAuthor('station', 'station-qc-01');
      // The issuing certificate expires in 5 days; the service is set to 30-day certificates.
      const svc = await startTestService(engine, { customerDrive: 'X', stationId: 'station-qc-01', now: () => now, issuing: testIssuingKey(now, 5) });
      try {
        expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: station.author.publicKey, certificate: testCertificate(station) })).status).toBe(
          201,
        );
        const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/stations/renew', signRenewalRequest({ stationId: 'station-qc-01', at: now }, station.secretKey));
        expect(r.status).toBe(201);
        expect(r.body.certificate.expiresAt).toBe(r.body.issuingCertificate.expiresAt);
        expect(Date.parse(r.body.certificate.expiresAt)).toBe(now.getTime() + 5 * day);
      } finally {
        await svc.stop();
      }
      const none = await startTestService(engine, { customerDrive: 'X', stationId: 'station-qc-01', now: () => now, issuing: null });
      try {
        expect((await call(none.baseUrl, none.tokens.admin, 'POST', '/v1/stations', { publicKey: station.author.publicKey, certificate: testCertificate(station) })).status).toBe(
          201,
        );
        const r = await call(none.baseUrl, none.tokens.station, 'POST', '/v1/stations/renew', signRenewalRequest({ stationId: 'station-qc-01', at: now }, station.secretKey));
        expect(r).toMatchObject({ status: 409, body: { error: { code: 'no-issuing-key' } } });
      } finally {
        await none.stop();
      }
    });

    it('the service refuses to start with an issuing certificate the root did not sign, or for another key', () => {
      const genuine = testIssuingKey();
      expect(() => testIssuingKeyWith(genuine.certificate, testSecretKey('another key'))).toThrow(expect.objectContaining({ code: 'E_SERVER_CONFIG' }));
      expect(() => testIssuingKeyWith({ ...genuine.certificate, maxStationValidityDays: 7 }, genuine.secretKey)).toThrow(expect.objectContaining({ code: 'E_SERVER_CONFIG' }));
      expect(ed25519.getPublicKey(genuine.secretKey)).toEqual(decodeBase64Strict(genuine.certificate.publicKey, 32));
    });
  });
}

function testIssuingKeyWith(certificate: unknown, secretKey: Uint8Array) {
  return issuingKeyFrom(secretKey, certificate, TEST_ROOT_PUBLIC);
}
