/**
 * The service hardened against floods and misuse (issue 9 §5), on every engine: token expiry
 * and rotation, rate limits per address, per failed authentication and per token, the body
 * cap, the per-drive event cap, and the incident register opened by a drive reported lost.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEvent } from '../shared/custody/event.js';
import { buildTestChain, testNext, type TestChain } from '../shared/custody/testing.js';
import { ROTATION_GRACE_MS } from './auth/tokens.js';
import { MAX_EVENTS_PER_DRIVE } from './custody/ingest.js';
import { addressKey } from './http/rate-limits.js';
import { call, loadChains, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

const DAY = 86_400_000;

/** GET over node:http from a chosen loopback source address (127.0.0.0/8 all reach the service). */
function getFrom(localAddress: string, url: string, token: string | null): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers: token ? { authorization: `Bearer ${token}` } : {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const fakeToken = (i: number): string => `sct_${String(i).padStart(43, 'x')}`;

describe('rate-limit address keys', () => {
  it('counts IPv4 per address and IPv6 per /64, so one site cannot rotate through its addresses', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::99')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });
});

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`service hardening on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`service hardening on ${engine.name}`, () => {
    let svc: TestService;
    let clock = new Date('2026-03-01T12:00:00.000Z');
    let chain: TestChain;
    beforeAll(async () => {
      chain = buildTestChain('DRIVE-H');
      svc = await startTestService(engine, {
        customerDrive: 'DRIVE-H',
        stationId: 'station-qc-01',
        now: () => clock,
        rateLimits: { perAddress: 10_000, authFailuresPerAddress: 5, perToken: 40 },
      });
      await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: chain.station.author.publicKey, certificate: testCertificate(chain.station) });
    });
    afterAll(async () => {
      await svc?.stop();
    });

    describe('token lifetime', () => {
      it('a token expires: 401 token-expired after its lifetime, with a sentence saying what to do', async () => {
        const created = await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'support', ttlDays: 2 });
        expect(created.status).toBe(201);
        expect(created.body.expiresAt).toBe(new Date(clock.getTime() + 2 * DAY).toISOString());
        expect((await call(svc.baseUrl, created.body.token, 'GET', '/v1/checkpoint')).status).toBe(200);
        clock = new Date(clock.getTime() + 2 * DAY);
        const r = await call(svc.baseUrl, created.body.token, 'GET', '/v1/checkpoint');
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe('token-expired');
        expect(r.body.error.message).toMatch(/expired.*new one/);
      });

      it('refuses a lifetime over a year or under a day', async () => {
        for (const ttlDays of [0, 366, 1.5]) {
          expect((await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'support', ttlDays })).status).toBe(400);
        }
      });

      it('rotation issues a new token with the same role and subject; the old one works only during the grace period', async () => {
        const old = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'customer', subject: 'DRIVE-H', label: 'client' })).body;
        const rotated = await call(svc.baseUrl, old.token, 'POST', '/v1/tokens/rotate', {});
        expect(rotated.status).toBe(201);
        expect(rotated.body).toMatchObject({ role: 'customer', subject: 'DRIVE-H', label: 'client' });
        expect(rotated.body.token).not.toBe(old.token);
        expect((await call(svc.baseUrl, rotated.body.token, 'GET', '/v1/checkpoint')).status).toBe(200);
        expect((await call(svc.baseUrl, old.token, 'GET', '/v1/checkpoint')).status).toBe(200);
        clock = new Date(clock.getTime() + ROTATION_GRACE_MS);
        expect((await call(svc.baseUrl, old.token, 'GET', '/v1/checkpoint')).body.error.code).toBe('token-expired');
        expect((await call(svc.baseUrl, rotated.body.token, 'GET', '/v1/checkpoint')).status).toBe(200);
        const audit = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries;
        expect(audit.some((e: { action: string }) => e.action === 'tokens.rotate')).toBe(true);
        expect(JSON.stringify(audit)).not.toContain(rotated.body.token);
      });
    });

    describe('rate limits', () => {
      it('an address guessing tokens gets 429 (with Retry-After) once it exceeds its failures, while another address keeps working', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await getFrom('127.0.0.3', `${svc.baseUrl}/v1/checkpoint`, fakeToken(i))).status);
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
        expect(statuses.slice(6)).toEqual([429, 429, 429, 429, 429, 429]);
        // even a valid token is refused from that address until the window ends
        const blocked = await getFrom('127.0.0.3', `${svc.baseUrl}/v1/checkpoint`, svc.tokens.support);
        expect(blocked.status).toBe(429);
        expect(JSON.parse(blocked.body).error.code).toBe('rate-limited');
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        expect((await getFrom('127.0.0.4', `${svc.baseUrl}/v1/checkpoint`, svc.tokens.support)).status).toBe(200);
      });

      it('a token over its own limit gets 429 while other tokens are served', async () => {
        const t = (await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'support' })).body.token;
        const statuses: number[] = [];
        for (let i = 0; i < 45; i++) statuses.push((await getFrom('127.0.0.5', `${svc.baseUrl}/v1/checkpoint`, t)).status);
        expect(statuses.filter((s) => s === 200).length).toBe(40);
        expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429]);
        expect((await getFrom('127.0.0.5', `${svc.baseUrl}/v1/checkpoint`, svc.tokens.station)).status).toBe(200);
      });
    });

    describe('caps', () => {
      it('refuses a body over 1 MiB with 413 too-large', async () => {
        const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [], pad: 'x'.repeat(1024 * 1024) });
        expect(r.status).toBe(413);
        expect(r.body.error.code).toBe('too-large');
      });

      it(`stores at most ${MAX_EVENTS_PER_DRIVE} events per drive: the next is rejected drive-full`, async () => {
        const [big] = loadChains(chain.station, chain.customer.author.publicKey, 'CAP', 1, MAX_EVENTS_PER_DRIVE + 1);
        const events = big ?? [];
        const stored: string[] = [];
        let last: { status: string; code?: string } | undefined;
        for (let i = 0; i < events.length; i += 100) {
          const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: events.slice(i, i + 100) });
          expect(r.status).toBe(200);
          for (const x of r.body.results) if (x.status === 'stored') stored.push(x.id);
          last = r.body.results.at(-1);
        }
        expect(stored.length).toBe(MAX_EVENTS_PER_DRIVE);
        expect(last).toMatchObject({ status: 'rejected', code: 'drive-full' });
      });
    });

    describe('incident register', () => {
      it('a drive reported lost opens an entry; a damaged drive does not', async () => {
        const d = buildTestChain('DRIVE-LOST');
        const [sealed, verified] = d.provider as [SignedEvent, SignedEvent];
        const lost = testNext(d.station, 'DRIVE-LOST', verified, 'incident', { kind: 'lost' }, new Date('2025-03-02T10:00:00Z'));
        const damaged = testNext(d.station, 'DRIVE-LOST', lost, 'incident', { kind: 'damaged' }, new Date('2025-03-02T11:00:00Z'));
        const r = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [sealed, verified, lost, damaged] });
        expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
        const list = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/incidents');
        const mine = list.body.incidents.filter((i: { driveId: string }) => i.driveId === 'DRIVE-LOST');
        expect(mine).toEqual([expect.objectContaining({ driveId: 'DRIVE-LOST', eventId: lost.id, kind: 'lost', reportedAt: lost.at, reportedBy: 'station:station-qc-01' })]);
        // pushing the same report again (a retry) opens nothing more
        await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [lost] });
        expect((await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/incidents')).body.incidents.filter((i: { driveId: string }) => i.driveId === 'DRIVE-LOST')).toHaveLength(1);
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/incidents')).status).toBe(403);
      });
    });
  });
}
