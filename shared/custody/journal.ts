/**
 * The local custody journal and outbox of a station or customer machine: every event is
 * written here (fsync'd) before anything else, then pushed to the service by the sync client.
 * A store is a directory of three append-only record logs (record-log.ts):
 *
 * - `events.jsonl`: signed events, in the order they were appended;
 * - `acks.jsonl`: the outbox's acknowledgements: a verified receipt, or a rejection, per event id;
 * - `checkpoints.jsonl`: the service checkpoints this machine verified, the last one being
 *   the base for the next consistency check;
 *
 * plus a `lock` file holding the owner's pid. Pending events = events without an ack.
 * Nothing is rewritten in place. Format details: docs/CUSTODY.md §6.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';
import { eventHash, lineageOf, parseSignedEvent, verifyEventSignature, type Lineage, type SignedEvent } from './event.js';
import { parseCheckpoint, parseReceipt, type Checkpoint, type Receipt } from './receipt.js';
import { RecordLog, syncDir, type LogRecovery } from './record-log.js';

/** Why the service refused an event for good (never retried). */
export interface Rejection {
  eventId: string;
  /** the service's code, e.g. a chain problem code or `conflict` */
  code: string;
  message: string;
  /** when this machine recorded the rejection (RFC 3339 UTC) */
  recordedAt: string;
}

/** The head (last event) of one lineage of one drive in this journal. */
export interface LineageHead {
  seq: number;
  hash: string;
}

type AckRecord = { ack: 'receipt'; receipt: Receipt } | { ack: 'rejected'; rejection: Rejection };

