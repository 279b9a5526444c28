/**
 * Privacy that holds (issue 9 §6): retention erases deleted personal data from the database's
 * files, deletion dates stay inside the policy's window, and access requests export everything
 * held about an order, drive or contact (JSON and a bilingual PDF), audited.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEvent } from '../shared/custody/event.js';
import { buildTestChain, testNext } from '../shared/custody/testing.js';
import { ACCESS_REPORT_EN, ACCESS_REPORT_FR } from './access/access-report-text.js';
import { createServer, type CustodyServer } from './app.js';
import { openSqlite } from './db/sqlite.js';
import { putPersonalRecord } from './personal-records.js';
import { TEST_ROOT_PUBLIC, TEST_SERVICE_KEY, call, startTestService, testCertificate, testEngines, type TestService } from './testing.js';

const DAY = 86_400_000;

/** The bytes of the SQLite file and its WAL, if any. */
function sqliteFiles(file: string): Buffer {
  return Buffer.concat([readFileSync(file), existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
}

describe('retention erases for good on SQLite', () => {
  let dir: string;
  let file: string;
  let server: CustodyServer;
  const now = new Date('2026-04-01T00:00:00.000Z');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scelle-privacy-'));
    file = join(dir, 'custody.sqlite');
    server = await createServer({ db: openSqlite(file), serviceKey: TEST_SERVICE_KEY, rootPublicKey: TEST_ROOT_PUBLIC, now: () => now });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a record deleted by retention leaves no trace of its marker in the database file or its WAL', async () => {
    const marker = `MARKER-${randomBytes(12).toString('hex')}`;
    const keeper = `KEEPER-${randomBytes(12).toString('hex')}`;
    await server.ctx.db.transaction(async (tx) => {
      await putPersonalRecord(tx, 'ORD-GONE', { name: marker, contact: `${marker}@example.ca`, address: `${marker} rue Principale`, deleteAfter: '2026-04-10T00:00:00Z' }, now);
      await putPersonalRecord(tx, 'ORD-STAYS', { name: keeper, deleteAfter: '2026-12-01T00:00:00Z' }, now);
    });
    // The marker is on disk before retention (else this test could not fail).
    expect(sqliteFiles(file).includes(marker)).toBe(true);
    expect(await server.runRetention(new Date('2026-04-11T00:00:00Z'))).toBe(1);
    const bytes = sqliteFiles(file);
    expect(bytes.includes(marker)).toBe(false);
    expect(bytes.includes(keeper)).toBe(true);
    expect(existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).length : 0).toBe(0);
  });

  it('a record deleted at once (DELETE /v1/personal) is erased the same way', async () => {
    const marker = `MARKER-${randomBytes(12).toString('hex')}`;
    await server.ctx.db.transaction((tx) => putPersonalRecord(tx, 'ORD-ASKED', { name: marker, deleteAfter: '2026-05-01T00:00:00Z' }, now));
    const { createToken } = await import('./auth/tokens.js');
    const admin = await createToken(server.ctx.db, 'admin', null, 'test', now);
    const r = await server.app.inject({ method: 'DELETE', url: '/v1/personal/ORD-ASKED', headers: { authorization: `Bearer ${admin.token}` } });
    expect(r.statusCode).toBe(200);
    expect(sqliteFiles(file).includes(marker)).toBe(false);
  });
});

const WIN_ANSI_EXTRA: Record<string, string> = { '\x92': '’', '\x96': '–', '\x97': '—' };

