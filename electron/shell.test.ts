import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppFile } from './app-protocol.js';
import { RENDERER_CSP } from './csp.js';
import { renderPackingSlip, renderTimelineCsv, renderTimelinePdf, reportAuthor, reportAuthorWithAttestation, slipQrText } from './documents.js';
import { WorkerEngineHost } from './engine/engine-host.js';
import { PathGrants } from './path-grants.js';
import { APP_ORIGIN, trustedSenders } from './sender.js';

describe('renderer hardening', () => {
  it('uses the same CSP in index.html as in the app:// header', () => {
    const html = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8');
    expect(/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).not.toMatch(/unsafe|https?:|\*/);
  });

  it('serves only files inside the renderer folder on app://scelle', () => {
    expect(resolveAppFile('/opt/app/renderer', 'app://scelle/')).toEqual({ file: '/opt/app/renderer/index.html', type: 'text/html; charset=utf-8' });
    expect(resolveAppFile('/opt/app/renderer', 'app://scelle/assets/x.js')?.type).toBe('text/javascript; charset=utf-8');
    expect(resolveAppFile('/opt/app/renderer', 'app://scelle/../../etc/passwd')?.file).toBe('/opt/app/renderer/etc/passwd');
    expect(resolveAppFile('/opt/app/renderer', 'app://scelle/%2e%2e/%2e%2e/etc/passwd')?.file).toBe('/opt/app/renderer/etc/passwd');
    expect(resolveAppFile('/opt/app/renderer', 'app://scelle/a%2f..%2f..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile('/opt/app/renderer', 'app://other/index.html')).toBeNull();
  });

  it('trusts only the app origin', () => {
    const trusted = trustedSenders([APP_ORIGIN]);
    expect(trusted('app://scelle/index.html')).toBe(true);
    expect(trusted('app://evil/index.html')).toBe(false);
    expect(trusted('https://scelle/index.html')).toBe(false);
    expect(trusted('file:///index.html')).toBe(false);
    expect(trusted('about:blank')).toBe(false);
  });

  it('grants paths and what lies below them, nothing else', () => {
    const g = new PathGrants();
    g.grant('/media/tech/LIVRAISON');
    expect(g.allows('/media/tech/LIVRAISON/SCELLE-AB12')).toBe(true);
    expect(g.allows('/media/tech/LIVRAISON/../other')).toBe(false);
    expect(g.allows('/media/tech/LIVRAISON-2')).toBe(false);
    expect(g.allows('relative/path')).toBe(false);
    expect(() => g.require('/etc')).toThrow(expect.objectContaining({ code: 'E_IPC_INVALID' }));
  });
});

describe('documents', () => {
  const timeline = {
    driveId: 'AB12CD34',
    trackingNumbers: ['1Z999AA10123456784'],
    orderRefs: [],
    chainOk: true,
    chainProblem: null,
    anomalies: [],
    events: [
      { id: 'e1', seq: 0, type: 'sealed', at: '2025-03-01T14:05:09.123Z', receivedAt: null, author: { kind: 'station', id: 'st-01' }, data: { note: '=cmd()' }, signatureOk: true },
    ],
  };
  it('writes a packing slip whose QR holds only the drive id and tracking number', async () => {
    const pdf = await renderPackingSlip({ driveId: 'AB12CD34', carrierName: 'Postes Canada', trackingNumber: '1234567890123452', language: 'fr-CA' });
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(slipQrText('AB12CD34', '1234567890123452')).toBe('SCELLE/1;drive=AB12CD34;tracking=1234567890123452');
  });
  it('writes one packing slip per member of a set, naming the set and the member’s place (never the data)', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const set = { id: 'SET0PLACE0ID0001', position: 2, members: 3 };
    const fr = await PDFDocument.load(await renderPackingSlip({ driveId: 'AB12CD34', carrierName: 'UPS', trackingNumber: '1Z999AA10123456784', language: 'fr-CA', set }));
    expect(fr.getTitle()).toBe('Bordereau d’expédition — disque scellé AB12CD34 (Disque 2 / 3)');
    const en = await PDFDocument.load(await renderPackingSlip({ driveId: 'AB12CD34', carrierName: 'UPS', trackingNumber: '1Z999AA10123456784', language: 'en', set }));
    expect(en.getTitle()).toBe('Packing slip — sealed drive AB12CD34 (Drive 2 / 3)');
    expect(slipQrText('AB12CD34', '1Z999AA10123456784', set)).toBe('SCELLE/1;drive=AB12CD34;set=SET0PLACE0ID0001;member=2/3;tracking=1Z999AA10123456784');
  });
  it('writes timeline reports, CSV safe against formula injection', async () => {
    expect(Buffer.from((await renderTimelinePdf(timeline, 'en')).subarray(0, 4)).toString()).toBe('%PDF');
    const csv = renderTimelineCsv(timeline);
    expect(csv.split('\r\n')[0]).toBe('driveId,seq,type,at,receivedAt,authorKind,authorId,signatureOk,chainOk,data,customerAttestation');
    expect(csv).toContain('"{""note"":""=cmd()""}"');
    expect(renderTimelineCsv({ ...timeline, driveId: '=HYPERLINK()' })).toContain('"\'=HYPERLINK()"');
  });
  it('names the authors of the PDF report readably, never by a customer author id', () => {
    expect(reportAuthor({ kind: 'station', id: 'MTL-01' }, 'fr-CA')).toBe('Poste MTL-01');
    expect(reportAuthor({ kind: 'station', id: 'MTL-01' }, 'en')).toBe('Station MTL-01');
    expect(reportAuthor({ kind: 'customer', id: 'customer:3f9a2c' }, 'fr-CA')).toBe('Client');
    expect(reportAuthor({ kind: 'customer', id: 'customer:3f9a2c' }, 'en')).toBe('Customer');
    expect(reportAuthor({ kind: 'staff', id: 'support-7' }, 'en')).toBe('Service support-7');
    expect(reportAuthor({ kind: 'robot', id: 'x1' }, 'en')).toBe('robot:x1');
  });
  it('says in the report whether a customer event is customer-attested or data-key-attested', () => {
    const customer = { kind: 'customer', id: 'customer:3f9a2c' };
    expect(reportAuthorWithAttestation({ author: customer, attestation: 'customer-key' }, 'fr-CA')).toBe('Client · attesté par sa clé');
    expect(reportAuthorWithAttestation({ author: customer, attestation: 'data-key' }, 'en')).toBe('Customer · data key only');
    expect(reportAuthorWithAttestation({ author: customer, attestation: 'none' }, 'en')).toBe('Customer · NOT attested');
    expect(reportAuthorWithAttestation({ author: { kind: 'station', id: 'MTL-01' }, attestation: null }, 'en')).toBe('Station MTL-01');
  });
  it("puts each customer event's attestation in the CSV export", () => {
    const received = {
      id: 'e2',
      seq: 0,
      type: 'received',
      at: '2025-03-02T10:00:00.000Z',
      receivedAt: null,
      author: { kind: 'customer', id: 'customer:AB12CD34' },
      data: {},
      signatureOk: true,
      attestation: 'customer-key' as const,
    };
    const lines = renderTimelineCsv({ ...timeline, events: [...timeline.events, received] }).split('\r\n');
    expect(lines[1]!.endsWith(',')).toBe(true);
    expect(lines[2]!.endsWith(',customer-key')).toBe(true);
  });
});

describe('WorkerEngineHost', () => {
  it('starts the worker with init, then routes calls, progress and cancellation through it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scelle-worker-'));
    const worker = join(dir, 'worker.mjs');
    await writeFile(
      worker,
      `
      import { parentPort } from 'node:worker_threads';
      const jobs = new Map();
      parentPort.on('message', (m) => {
        if (m.kind === 'init') { parentPort.postMessage({ kind: 'progress', jobId: 'init', progress: { phase: 'scan', bytesDone: m.pinnedRoots.length, bytesTotal: 0, filesDone: 0, filesTotal: 0, bytesPerSecond: 0, etaSeconds: null } }); return; }
        if (m.kind === 'cancel') { const j = jobs.get(m.jobId); if (j) j(); return; }
        const { callId, call } = m;
        if (call.op === 'inspect') { parentPort.postMessage({ kind: 'error', callId, error: { code: 'E_FORMAT_MANIFEST', message: 'no manifest', details: { path: call.args.driveDir } } }); return; }
        if (call.op === 'count') {
          parentPort.postMessage({ kind: 'progress', jobId: call.jobId, progress: { phase: 'scan', bytesDone: 1, bytesTotal: 0, filesDone: 1, filesTotal: 0, bytesPerSecond: 1, etaSeconds: null } });
          jobs.set(call.jobId, () => parentPort.postMessage({ kind: 'error', callId, error: { code: 'E_CANCELLED', message: 'cancelled', details: {} } }));
        }
        if (call.op === 'lock') parentPort.postMessage({ kind: 'result', callId, value: { locked: true } });
      });`,
    );
    const progress: string[] = [];
    const host = new WorkerEngineHost(new URL(`file://${worker}`), (jobId) => progress.push(jobId));
    try {
      expect(await host.call({ op: 'lock', args: { sessionId: 's_x' } })).toEqual({ locked: true });
      await expect(host.call({ op: 'inspect', args: { driveDir: '/x' } })).rejects.toMatchObject({ code: 'E_FORMAT_MANIFEST', details: { path: '/x' } });
      const running = host.call({ op: 'count', jobId: 'job-12345678', args: { paths: ['/x'] } });
      await new Promise((r) => setTimeout(r, 50));
      expect(await host.cancel('job-12345678')).toBe(true);
      await expect(running).rejects.toMatchObject({ code: 'E_CANCELLED' });
      expect(progress).toEqual(['init', 'job-12345678']);
    } finally {
      await host.close();
    }
  });
});