function corrupt(file: string, index: number, cause: unknown): ScelleError {
  return new ScelleError('E_CUSTODY_JOURNAL', `journal record ${index + 1} is intact but invalid`, { file, record: index + 1 }, { cause });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An open custody store. Only one process may hold a store open at a time. */
export class CustodyStore {
  private readonly list: Array<{ event: SignedEvent; hash: string }> = [];
  private readonly byId = new Map<string, { event: SignedEvent; hash: string }>();
  private readonly heads = new Map<string, LineageHead>();
  private readonly receiptById = new Map<string, Receipt>();
  private readonly rejectionById = new Map<string, Rejection>();
  private readonly checkpointList: Checkpoint[] = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly eventsLog: RecordLog,
    private readonly acksLog: RecordLog,
    private readonly checkpointsLog: RecordLog,
    /** Torn records cut off while opening (empty after a clean shutdown). */
    readonly recovery: readonly LogRecovery[],
  ) {}

  /**
   * Opens the store in `dir` (created if missing), takes its lock, recovers torn tails and
   * loads everything into memory.
   * @throws ScelleError E_CUSTODY_JOURNAL when another live process holds the lock, a record
   *   in the middle of a file is corrupt, an intact record is not a valid event/ack/checkpoint,
   *   or the files cannot be read or written.
   */
  static async open(dir: string): Promise<CustodyStore> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new ScelleError('E_CUSTODY_JOURNAL', 'cannot create the journal folder', { dir }, { cause });
    }
    const lockFile = await CustodyStore.lock(dir);
    const opened: RecordLog[] = [];
    try {
      const ev = await RecordLog.open(join(dir, 'events.jsonl'), 'custody-events');
      opened.push(ev.log);
      const ac = await RecordLog.open(join(dir, 'acks.jsonl'), 'custody-acks');
      opened.push(ac.log);
      const cp = await RecordLog.open(join(dir, 'checkpoints.jsonl'), 'custody-checkpoints');
      opened.push(cp.log);
      const recovery = [ev.recovery, ac.recovery, cp.recovery].filter((r): r is LogRecovery => r !== null);
      const store = new CustodyStore(dir, ev.log, ac.log, cp.log, recovery);
      store.lockFile = lockFile;
      ev.records.forEach((r, i) => {
        let e: SignedEvent;
        try {
          e = parseSignedEvent(r);
        } catch (cause) {
          throw corrupt(ev.log.file, i + 1, cause);
        }
        store.remember(e);
      });
      ac.records.forEach((r, i) => {
        try {
          const a = r as AckRecord;
          if (a.ack === 'receipt') {
            const rc = parseReceipt(a.receipt);
            store.receiptById.set(rc.eventId, rc);
          } else if (a.ack === 'rejected' && typeof a.rejection?.eventId === 'string') {
            store.rejectionById.set(a.rejection.eventId, a.rejection);
          } else throw new Error('unknown ack record');
        } catch (cause) {
          throw corrupt(ac.log.file, i + 1, cause);
        }
      });
      cp.records.forEach((r, i) => {
        try {
          store.checkpointList.push(parseCheckpoint(r));
        } catch (cause) {
          throw corrupt(cp.log.file, i + 1, cause);
        }
      });
      return store;
    } catch (e) {
      for (const l of opened) await l.close().catch(() => undefined);
      await unlink(lockFile).catch(() => undefined);
      throw e;
    }
  }

  private lockFile = '';

  private static async lock(dir: string): Promise<string> {
    const file = join(dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const h = await open(file, 'wx', 0o600);
        await h.writeFile(`${process.pid}\n`);
        await h.sync();
        await h.close();
        await syncDir(dir);
        return file;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ScelleError('E_CUSTODY_JOURNAL', 'cannot lock the journal', { dir }, { cause: e });
        const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
          throw new ScelleError('E_CUSTODY_JOURNAL', 'the journal is open in another process', { dir, pid });
        }
        await unlink(file).catch(() => undefined); // stale lock of a crashed process
      }
    }
    throw new ScelleError('E_CUSTODY_JOURNAL', 'cannot lock the journal', { dir });
  }

  private remember(e: SignedEvent): void {
    const hash = eventHash(e);
    const entry = { event: e, hash };
    this.list.push(entry);
    this.byId.set(e.id, entry);
    this.heads.set(`${e.driveId} ${lineageOf(e)}`, { seq: e.seq, hash });
  }

  private assertOpen(): void {
    if (this.closed) throw new ScelleError('E_CUSTODY_JOURNAL', 'the journal is closed', { dir: this.dir });
  }

  /**
   * Appends a signed event durably (fsync'd before resolving). Idempotent: appending an event
   * already present (same id, same hash) resolves `{ appended: false }`. When the journal
   * already holds events of the same drive and lineage, the event must extend the head
   * (seq = head.seq + 1, prev = head hash): a local fork is refused. The first event of a
   * drive/lineage here may have any seq (earlier ones may live only on the service).
   * @throws ScelleError E_CUSTODY_CHAIN when malformed, a conflicting event with the same id
   *   exists, or it does not extend the lineage head; E_CUSTODY_SIGNATURE when its signature
   *   does not verify; E_CUSTODY_JOURNAL on I/O failure or after close.
   */
  append(event: SignedEvent): Promise<{ appended: boolean; hash: string }> {
    return this.serialized(() => this.appendNow(event));
  }

  private mutex: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier state-changing call, so checks and writes never interleave. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.mutex.then(fn);
    this.mutex = p.catch(() => undefined);
    return p;
  }

  private async appendNow(event: SignedEvent): Promise<{ appended: boolean; hash: string }> {
    this.assertOpen();
    const e = parseSignedEvent(event);
    if (!verifyEventSignature(e)) throw new ScelleError('E_CUSTODY_SIGNATURE', 'event signature does not verify', { eventId: e.id });
    const hash = eventHash(e);
    const known = this.byId.get(e.id);
    if (known) {
      if (known.hash === hash) return { appended: false, hash };
      throw new ScelleError('E_CUSTODY_CHAIN', 'another event with the same id is already in the journal', { eventId: e.id });
    }
    const head = this.heads.get(`${e.driveId} ${lineageOf(e)}`);
    if (head && (e.seq !== head.seq + 1 || e.prev !== head.hash)) {
      throw new ScelleError('E_CUSTODY_CHAIN', 'event does not extend the journal lineage head (fork)', { eventId: e.id, headSeq: head.seq, seq: e.seq });
    }
    await this.eventsLog.append([e]);
    this.remember(e);
    return { appended: true, hash };
  }

  /** All events in append order. */
  events(): SignedEvent[] {
    return this.list.map((x) => x.event);
  }

  /** The drive's events in append order (both lineages). */
  eventsForDrive(driveId: string): SignedEvent[] {
    return this.list.filter((x) => x.event.driveId === driveId).map((x) => x.event);
  }

  /** The event with this id, or undefined. */
  event(id: string): SignedEvent | undefined {
    return this.byId.get(id)?.event;
  }

  /** The event hash of the journaled event with this id, or undefined. */
  hashOf(id: string): string | undefined {
    return this.byId.get(id)?.hash;
  }

  /** The last event of a drive's lineage in this journal, or null. */
  head(driveId: string, lineage: Lineage): LineageHead | null {
    return this.heads.get(`${driveId} ${lineage}`) ?? null;
  }

  /**
   * The seq and prev for the next event of a drive's lineage: after the local head, or after
   * `remoteHead` (e.g. from GET /v1/drives) when it is further along.
   */
  nextEvent(driveId: string, lineage: Lineage, remoteHead?: LineageHead | null): { seq: number; prev: string | null } {
    const local = this.head(driveId, lineage);
    const h = remoteHead && (!local || remoteHead.seq > local.seq) ? remoteHead : local;
    return h ? { seq: h.seq + 1, prev: h.hash } : { seq: 0, prev: null };
  }

  /** Events not yet acknowledged (no receipt, no rejection), in append order: the outbox. */
  pending(): SignedEvent[] {
    return this.list.filter((x) => !this.receiptById.has(x.event.id) && !this.rejectionById.has(x.event.id)).map((x) => x.event);
  }

  /**
   * Durably records receipts (one fsync for the batch). The caller (the sync client) has
   * verified their signatures. Receipts already recorded are skipped.
   * @throws ScelleError E_CUSTODY_SYNC when a receipt is malformed or names an event whose
   *   hash differs from the journaled one; E_CUSTODY_JOURNAL on I/O failure.
   */
  recordReceipts(receipts: readonly Receipt[]): Promise<void> {
    return this.serialized(() => this.recordReceiptsNow(receipts));
  }

  private async recordReceiptsNow(receipts: readonly Receipt[]): Promise<void> {
    this.assertOpen();
    const fresh: Receipt[] = [];
    for (const r of receipts.map(parseReceipt)) {
      const h = this.byId.get(r.eventId)?.hash;
      if (h !== undefined && h !== r.eventHash) throw new ScelleError('E_CUSTODY_SYNC', 'receipt names another event hash', { eventId: r.eventId });
      if (!this.receiptById.has(r.eventId) && !fresh.some((f) => f.eventId === r.eventId)) fresh.push(r);
    }
    if (fresh.length === 0) return;
    await this.acksLog.append(fresh.map((receipt): AckRecord => ({ ack: 'receipt', receipt })));
    for (const r of fresh) this.receiptById.set(r.eventId, r);
  }

  /** Records one receipt; see recordReceipts. */
  recordReceipt(receipt: Receipt): Promise<void> {
    return this.recordReceipts([receipt]);
  }

  /**
   * Durably records that the service rejected events for good; they leave the outbox.
   * @throws ScelleError E_CUSTODY_JOURNAL on I/O failure.
   */
  recordRejections(rejections: ReadonlyArray<Omit<Rejection, 'recordedAt'> & { recordedAt?: string }>): Promise<void> {
    return this.serialized(() => this.recordRejectionsNow(rejections));
  }

  private async recordRejectionsNow(rejections: ReadonlyArray<Omit<Rejection, 'recordedAt'> & { recordedAt?: string }>): Promise<void> {
    this.assertOpen();
    const now = new Date().toISOString();
    const fresh = rejections
      .filter((r) => !this.rejectionById.has(r.eventId))
      .map((r): Rejection => ({ eventId: r.eventId, code: r.code, message: r.message.slice(0, 500), recordedAt: r.recordedAt ?? now }));
    if (fresh.length === 0) return;
    await this.acksLog.append(fresh.map((rejection): AckRecord => ({ ack: 'rejected', rejection })));
    for (const r of fresh) this.rejectionById.set(r.eventId, r);
  }

  /** All recorded receipts, in the order recorded. */
  receipts(): Receipt[] {
    return [...this.receiptById.values()];
  }

  /** The receipt of an event, or undefined. */
  receiptFor(eventId: string): Receipt | undefined {
    return this.receiptById.get(eventId);
  }

  /** All recorded rejections. */
  rejections(): Rejection[] {
    return [...this.rejectionById.values()];
  }

  /** The last verified checkpoint, or null when none was recorded yet. */
  lastCheckpoint(): Checkpoint | null {
    return this.checkpointList[this.checkpointList.length - 1] ?? null;
  }

  /** Every recorded checkpoint, oldest first. */
  checkpoints(): Checkpoint[] {
    return [...this.checkpointList];
  }

  /**
   * Durably records a checkpoint the caller verified (signature and consistency with the
   * last one). Recording the same checkpoint again is a no-op.
   * @throws ScelleError E_CUSTODY_SYNC when malformed, smaller than the last one, or of the
   *   same size with another root (a split view); E_CUSTODY_JOURNAL on I/O failure.
   */
  recordCheckpoint(cp: Checkpoint): Promise<void> {
    return this.serialized(() => this.recordCheckpointNow(cp));
  }

  private async recordCheckpointNow(cp: Checkpoint): Promise<void> {
    this.assertOpen();
    const c = parseCheckpoint(cp);
    const last = this.lastCheckpoint();
    if (last) {
      if (c.treeSize < last.treeSize) throw new ScelleError('E_CUSTODY_SYNC', 'checkpoint older than the last one', { treeSize: c.treeSize, lastTreeSize: last.treeSize });
      if (c.treeSize === last.treeSize && c.rootHash !== last.rootHash)
        throw new ScelleError('E_CUSTODY_SYNC', 'two different roots for the same tree size', { treeSize: c.treeSize });
      if (c.treeSize === last.treeSize && c.timestamp === last.timestamp) return;
    }
    await this.checkpointsLog.append([c]);
    this.checkpointList.push(c);
  }

  /** Waits for pending writes, closes the files and releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.mutex;
    this.closed = true;
    await Promise.all([this.eventsLog.close(), this.acksLog.close(), this.checkpointsLog.close()]);
    await unlink(this.lockFile).catch(() => undefined);
  }
}
