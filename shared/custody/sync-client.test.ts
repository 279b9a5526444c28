import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { eventHash, publicKeyOf, type SignedEvent } from './event.js';
import type { HttpRequest, HttpResponse } from './http.js';
import { CustodyStore } from './journal.js';
import { consistencyProof, inclusionProof, leafHash, rootHash } from './merkle.js';
import { serviceKeyIdOf, signServiceObject } from './receipt.js';
import { backoffDelay, CustodySyncClient, type SyncClientOptions } from './sync-client.js';
import { buildTestChain, testNext, testSecretKey } from './testing.js';

const c = buildTestChain();
const serviceSecret = testSecretKey('service');
const servicePub = publicKeyOf(serviceSecret);
const keyId = serviceKeyIdOf(servicePub);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** An in-memory custody service speaking the docs/CUSTODY.md §5 API, with fault knobs. */
class FakeService {
  leaves: Uint8Array[] = [];
  hashes: string[] = [];
  receipts = new Map<string, Record<string, unknown>>();
  events = new Map<string, SignedEvent>();
  reject = new Set<string>();
  rejectCode = 'fork';
  failures: Array<number | 'network' | 'reset'> = [];
  requests: Array<{ url: string; init: HttpRequest }> = [];
  tamperReceipt = false;
  wrongInclusion = false;
  status = 200;

  checkpoint(size = this.leaves.length) {
    return signServiceObject(
      { treeSize: size, rootHash: hex(rootHash(this.leaves.slice(0, size))), timestamp: `2025-03-01T15:00:${String(size).padStart(2, '0')}.000Z`, serviceKeyId: keyId },
      serviceSecret,
    );
  }

  fetch = async (url: string, init: HttpRequest): Promise<HttpResponse> => {
    this.requests.push({ url, init });
    const f = this.failures.shift();
    if (f === 'network') throw new TypeError('fetch failed');
    // what undici's fetch throws when a kept-alive connection was closed by the server
    if (f === 'reset') throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    if (f !== undefined) return this.reply(f, { error: { code: 'unavailable', message: 'x' } });
    if (this.status !== 200) return this.reply(this.status, { error: { code: 'unauthorized', message: 'no' } });
    const u = new URL(url);
    if (init.method === 'POST' && u.pathname === '/v1/events') {
      const body = JSON.parse(init.body ?? '{}') as { events: SignedEvent[] };
      const results = body.events.map((e) => {
        if (this.reject.has(e.id)) return { id: e.id, status: 'rejected', code: this.rejectCode, message: 'fork at seq' };
        let status = 'duplicate';
        if (!this.events.has(e.id)) {
          status = 'stored';
          this.events.set(e.id, e);
          const h = eventHash(e);
          this.hashes.push(h);
          this.leaves.push(leafHash(h));
          this.receipts.set(
            e.id,
            signServiceObject({ eventId: e.id, eventHash: h, receivedAt: '2025-03-01T15:00:00.000Z', leafIndex: this.leaves.length - 1, serviceKeyId: keyId }, serviceSecret),
          );
        }
        const receipt = this.receipts.get(e.id) as Record<string, unknown>;
        return { id: e.id, status, receipt: this.tamperReceipt ? { ...receipt, receivedAt: '2025-03-01T16:00:00.000Z' } : receipt };
      });
      return this.reply(200, { results, checkpoint: this.checkpoint() });
    }
    if (u.pathname === '/v1/checkpoint') return this.reply(200, this.checkpoint());
    if (u.pathname === '/v1/proof/consistency') {
      const from = Number(u.searchParams.get('from'));
      const to = Number(u.searchParams.get('to'));
      return this.reply(200, { proof: consistencyProof(this.leaves, from, to).map(hex) });
    }
    if (u.pathname === '/v1/proof/inclusion') {
      const i = this.hashes.indexOf(u.searchParams.get('hash') ?? '');
      const size = Number(u.searchParams.get('treeSize'));
      const proof = inclusionProof(this.leaves, i, size).map(hex);
      return this.reply(200, { leafIndex: i, proof: this.wrongInclusion ? proof.reverse() : proof });
    }
    if (u.pathname === '/v1/drives') {
      const events = [...this.events.values()].filter((e) => e.driveId === u.searchParams.get('drive'));
      const receipts = events.map((e) => this.receipts.get(e.id));
      return this.reply(200, { drives: [{ driveId: c.driveId, events, receipts: [...receipts, { ...receipts[0], leafIndex: 99 }], verification: { ok: true } }] });
    }
    return this.reply(404, { error: { code: 'not-found', message: '' } });
  };

