import { open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ROOT_PUBLIC, startE2eCustody, type E2eCustody } from '../../test/e2e/custody-service.js';
import { createHarnessWorld, type HarnessWorld } from '../../test/e2e/harness-deps.js';
import { testSecretKey } from '../../shared/custody/testing.js';
import { handlerCalls } from '../../test/support/handler-calls.js';

const ORIGIN = 'http://127.0.0.1:5999';
let world: HarnessWorld;
const { call, value } = handlerCalls(() => world, ORIGIN);

beforeAll(async () => {
  world = await createHarnessWorld({ origin: ORIGIN, custodyUrl: 'http://127.0.0.1:9', pinnedRoots: [E2E_ROOT_PUBLIC] });
});
afterAll(() => world.custody.close());

describe('IPC handlers: checks', () => {
  it('refuses other frames', async () => {
    expect(await call('settings.get', {}, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
  });
  it('refuses unknown channels and payloads outside the contract', async () => {
    expect(await call('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    expect(await call('engine.unlock', { driveDir: '/x', code: 'A', extra: true })).toMatchObject({
      ok: false,
      error: { code: 'E_IPC_INVALID', details: { channel: 'engine.unlock' } },
    });
  });
  it('refuses paths the app did not hand out', async () => {
    expect(await call('engine.inspect', { driveDir: '/etc' })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    expect(await call('sources.count', { jobId: 'job-00000001', paths: ['/etc/passwd'] })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
  });
  it('defaults to French and validates the custody address', async () => {
    expect(await value('settings.get')).toMatchObject({ language: 'fr-CA' });
    expect(await call('settings.set', { custodyUrl: 'http://custody.example.ca' })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await value('settings.set', { language: 'en' })).toMatchObject({ language: 'en' });
    await value('settings.set', { language: 'fr-CA' });
  });
});

describe('IPC handlers: a drive from seal to restore', () => {
  let driveDir = '';
  let code = '';
  let sessionId = '';
  const progress: unknown[] = [];

  it('lists drives and checks space', async () => {
    world.listeners.add((channel, payload) => {
      if (channel === 'job.progress') progress.push(payload);
    });
    const { drives } = await value<{ drives: { id: string; label: string }[] }>('drives.list', {});
    expect(drives.map((d) => d.label)).toEqual(['LIVRAISON', 'PETITE']);
    expect(await value('drives.check', { driveId: '/dev/sdy1', bytesNeeded: 50_000_000, files: 3 })).toMatchObject({ ok: false, problems: [{ code: 'E_TARGET_TOO_SMALL' }] });
  });

  it('counts sources with progress', async () => {
    const { paths } = await value<{ paths: string[] }>('dialog.chooseSources', { kind: 'folders' });
    expect(await value('sources.count', { jobId: 'count-0001', paths })).toEqual({ files: 3, directories: 2, bytes: expect.any(Number) });
  });

  it('seals, returning the unlock code once', async () => {
    const r = await value<{ driveDir: string; unlockCode: string; files: number }>('engine.seal', {
      jobId: 'seal-00001',
      sources: [world.sourcesDir],
      driveId: '/dev/sdx1',
      recipients: { unlockCode: true, escrow: false, customerKeys: [] },
    });
    expect(r.files).toBe(3);
    expect(r.unlockCode).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    expect(progress.some((p) => (p as { jobId: string }).jobId === 'seal-00001')).toBe(true);
    driveDir = r.driveDir;
    code = r.unlockCode;
  });

  it('needs at least one recipient, and the escrow key when asked', async () => {
    expect(
      await call('engine.seal', { jobId: 'seal-00002', sources: [world.sourcesDir], driveId: '/dev/sdx1', recipients: { unlockCode: false, escrow: false, customerKeys: [] } }),
    ).toMatchObject({ ok: false, error: { code: 'E_KEY_NO_RECIPIENT' } });
    expect(
      await call('engine.seal', { jobId: 'seal-00003', sources: [world.sourcesDir], driveId: '/dev/sdx1', recipients: { unlockCode: true, escrow: true, customerKeys: [] } }),
    ).toMatchObject({ ok: false, error: { code: 'E_KEY_NO_RECIPIENT' } });
  });

  it('cancels a running job', async () => {
    const big = join(world.root, 'sources', 'grand');
    await import('node:fs/promises').then((fs) => fs.mkdir(big, { recursive: true }));
    const fh = await open(join(big, 'image.bin'), 'w');
    await fh.truncate(512 * 1024 ** 2);
    await fh.close();
    world.handlers.grants.grant(big);
    const running = call('engine.seal', { jobId: 'seal-cancel', sources: [big], driveId: '/dev/sdx1', recipients: { unlockCode: true, escrow: false, customerKeys: [] } });
    const seen = new Promise<void>((r) => {
      const l = (channel: string, p: unknown) => {
        if (channel === 'job.progress' && (p as { jobId: string }).jobId === 'seal-cancel') {
          world.listeners.delete(l);
          r();
        }
      };
      world.listeners.add(l);
    });
    await seen;
    expect(await value('engine.cancel', { jobId: 'seal-cancel' })).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    // the cancelled seal leaves an unfinished folder (resumable): remove it
    for (const d of await readdir(world.driveDir)) if (!(await readdir(join(world.driveDir, d))).includes('manifest.sig')) await rm(join(world.driveDir, d), { recursive: true });
  });

  it('inspects and verifies without a key', async () => {
    expect(await value('engine.inspect', { driveDir })).toMatchObject({ driveDir, parts: 1 });
    expect(await value('engine.verify', { jobId: 'verify-0001', driveDir })).toMatchObject({ ok: true, level: 'media' });
  });

  it('catches a typo before unlocking, and refuses a wrong code', async () => {
    const swapped = code[0] === code[1] ? code.replace(/^(.)(.)(.)/, '$1$3$2') : code.replace(/^(.)(.)/, '$2$1');
    expect(await value('engine.checkUnlockCode', { code: swapped })).toMatchObject({ status: 'typo' });
    expect(await value('engine.checkUnlockCode', { code: code.slice(0, 10) })).toEqual({ status: 'incomplete' });
    expect(await value('engine.checkUnlockCode', { code: code.toLowerCase().replace(/-/g, ' ') })).toEqual({ status: 'ok' });
    expect(await call('engine.unlock', { driveDir, code: swapped })).toMatchObject({ ok: false, error: { code: 'E_KEY_UNLOCK_CODE_TYPO' } });
    const other = (
      await value<{ unlockCode: string }>('engine.seal', {
        jobId: 'seal-00004',
        sources: [world.sourcesDir],
        driveId: '/dev/sdx1',
        recipients: { unlockCode: true, escrow: false, customerKeys: [] },
      })
    ).unlockCode;
    expect(await call('engine.unlock', { driveDir, code: other })).toMatchObject({ ok: false, error: { code: 'E_KEY_WRONG' } });
  });

  it('unlocks into an opaque session, browses, searches and restores chosen folders and files', async () => {
    const u = await value<{ sessionId: string }>('engine.unlock', { driveDir, code });
    sessionId = u.sessionId;
    expect(sessionId).toMatch(/^s_/);
    type Page = {
      entries: { path: string; type: string; size: number; entries?: number; files?: number; bytes?: number }[];
      more: boolean;
      totals?: { entries: number; files: number; bytes: number };
    };
    const top = await value<Page>('engine.browse', { sessionId, folder: '' });
    expect(top).toMatchObject({ more: false, totals: { entries: 5, files: 3 }, entries: [{ path: 'Dossier client 4521', type: 'directory', entries: 4, files: 3 }] });
    expect(top.entries[0]!.bytes).toBe(top.totals!.bytes);
    const folder = await value<Page>('engine.browse', { sessionId, folder: 'Dossier client 4521', start: 0, limit: 1 });
    expect(folder.entries).toHaveLength(1);
    expect(folder.more).toBe(true);
    expect(Object.keys(folder.entries[0]!)).not.toContain('sha256');
    const found = await value<Page>('engine.search', { sessionId, query: 'CSV' });
    expect(found).toMatchObject({ more: false });
    expect(found.entries.map((e) => e.path)).toEqual(['Dossier client 4521/factures/2024-01.csv', 'Dossier client 4521/factures/2024-02.csv']);
    expect(await value<Page>('engine.search', { sessionId, query: 'csv', limit: 1 })).toMatchObject({
      more: true,
      entries: [{ path: 'Dossier client 4521/factures/2024-01.csv' }],
    });
    expect(await call('engine.browse', { sessionId, folder: 'Dossier client 4521/absent' })).toMatchObject({ ok: false, error: { code: 'E_RESTORE_NOT_IN_INDEX' } });
    expect(await call('engine.browse', { sessionId, folder: '', limit: 5000 })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID', details: { field: 'limit' } } });
    expect(await call('engine.search', { sessionId, query: '' })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID', details: { field: 'query' } } });
    const { path: dest } = await value<{ path: string }>('dialog.chooseFolder', { purpose: 'restore' });
    // A chosen folder and a chosen file: everything below the folder, and the file.
    expect(await value('engine.open', { jobId: 'open-00001', sessionId, dest, paths: ['Dossier client 4521/factures', 'Dossier client 4521/contrat.txt'] })).toMatchObject({
      files: 3,
      verified: true,
    });
    expect(await readFile(join(dest, 'Dossier client 4521', 'factures', '2024-01.csv'), 'utf8')).toContain('125.00');
    expect(await readFile(join(dest, 'Dossier client 4521', 'contrat.txt'), 'utf8')).toContain('Contrat');
    expect(await value('engine.lock', { sessionId })).toEqual({ locked: true });
    expect(await call('engine.browse', { sessionId, folder: '' })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await call('engine.search', { sessionId, query: 'csv' })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
  });

  it('reports a corrupted drive', async () => {
    const [part] = (await readdir(join(driveDir, 'payload'))).sort();
    const file = join(driveDir, 'payload', part!);
    const bytes = await readFile(file);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = (bytes[mid] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    expect(await value('engine.verify', { jobId: 'verify-0002', driveDir })).toMatchObject({ ok: false, problems: [{ code: 'E_FORMAT_PART_HASH' }] });
  });

  it('erases a sealed folder', async () => {
    expect(await value('drives.eraseSealed', { driveDir })).toEqual({ erased: true, verification: 'pass', eventId: null, synced: false });
    expect(await call('engine.inspect', { driveDir })).toMatchObject({ ok: false, error: { code: 'E_FORMAT_MANIFEST' } });
  });
});

describe('IPC handlers: enrolment, carriers and custody (real custody service)', () => {
  let custody: E2eCustody;
  beforeAll(async () => {
    custody = await startE2eCustody();
  });
  afterAll(() => custody.close());

  const enrol = async (file: string) => {
    world.handlers.grants.grant(file);
    return call('station.enrol', { bundlePath: file });
  };

  it('shows the station public key to send to the provider', async () => {
    expect(await value('app.info')).toMatchObject({ stationPublicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) });
  });

  it('sends the carriers a technician may pick, Canadian first, without the explicit "other"', async () => {
    const { carriers } = (await value('app.info')) as { carriers: string[] };
    expect(carriers.slice(0, 2)).toEqual(['canada-post', 'purolator']);
    expect(carriers).toEqual(expect.arrayContaining(['ups', 'fedex', 'usps', 'dhl', 'canpar', 'upu-s10']));
    expect(carriers).not.toContain('other');
  });

  it('refuses enrolment files that do not certify this station', async () => {
    expect(await enrol(await custody.issueEnrolment(world.stationKeyFile, world.root, { rootSecret: testSecretKey('another root'), enrolWithService: false }))).toMatchObject({
      ok: false,
      error: { code: 'E_FORMAT_CERTIFICATE', details: { reason: 'unknown-root' } },
    });
    const file = await custody.issueEnrolment(world.stationKeyFile, world.root, { enrolWithService: false });
    const bundle = JSON.parse(await readFile(file, 'utf8')) as { certificate: { publicKey: string } };
    bundle.certificate.publicKey = Buffer.alloc(32, 7).toString('base64');
    await writeFile(file, JSON.stringify(bundle));
    expect(await enrol(file)).toMatchObject({ ok: false, error: { code: 'E_FORMAT_CERTIFICATE', details: { reason: 'bad-signature' } } });
    await writeFile(file, '{"format":"something-else"}');
    expect(await enrol(file)).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await call('station.enrol', { bundlePath: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    expect(await value('settings.get')).toMatchObject({ stationEnrolled: false });
  });

  it('validates tracking numbers as typed', async () => {
    expect(await value('carriers.validate', { trackingNumber: '1Z999AA10123456784' })).toMatchObject({ valid: true, carrier: { id: 'ups' } });
    expect(await value('carriers.validate', { trackingNumber: '1Z999AA10123456785' })).toMatchObject({ valid: false, carrier: null });
  });

  let sealedId = '';
  let sessionId = '';

  it('keeps events in the journal when not enrolled or offline', async () => {
    const r = await value<{ driveId: string; driveDir: string; unlockCode: string }>('engine.seal', {
      jobId: 'seal-cust-1',
      sources: [world.sourcesDir],
      driveId: '/dev/sdx1',
      recipients: { unlockCode: true, escrow: false, customerKeys: [] },
    });
    sealedId = r.driveId;
    expect(await value('custody.record', { driveId: sealedId, type: 'shipped', data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } })).toMatchObject({ synced: false });
    expect(await call('custody.record', { driveId: sealedId, type: 'shipped', data: { carrier: 'ups', name: 'Jean' } })).toMatchObject({
      ok: false,
      error: { code: 'E_CUSTODY_CHAIN' },
    });
    expect(await call('custody.record', { driveId: sealedId, type: 'received', data: {} })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await call('custody.lookup', { kind: 'drive', value: sealedId })).toMatchObject({ ok: false, error: { code: 'E_CUSTODY_SYNC', details: { reason: 'not-enrolled' } } });
    sessionId = (await value<{ sessionId: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode })).sessionId;
    const journal = await world.custody.journal();
    expect(
      journal
        .pending()
        .filter((e) => e.driveId === sealedId)
        .map((e) => e.type),
    ).toEqual(['sealed', 'shipped']);
  });

  let enrolmentFile = '';

  it('enrols with a provider-issued file, then pushes the queued events with verified receipts', async () => {
    enrolmentFile = await custody.issueEnrolment(world.stationKeyFile, world.root);
    expect(await enrol(enrolmentFile)).toMatchObject({ ok: true, value: { stationId: 'station-test-01', custodyUrl: custody.url } });
    // the tokens are sealed (safeStorage in the app): the settings file never holds them in clear
    const bundle = JSON.parse(await readFile(enrolmentFile, 'utf8')) as { custody: { stationToken: string; supportToken: string } };
    const settingsText = await readFile(join(world.root, 'settings.json'), 'utf8');
    expect(settingsText).not.toContain(bundle.custody.stationToken);
    expect(settingsText).not.toContain(bundle.custody.supportToken);
    expect((await world.settings.secrets()).stationToken).toBe(bundle.custody.stationToken);
    expect(await value('settings.get')).toMatchObject({ stationEnrolled: true, custodyUrl: custody.url, stationId: 'station-test-01' });
    const journal = await world.custody.journal();
    expect(journal.pending()).toEqual([]);
    expect(journal.receipts().length).toBe(journal.events().length);
    expect(journal.lastCheckpoint()?.treeSize).toBe(journal.events().length);
  });

  it('token-to-new-URL: a changed custody address drops the stored tokens and asks for re-enrolment; events stay queued', async () => {
    // another host, reachable, that records what it is sent
    const seen: string[] = [];
    const other = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      expect(await value('settings.set', { custodyUrl: otherUrl })).toMatchObject({ custodyUrl: otherUrl, stationEnrolled: false });
      expect(await world.settings.secrets()).toMatchObject({ stationToken: null, supportToken: null });
      expect(await value('custody.record', { driveId: sealedId, type: 'verified', data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({ synced: false });
      expect(await call('custody.lookup', { kind: 'drive', value: sealedId })).toMatchObject({ ok: false, error: { code: 'E_CUSTODY_SYNC', details: { reason: 'not-enrolled' } } });
      expect(seen.filter((x) => x.includes('sct_'))).toEqual([]);
      expect((await world.custody.journal()).pending().map((e) => e.type)).toEqual(['verified']);
      // The dashboard still lists the drive from the journal and counts what waits.
      expect(await value('custody.stationDrives', { query: sealedId })).toMatchObject({
        source: 'local',
        pending: 1,
        drives: [{ driveId: sealedId, state: 'shipped', pendingEvents: 1, shipment: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } }],
      });
      expect(await call('custody.sync', {})).toMatchObject({ ok: false });
      // going back to the original address does not bring the tokens back: enrol again
      expect(await value('settings.set', { custodyUrl: custody.url })).toMatchObject({ stationEnrolled: false });
      expect((await world.settings.secrets()).stationToken).toBeNull();
    } finally {
      other.close();
    }
  });

  it('pushes queued events once enrolled again, signs customer events with the drive key, finds and exports the verified timeline', async () => {
    expect(await enrol(enrolmentFile)).toMatchObject({ ok: true });
    expect((await world.custody.journal()).pending()).toEqual([]);
    expect(await value('custody.record', { driveId: sealedId, type: 'received', data: { level: 'media', ok: true, problems: 0 }, sessionId })).toMatchObject({ synced: true });
    const { timelines } = await value<{
      timelines: {
        driveId: string;
        trackingNumbers: string[];
        chainOk: boolean;
        chainProblem: string | null;
        events: { type: string; seq: number; author: { kind: string }; receivedAt: string | null; data: Record<string, unknown> }[];
      }[];
    }>('custody.lookup', { kind: 'tracking', value: '1Z 999-AA1-01 2345 6784' });
    expect(timelines).toHaveLength(1);
    const tl = timelines[0]!;
    expect(tl).toMatchObject({ driveId: sealedId, trackingNumbers: ['1Z999AA10123456784'], chainOk: true, chainProblem: null });
    expect(tl.events.map((e) => `${e.author.kind}:${e.type}:${e.seq}`)).toEqual(['station:sealed:0', 'station:shipped:1', 'station:verified:2', 'customer:received:0']);
    expect(tl.events.every((e) => e.receivedAt !== null)).toBe(true);
    expect(tl.events[3]!.data['anchor']).toMatch(/^[0-9a-f]{64}$/);
    expect((await world.custody.journal()).pending()).toEqual([]);
    const pdf = await value<{ path: string }>('report.export', { driveId: sealedId, format: 'pdf', language: 'fr-CA' });
    expect((await readFile(pdf.path)).subarray(0, 4).toString()).toBe('%PDF');
    const csv = await value<{ path: string }>('report.export', { driveId: sealedId, format: 'csv', language: 'en' });
    expect(await readFile(csv.path, 'utf8')).toMatch(/^driveId,seq,type/);
  });

  it('lists the station’s drives for the dashboard with the service’s events, records incidents, and syncs on demand', async () => {
    expect(await value('custody.sync', {})).toEqual({ pushed: 0, pending: 0 });
    const listed = await value<{ drives: { driveId: string; state: string; driveDir: string | null; actions: string[] }[]; source: string; pending: number }>(
      'custody.stationDrives',
      {},
    );
    expect(listed).toMatchObject({ source: 'service', pending: 0 });
    expect(listed.drives.find((d) => d.driveId === sealedId)).toMatchObject({
      state: 'received',
      actions: ['report-incident'],
      driveDir: expect.stringContaining(`SCELLE-${sealedId}`),
    });
    expect(await call('custody.record', { driveId: sealedId, type: 'incident', data: { kind: 'stolen' } })).toMatchObject({ ok: false, error: { code: 'E_CUSTODY_CHAIN' } });
    expect(await value('custody.record', { driveId: sealedId, type: 'incident', data: { kind: 'damaged' } })).toMatchObject({ synced: true });
    expect(await value('custody.stationDrives', { query: sealedId })).toMatchObject({ drives: [{ state: 'incident', openIncident: { kind: 'damaged' } }] });
    expect(await call('custody.stationDrives', { query: 'x'.repeat(101) })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
  });

  it('erases a drive with its unlocked session: the index is closed first, the customer signs the record', async () => {
    const r = await value<{ driveId: string; driveDir: string; unlockCode: string }>('engine.seal', {
      jobId: 'seal-erase-1',
      sources: [world.sourcesDir],
      driveId: '/dev/sdx1',
      recipients: { unlockCode: true, escrow: false, customerKeys: [] },
    });
    const id = (await value<{ sessionId: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode })).sessionId;
    expect(await value('engine.browse', { sessionId: id, folder: '' })).toMatchObject({ totals: { files: 3 } });
    expect(await value('drives.eraseSealed', { driveDir: r.driveDir, sessionId: id })).toMatchObject({ erased: true, verification: 'pass', eventId: expect.any(String) });
    expect(await call('engine.browse', { sessionId: id, folder: '' })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await value('engine.lock', { sessionId: id })).toEqual({ locked: true });
    const [tl] = await world.custody.lookup('drive', r.driveId);
    expect(tl?.events.map((e) => `${e.author.kind}:${e.type}`)).toContain('customer:erased');
  });

  it('writes a packing slip PDF', async () => {
    const r = await value<{ path: string }>('slip.savePdf', { driveId: 'D7K2M9Q4', carrier: 'ups', trackingNumber: '1z 999 aa1 01 2345 6784', language: 'fr-CA' });
    expect((await readFile(r.path)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await call('slip.savePdf', { driveId: 'D7K2M9Q4', carrier: 'ups', trackingNumber: '123', language: 'fr-CA' })).toMatchObject({
      ok: false,
      error: { code: 'E_CARRIER_INVALID' },
    });
  });
});