/** The text drawn in a pdf-lib PDF, lines joined: its content streams inflated, hex strings decoded (WinAnsi). */
function pdfText(pdf: Uint8Array): string {
  const raw = Buffer.from(pdf).toString('latin1');
  let out = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1] ?? '', 'latin1')).toString('latin1');
    } catch {
      content = m[1] ?? '';
    }
    for (const h of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) out += Buffer.from(h[1] ?? '', 'hex').toString('latin1');
  }
  return out.replace(/[\x92\x96\x97]/g, (c) => WIN_ANSI_EXTRA[c] ?? c);
}

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  if (engine.skipReason) console.warn(`privacy on ${engine.name}: SKIPPED — ${engine.skipReason}`);

  suite(`privacy on ${engine.name}`, () => {
    let svc: TestService;
    const clock = new Date('2026-04-01T00:00:00.000Z');
    beforeAll(async () => {
      svc = await startTestService(engine, { customerDrive: 'DRIVE-AR', stationId: 'station-qc-01', now: () => clock });
    });
    afterAll(async () => {
      await svc?.stop();
    });
    const put = (ref: string, body: unknown) => call(svc.baseUrl, svc.tokens.admin, 'PUT', `/v1/personal/${ref}`, body);

    it('deleteAfter stays inside the policy window: 15 to 30 days after a cancellation; never 9999-12-31', async () => {
      const far = await put('ORD-FAR', { name: 'x', deleteAfter: '9999-12-31T00:00:00Z' });
      expect(far.status).toBe(400);
      expect(far.body.error.message).toMatch(/at most 365 days ahead.*cancelledAt/);
      const cancelledAt = '2026-03-25T00:00:00.000Z';
      const tooLate = await put('ORD-C', { name: 'x', cancelledAt, deleteAfter: '2026-05-05T00:00:00Z' });
      expect(tooLate.status).toBe(400);
      expect(tooLate.body.error.message).toContain('15 to 30 days after the cancellation: between 2026-04-09T00:00:00.000Z and 2026-04-24T00:00:00.000Z');
      expect((await put('ORD-C', { name: 'x', cancelledAt, deleteAfter: '2026-04-01T00:00:00Z' })).status).toBe(400);
      expect((await put('ORD-C', { name: 'x', cancelledAt, deleteAfter: '2026-04-15T00:00:00Z' })).body.deleteAfter).toBe('2026-04-15T00:00:00.000Z');
      expect((await put('ORD-C', { name: 'x', cancelledAt })).body).toMatchObject({ cancelledAt, deleteAfter: new Date(Date.parse(cancelledAt) + 30 * DAY).toISOString() });
      expect((await put('ORD-ACTIVE', { name: 'x' })).status).toBe(400);
      expect((await put('ORD-ACTIVE', { name: 'x', deleteAfter: new Date(clock.getTime() + 365 * DAY).toISOString() })).status).toBe(200);
    });

    if (engine.name === 'postgres') {
      it('PostgreSQL: retention deletes the row and VACUUMs the table (space reusable; full erasure needs VACUUM FULL)', async () => {
        await put('ORD-PG', { name: 'pg-marker', deleteAfter: '2026-04-02T00:00:00Z' });
        expect(await svc.server.runRetention(new Date('2026-04-03T00:00:00Z'))).toBeGreaterThanOrEqual(1);
        expect(await svc.db.query(`SELECT order_ref FROM personal_records WHERE order_ref = 'ORD-PG'`)).toEqual([]);
        const stats = await svc.db.query(`SELECT last_vacuum, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'personal_records' AND schemaname = current_schema()`);
        expect(stats[0]?.['last_vacuum']).not.toBeNull();
        expect(Number(stats[0]?.['n_dead_tup'])).toBe(0);
      });
    }

    describe('access requests', () => {
      let lostId = '';
      beforeAll(async () => {
        const d = buildTestChain('DRIVE-AR');
        await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: d.station.author.publicKey, certificate: testCertificate(d.station) });
        const [sealed, verified] = d.provider as [SignedEvent, SignedEvent];
        const shipped = testNext(
          d.station,
          'DRIVE-AR',
          verified,
          'shipped',
          { carrier: 'canada-post', trackingNumber: 'EE123456785CA', orderRef: 'ORD-AR' },
          new Date('2025-03-01T15:00:00Z'),
        );
        const lost = testNext(d.station, 'DRIVE-AR', shipped, 'incident', { kind: 'lost' }, new Date('2025-03-04T15:00:00Z'));
        lostId = lost.id;
        const pushed = await call(svc.baseUrl, svc.tokens.station, 'POST', '/v1/events', { events: [sealed, verified, shipped, lost] });
        expect(pushed.body.results.every((r: { status: string }) => r.status === 'stored')).toBe(true);
        expect(
          (
            await put('ORD-AR', {
              driveId: 'DRIVE-AR',
              name: 'Éloïse Côté-Ngô 黄',
              contact: 'eloise@example.ca',
              address: '12 rue des Érables, Lévis',
              deleteAfter: '2026-06-01T00:00:00Z',
            })
          ).status,
        ).toBe(200);
        await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/drives?order=ORD-AR');
      });

      it('exports everything held about an order as JSON: record, chain, incidents and who looked; audited as access.export', async () => {
        const r = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/access-request?order=ORD-AR');
        expect(r.status).toBe(200);
        const x = r.body;
        expect(x).toMatchObject({ format: 'scelle-access-export/1', subject: { order: 'ORD-AR' }, orderRefs: ['ORD-AR'], driveIds: ['DRIVE-AR'] });
        expect(x.personalRecords).toEqual([expect.objectContaining({ orderRef: 'ORD-AR', name: 'Éloïse Côté-Ngô 黄', contact: 'eloise@example.ca' })]);
        expect(x.drives[0].events.map((e: { type: string }) => e.type)).toEqual(['sealed', 'verified', 'shipped', 'incident']);
        expect(x.drives[0].receipts).toHaveLength(4);
        expect(x.incidents).toEqual([expect.objectContaining({ eventId: lostId, kind: 'lost' })]);
        expect(x.accessLog.map((a: { action: string; role: string }) => [a.action, a.role])).toEqual(
          expect.arrayContaining([
            ['drives.lookup', 'support'],
            ['personal.write', 'admin'],
          ]),
        );
        const audit = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit?limit=10000')).body.entries; // the clock is fixed: rows tie on time
        const row = audit.find((a: { action: string }) => a.action === 'access.export');
        expect(JSON.parse(row.query)).toEqual({ subject: { order: 'ORD-AR' }, orders: ['ORD-AR'], drives: ['DRIVE-AR'] });
      });

      it('finds the same by drive or by contact, and never writes the contact into the audit log', async () => {
        const byDrive = (await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/access-request?drive=DRIVE-AR')).body;
        expect(byDrive.orderRefs).toEqual(['ORD-AR']);
        const byContact = (await call(svc.baseUrl, svc.tokens.admin, 'GET', `/v1/access-request?contact=${encodeURIComponent('eloise@example.ca')}`)).body;
        expect(byContact).toMatchObject({ orderRefs: ['ORD-AR'], driveIds: ['DRIVE-AR'] });
        const audit = JSON.stringify((await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/audit')).body.entries);
        expect(audit).not.toContain('eloise@example.ca');
      });

      it('renders a bilingual PDF (fr-CA then English on every heading) holding the personal data', async () => {
        const res = await fetch(`${svc.baseUrl}/v1/access-request?order=ORD-AR&format=pdf`, { headers: { authorization: `Bearer ${svc.tokens.admin}` } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/pdf');
        const pdf = new Uint8Array(await res.arrayBuffer());
        expect((await PDFDocument.load(pdf)).getPageCount()).toBeGreaterThanOrEqual(1);
        const text = pdfText(pdf);
        for (const k of ['title', 'personal', 'custody', 'incidents', 'accessLog'] as const) expect(text).toContain(`${ACCESS_REPORT_FR[k]} / ${ACCESS_REPORT_EN[k]}`);
        expect(text).toContain('Éloïse Côté-Ngô ?');
        expect(text).toContain('12 rue des Érables, Lévis');
      });

      it('is for admins only, and refuses an ambiguous subject', async () => {
        expect((await call(svc.baseUrl, svc.tokens.support, 'GET', '/v1/access-request?order=ORD-AR')).status).toBe(403);
        const both = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/access-request?order=ORD-AR&drive=DRIVE-AR');
        expect(both.status).toBe(400);
        expect(both.body.error.message).toMatch(/exactly one of order, drive or contact/);
      });
    });
  });
}

describe('access report catalogs', () => {
  it('fr-CA and English have the same keys and no empty text', () => {
    expect(Object.keys(ACCESS_REPORT_EN).sort()).toEqual(Object.keys(ACCESS_REPORT_FR).sort());
    for (const v of [...Object.values(ACCESS_REPORT_FR), ...Object.values(ACCESS_REPORT_EN)]) expect(v.trim()).not.toBe('');
  });
});