  private reply(status: number, body: unknown): Promise<HttpResponse> {
    return Promise.resolve({ status, text: () => Promise.resolve(JSON.stringify(body)) });
  }
}

let dir: string;
let store: CustodyStore;
let svc: FakeService;
let sleeps: number[];

function client(extra: Partial<SyncClientOptions> = {}): CustodySyncClient {
  return new CustodySyncClient({
    baseUrl: 'https://custody.example.test/',
    token: 'tok-secret',
    serviceKeys: [servicePub],
    store,
    fetch: svc.fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    ...extra,
  });
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(isScelleError(e) ? e.code : e).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-sync-'));
  store = await CustodyStore.open(dir);
  for (const e of c.all) await store.append(e);
  svc = new FakeService();
  sleeps = [];
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('backoffDelay', () => {
  it('is full jitter under a capped exponential ceiling', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 100, 1000, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(5, 100, 1000, () => 0)).toBe(0);
  });
});

describe('a connection the service just closed', () => {
  it('a GET whose kept-alive connection was reset is resent at once, without a backoff or a retry attempt', async () => {
    svc.failures = ['reset'];
    const cp = await client({ maxAttempts: 1 }).refreshCheckpoint();
    expect(cp.treeSize).toBe(0);
    expect(svc.requests.map((r) => r.init.method)).toEqual(['GET', 'GET']);
    expect(sleeps).toEqual([]);
  });

  it('only once: a second reset is a network failure (retried by the backoff loop, or reported)', async () => {
    svc.failures = ['reset', 'reset'];
    await rejects(client({ maxAttempts: 1 }).refreshCheckpoint(), 'E_CUSTODY_SYNC');
    expect(svc.requests).toHaveLength(2);
  });

  it('a POST is not resent by the reset path (its retries go through the backoff loop)', async () => {
    svc.failures = ['reset'];
    await rejects(client({ maxAttempts: 1 }).push(), 'E_CUSTODY_SYNC');
    expect(svc.requests.map((r) => r.init.method)).toEqual(['POST']);
  });
});

