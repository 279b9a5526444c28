import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { eventHash, signEvent, type SignedEvent } from './event.js';
import { CustodyStore } from './journal.js';
import { signServiceObject, type Receipt } from './receipt.js';
import { frameRecord } from './record-log.js';
import { buildTestChain, testNext, testSecretKey } from './testing.js';

const c = buildTestChain();
const [sealed, verified, shipped, delivered] = c.provider as [SignedEvent, SignedEvent, SignedEvent, SignedEvent];
const serviceSecret = testSecretKey('service');

function receiptFor(e: SignedEvent, leafIndex: number): Receipt {
  return signServiceObject({ eventId: e.id, eventHash: eventHash(e), receivedAt: '2025-03-01T15:00:00.000Z', leafIndex, serviceKeyId: '0123456789abcdef' }, serviceSecret);
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

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CustodyStore', () => {
  it('persists events, heads and the outbox across reopen', async () => {
    const s = await CustodyStore.open(dir);
    expect(s.nextEvent(c.driveId, 'provider')).toEqual({ seq: 0, prev: null });
    for (const e of c.all) expect((await s.append(e)).appended).toBe(true);
    await s.close();
    const s2 = await CustodyStore.open(dir);
    expect(s2.recovery).toEqual([]);
    expect(s2.events()).toEqual(c.all);
    expect(s2.eventsForDrive(c.driveId)).toEqual(c.all);
    expect(s2.eventsForDrive('nope')).toEqual([]);
    expect(s2.pending().map((e) => e.id)).toEqual(c.all.map((e) => e.id));
    expect(s2.nextEvent(c.driveId, 'provider')).toEqual({ seq: 4, prev: eventHash(delivered) });
    expect(s2.nextEvent(c.driveId, 'customer')).toEqual({ seq: 3, prev: eventHash(c.customerEvents[2] as SignedEvent) });
    expect(s2.nextEvent(c.driveId, 'provider', { seq: 9, hash: 'ab'.repeat(32) })).toEqual({ seq: 10, prev: 'ab'.repeat(32) });
    expect(s2.nextEvent(c.driveId, 'provider', { seq: 1, hash: 'ab'.repeat(32) })).toEqual({ seq: 4, prev: eventHash(delivered) });
    await s2.close();
  });

  it('is idempotent by id and refuses conflicts, local forks and bad signatures', async () => {
    const s = await CustodyStore.open(dir);
    await s.append(sealed);
    await s.append(verified);
    expect(await s.append(verified)).toEqual({ appended: false, hash: eventHash(verified) });
    const sameIdOther = signEvent({ ...verified, at: '2025-03-01T14:06:00.000Z' }, c.station.secretKey);
    await rejects(s.append(sameIdOther), 'E_CUSTODY_CHAIN');
    const fork = testNext(c.station, c.driveId, sealed, 'verified', { level: 'media', ok: true, problems: 0 }, new Date('2025-03-01T14:07:00Z'));
    await rejects(s.append(fork), 'E_CUSTODY_CHAIN');
    await rejects(s.append({ ...shipped, data: { ...shipped.data, trackingNumber: 'ZZZZ9999' } }), 'E_CUSTODY_SIGNATURE');
    await rejects(s.append({ ...shipped, extra: 1 } as SignedEvent), 'E_CUSTODY_CHAIN');
    expect(s.events()).toEqual([sealed, verified]);
    await s.close();
  });

  it('serializes concurrent appends: two events for the same seq cannot both land', async () => {
    const s = await CustodyStore.open(dir);
    await s.append(sealed);
    const other = testNext(c.station, c.driveId, sealed, 'verified', { level: 'media', ok: true, problems: 0 }, new Date('2025-03-01T14:07:00Z'));
    const results = await Promise.allSettled([s.append(verified), s.append(other)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await s.close();
    const s2 = await CustodyStore.open(dir);
    expect(s2.events()).toEqual([sealed, verified]);
    await s2.close();
  });

  it('accepts a first event at any seq for a lineage it has not seen (earlier ones on the service)', async () => {
    const s = await CustodyStore.open(dir);
    await s.append(delivered);
    await rejects(s.append(shipped), 'E_CUSTODY_CHAIN');
    await s.close();
  });

  it("takes a lock: a second open fails until the first closes; a dead owner's lock is stale", async () => {
    const s = await CustodyStore.open(dir);
    await rejects(CustodyStore.open(dir), 'E_CUSTODY_JOURNAL');
    await s.close();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'lock'), `${deadPid}\n`);
    const s2 = await CustodyStore.open(dir);
    await s2.close();
    await rejects(s2.append(sealed), 'E_CUSTODY_JOURNAL');
  });

  it('moves acknowledged and rejected events out of the outbox, durably', async () => {
    const s = await CustodyStore.open(dir);
    for (const e of c.provider) await s.append(e);
    await s.recordReceipts([receiptFor(sealed, 0), receiptFor(verified, 1)]);
    await s.recordReceipt(receiptFor(verified, 1));
    await s.recordRejections([{ eventId: shipped.id, code: 'fork', message: 'fork at seq 2' }]);
    await rejects(s.recordReceipt({ ...receiptFor(delivered, 3), eventHash: 'ee'.repeat(32) }), 'E_CUSTODY_SYNC');
    await rejects(s.recordReceipt({ eventId: 'x' } as unknown as Receipt), 'E_CUSTODY_SYNC');
    await s.close();
    const s2 = await CustodyStore.open(dir);
    expect(s2.pending()).toEqual([delivered]);
    expect(s2.receipts().map((r) => r.leafIndex)).toEqual([0, 1]);
    expect(s2.receiptFor(sealed.id)?.eventHash).toBe(eventHash(sealed));
    expect(s2.rejections()).toMatchObject([{ eventId: shipped.id, code: 'fork' }]);
    await s2.close();
  });

  it('keeps checkpoints append-only and refuses rollback and split views', async () => {
    const s = await CustodyStore.open(dir);
    expect(s.lastCheckpoint()).toBeNull();
    const cp = (treeSize: number, root: string, ts: string) => signServiceObject({ treeSize, rootHash: root, timestamp: ts }, serviceSecret);
    await s.recordCheckpoint(cp(3, 'aa'.repeat(32), '2025-03-01T15:00:00Z'));
    await s.recordCheckpoint(cp(5, 'bb'.repeat(32), '2025-03-01T15:01:00Z'));
    await s.recordCheckpoint(cp(5, 'bb'.repeat(32), '2025-03-01T15:01:00Z'));
    await rejects(s.recordCheckpoint(cp(4, 'cc'.repeat(32), '2025-03-01T15:02:00Z')), 'E_CUSTODY_SYNC');
    await rejects(s.recordCheckpoint(cp(5, 'cc'.repeat(32), '2025-03-01T15:02:00Z')), 'E_CUSTODY_SYNC');
    await s.close();
    const s2 = await CustodyStore.open(dir);
    expect(s2.checkpoints().map((x) => x.treeSize)).toEqual([3, 5]);
    expect(s2.lastCheckpoint()?.rootHash).toBe('bb'.repeat(32));
    await s2.close();
  });
});

