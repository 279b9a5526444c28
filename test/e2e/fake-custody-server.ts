/**
 * TEST-ONLY custody service on 127.0.0.1 implementing the two endpoints the desktop app uses
 * (POST /v1/events, GET /v1/drives) of docs/CUSTODY.md §5, in memory.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyEventSignature, type SignedEvent } from '../../shared/custody/event.js';

/** A running fake service. */
export interface FakeCustody { url: string; events: SignedEvent[]; close(): Promise<void> }

/** Starts the fake service on an ephemeral port. */
export async function startFakeCustody(): Promise<FakeCustody> {
  const events: SignedEvent[] = [];
  const receipts = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (req.method === 'POST' && url.pathname === '/v1/events') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: SignedEvent[] };
        const results = body.events.map((e) => {
          if (receipts.has(e.id)) return { id: e.id, status: 'duplicate' };
          if (!verifyEventSignature(e)) return { id: e.id, status: 'rejected', code: 'bad-signature' };
          events.push(e);
          receipts.set(e.id, new Date().toISOString());
          return { id: e.id, status: 'stored' };
        });
        send(200, { results });
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/drives') {
      const tracking = url.searchParams.get('tracking');
      const order = url.searchParams.get('order');
      const drive = url.searchParams.get('drive');
      const ids = new Set(events.filter((e) => (drive && e.driveId === drive) || (tracking && e.data['trackingNumber'] === tracking) || (order && e.data['orderRef'] === order)).map((e) => e.driveId));
      send(200, {
        drives: [...ids].map((driveId) => {
          const evs = events.filter((e) => e.driveId === driveId);
          const statuses = evs.map((e) => ({ id: e.id, status: verifyEventSignature(e) ? 'ok' : 'invalid' }));
          return { driveId, events: evs, receipts: evs.map((e) => ({ eventId: e.id, receivedAt: receipts.get(e.id) })), verification: { ok: statuses.every((s) => s.status === 'ok'), problems: [], events: statuses } };
        }),
      });
      return;
    }
    send(404, { error: { code: 'not-found', message: 'not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, events, close: () => new Promise((r) => server.close(() => r())) };
}