describe('CustodySyncClient.push', () => {
  it('pushes the outbox, checks and records receipts and the checkpoint', async () => {
    const r = await client().push();
    expect(r.stored).toEqual(c.all.map((e) => e.id));
    expect(r.remaining).toEqual([]);
    expect(store.pending()).toEqual([]);
    expect(store.receipts().map((x) => x.leafIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(store.lastCheckpoint()?.treeSize).toBe(7);
    expect(svc.requests[0]?.init.headers['authorization']).toBe('Bearer tok-secret');
    expect(svc.requests.filter((q) => q.url.includes('/v1/proof/inclusion'))).toHaveLength(7);
    const again = await client().push();
    expect(again).toMatchObject({ stored: [], requests: 0 });
  });

  it('sends in batches and checks consistency from the previous checkpoint', async () => {
    const r = await client({ batchSize: 3 }).push();
    expect(r.stored).toHaveLength(7);
    expect(svc.requests.filter((q) => q.init.method === 'POST')).toHaveLength(3);
    const cons = svc.requests.filter((q) => q.url.includes('/v1/proof/consistency')).map((q) => new URL(q.url).search);
    expect(cons).toEqual(['?from=3&to=6', '?from=6&to=7']);
    expect(store.checkpoints().map((x) => x.treeSize)).toEqual([3, 6, 7]);
  });

  it('is idempotent after a crash between the service storing and the client recording', async () => {
    await svc.fetch('https://custody.example.test/v1/events', { method: 'POST', headers: {}, body: JSON.stringify({ events: c.all.slice(0, 4) }) });
    const r = await client().push();
    expect(r.duplicate).toEqual(c.all.slice(0, 4).map((e) => e.id));
    expect(r.stored).toEqual(c.all.slice(4).map((e) => e.id));
    expect(store.receiptFor(c.all[0]?.id ?? '')?.leafIndex).toBe(0);
  });

  it('retries network errors and 5xx with backoff, then succeeds', async () => {
    svc.failures = ['network', 503, 502];
    const r = await client().push();
    expect(r.stored).toHaveLength(7);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('gives up after maxAttempts and leaves the outbox intact', async () => {
    svc.failures = [503, 503, 503];
    await rejects(client({ maxAttempts: 3 }).push(), 'E_CUSTODY_SYNC');
    expect(store.pending()).toHaveLength(7);
    expect(svc.requests).toHaveLength(3);
  });

  it('stops at once on a 4xx that is not a per-event rejection', async () => {
    svc.status = 401;
    try {
      await client().push();
      throw new Error('expected failure');
    } catch (e) {
      expect(isScelleError(e, 'E_CUSTODY_SYNC')).toBe(true);
      if (isScelleError(e)) {
        expect(e.details).toMatchObject({ status: 401, serverCode: 'unauthorized' });
        expect(e.message).not.toContain('tok-secret');
      }
    }
    expect(svc.requests).toHaveLength(1);
  });

  it('records rejections so that rejected events are not sent again', async () => {
    const forked = c.all[2] as SignedEvent;
    svc.reject.add(forked.id);
    const r = await client().push();
    expect(r.rejected).toEqual([{ eventId: forked.id, code: 'fork', message: 'fork at seq' }]);
    expect(store.pending()).toEqual([]);
    expect(store.rejections().map((x) => x.eventId)).toEqual([forked.id]);
    await store.append(nextNote());
    svc.requests = [];
    await client().push();
    const sent = JSON.parse(svc.requests[0]?.init.body ?? '{}') as { events: SignedEvent[] };
    expect(sent.events.map((e) => e.id)).not.toContain(forked.id);
    expect(sent.events).toHaveLength(1);
  });

  it('keeps events with a transient rejection (gap, missing-genesis) pending', async () => {
    const customerFirst = c.customerEvents[0] as SignedEvent;
    svc.reject.add(customerFirst.id);
    svc.rejectCode = 'missing-genesis';
    const r = await client().push();
    expect(r.deferred).toEqual([{ eventId: customerFirst.id, code: 'missing-genesis', message: 'fork at seq' }]);
    expect(r.remaining).toEqual([customerFirst.id]);
    expect(r.rejected).toEqual([]);
    expect(store.pending()).toEqual([customerFirst]);
    svc.reject.clear();
    expect((await client().push()).stored).toEqual([customerFirst.id]);
  });

  it('records nothing when a receipt signature is forged', async () => {
    svc.tamperReceipt = true;
    await rejects(client().push(), 'E_CUSTODY_SYNC');
    expect(store.receipts()).toEqual([]);
    expect(store.lastCheckpoint()).toBeNull();
  });

  it('records nothing when an inclusion proof fails', async () => {
    svc.wrongInclusion = true;
    await rejects(client().push(), 'E_CUSTODY_SYNC');
    expect(store.receipts()).toEqual([]);
  });

  it('rejects a checkpoint signed by an unknown key', async () => {
    await rejects(client({ serviceKeys: [publicKeyOf(testSecretKey('other'))] }).push(), 'E_CUSTODY_SYNC');
    expect(store.pending()).toHaveLength(7);
  });

  it('detects a service that dropped an acknowledged event (history rewritten)', async () => {
    await client().push();
    svc.leaves.splice(3, 1);
    svc.hashes.splice(3, 1);
    svc.leaves.push(leafHash('ff'.repeat(32)), leafHash('ee'.repeat(32)));
    await rejects(client().refreshCheckpoint(), 'E_CUSTODY_SYNC');
    expect(store.lastCheckpoint()?.treeSize).toBe(7);
    svc.leaves.splice(3, 0, leafHash(eventHash(c.all[3] as SignedEvent)));
    svc.leaves.pop();
    expect((await client().refreshCheckpoint()).treeSize).toBe(8);
  });

  it('refuses a shrinking tree', async () => {
    await client().push();
    svc.leaves.pop();
    await rejects(client().refreshCheckpoint(), 'E_CUSTODY_SYNC');
  });

  it('cancels between retries', async () => {
    svc.failures = [503, 503];
    const ac = new AbortController();
    const cl = client({
      sleep: () => {
        ac.abort();
        return Promise.resolve();
      },
    });
    await rejects(cl.push(ac.signal), 'E_CANCELLED');
  });

  it('requires https except on loopback, and a service key', () => {
    expect(() => client({ baseUrl: 'http://custody.example.test' })).toThrow(/https/);
    expect(() => client({ baseUrl: 'http://127.0.0.1:8443' })).not.toThrow();
    expect(() => client({ serviceKeys: [] })).toThrow(/service public key/);
  });
});

describe('CustodySyncClient.lookupDrives', () => {
  it('returns parsed events and only receipts whose signature verifies', async () => {
    await client().push();
    const [d] = await client().lookupDrives({ drive: c.driveId });
    expect(d?.events).toEqual(c.all);
    expect(d?.receipts).toHaveLength(7);
    expect(d?.badReceipts).toBe(1);
    await rejects(client().lookupDrives({ drive: 'a', tracking: 'b' }), 'E_USAGE');
  });
});

function nextNote(): SignedEvent {
  const prev = c.provider[3] as SignedEvent;
  return testNext(c.station, c.driveId, prev, 'note', { noteRef: 'n-9' }, new Date('2025-03-05T00:00:00Z'));
}