describe('crash safety', () => {
  async function fileSize(f: string): Promise<number> {
    return (await stat(f)).size;
  }

  it('recovers from a crash at every byte of the last event record', async () => {
    const s = await CustodyStore.open(dir);
    for (const e of c.provider.slice(0, 3)) await s.append(e);
    const file = join(dir, 'events.jsonl');
    const before = await fileSize(file);
    await s.append(delivered);
    await s.close();
    const full = await readFile(file);
    const lastLen = full.length - before;
    expect(lastLen).toBe(frameRecord(delivered).length);
    for (let k = 0; k < lastLen; k++) {
      await writeFile(file, full.subarray(0, before + k));
      const r = await CustodyStore.open(dir);
      expect(r.events()).toEqual([sealed, verified, shipped]);
      if (k === 0) expect(r.recovery).toEqual([]);
      else expect(r.recovery).toMatchObject([{ file, offset: before, bytes: k }]);
      expect(await fileSize(file)).toBe(before);
      expect((await r.append(delivered)).appended).toBe(true);
      await r.close();
      const again = await CustodyStore.open(dir);
      expect(again.recovery).toEqual([]);
      expect(again.events()).toEqual(c.provider);
      await again.close();
    }
    const saved = (await readdir(dir)).filter((f) => f.startsWith('events.jsonl.torn-'));
    expect(saved.length).toBeGreaterThan(0);
  });

  it('recovers from a crash at every byte of the last ack record', async () => {
    const s = await CustodyStore.open(dir);
    for (const e of c.provider) await s.append(e);
    await s.recordReceipt(receiptFor(sealed, 0));
    const file = join(dir, 'acks.jsonl');
    const before = await fileSize(file);
    await s.recordReceipt(receiptFor(verified, 1));
    await s.close();
    const full = await readFile(file);
    for (let k = 1; k < full.length - before; k++) {
      await writeFile(file, full.subarray(0, before + k));
      const r = await CustodyStore.open(dir);
      expect(r.pending().map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(r.recovery).toHaveLength(1);
      await r.close();
    }
  });

  it('treats a bad checksum on the last line as torn, but in the middle as corruption', async () => {
    const s = await CustodyStore.open(dir);
    for (const e of c.provider) await s.append(e);
    await s.close();
    const file = join(dir, 'events.jsonl');
    const full = await readFile(file, 'utf8');
    const lines = full.split('\n');
    const flip = (line: string) => line.replace('"seq":', '"seq" :');
    await writeFile(file, [...lines.slice(0, 4), flip(lines[4] ?? ''), ''].join('\n'));
    const r = await CustodyStore.open(dir);
    expect(r.events()).toHaveLength(3);
    await r.close();
    await writeFile(file, [lines[0], lines[1], flip(lines[2] ?? ''), lines[3], lines[4], ''].join('\n'));
    await rejects(CustodyStore.open(dir), 'E_CUSTODY_JOURNAL');
    await writeFile(file, full + 'garbage\nmore');
    await rejects(CustodyStore.open(dir), 'E_CUSTODY_JOURNAL');
  });

  it('rejects an intact record that is not a valid event, and a file of another kind', async () => {
    const s = await CustodyStore.open(dir);
    await s.append(sealed);
    await s.close();
    const file = join(dir, 'events.jsonl');
    await appendFile(file, frameRecord({ ...verified, sig: sealed.sig, seq: -1 }));
    await appendFile(file, frameRecord(shipped));
    await rejects(CustodyStore.open(dir), 'E_CUSTODY_JOURNAL');
    await writeFile(file, frameRecord({ scelle: 'record-log/1', kind: 'custody-acks' }));
    await rejects(CustodyStore.open(dir), 'E_CUSTODY_JOURNAL');
    await truncate(file, 0);
    const s2 = await CustodyStore.open(dir);
    expect(s2.events()).toEqual([]);
    await s2.close();
  });
});
