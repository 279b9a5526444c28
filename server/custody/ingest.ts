/**
 * Batch ingest of signed custody events (POST /v1/events): validation, idempotency by event id,
 * linkage checks against the stored lineages, Merkle append, receipts and a checkpoint, all in
 * one database transaction serialized on the `tree_state` row.
 *
 * Per-event outcome codes (docs/CUSTODY.md §4/§5): `malformed`, `bad-signature`,
 * `unknown-key`, `revoked-key`, `wrong-author`, `missing-genesis`, `gap`, `fork`, `altered`,
 * `conflict` (known id, other content), `forbidden` (the caller's token may not push it) and
 * `not-owner` (a station event on a drive another station holds: see ownership.ts).
 * `drive-full` (the drive already holds MAX_EVENTS_PER_DRIVE events).
 * A stored `incident` of kind `lost` also opens an entry in the incident register (incidents.ts);
 * a stored `sealed` event that names a sealed set records the drive's membership (sets.ts).
 */
import { eventHash, lineageOf, parseSignedEvent, verifyEventSignature, type SignedEvent } from '../../shared/custody/event.js';
import { leafHash } from '../../shared/custody/merkle.js';
import { isScelleError } from '../../shared/errors/scelle-error.js';
import type { Caller } from '../auth/caller.js';
import { num, str, type Db, type SqlValue, type Tx } from '../db/driver.js';
import type { ServiceKey } from '../service-key.js';
import { appendLeaves } from './merkle-store.js';
import { receiptOfRow, signCheckpoint, signReceipt, type Checkpoint, type Receipt } from './receipts.js';
import { loadOwnership, ownershipRefusal } from './ownership.js';
import { keyTrust, loadKeys } from './signing-keys.js';
import { openIncidentsFor } from './incidents.js';
import { recordSetMembers } from './sets.js';

/** The maximum number of events in one request. */
export const MAX_BATCH = 100;
/**
 * The most events one drive may hold, both lineages together (a real chain holds about ten):
 * bounds what a station or customer token can make the service store and verify per lookup.
 */
export const MAX_EVENTS_PER_DRIVE = 1000;

/** Codes of a rejected event. */
export type RejectCode =
  | 'malformed'
  | 'bad-signature'
  | 'unknown-key'
  | 'revoked-key'
  | 'wrong-author'
  | 'missing-genesis'
  | 'gap'
  | 'fork'
  | 'altered'
  | 'conflict'
  | 'forbidden'
  | 'not-owner'
  | 'drive-full';

/** The outcome for one event of a batch. */
export type IngestResult = { id: string; status: 'stored' | 'duplicate'; receipt: Receipt } | { id: string; status: 'rejected'; code: RejectCode; message: string };

/** What ingest needs from the service. */
export interface IngestDeps {
  db: Db;
  serviceKey: ServiceKey;
  now: () => Date;
}

interface Candidate {
  pos: number;
  event: SignedEvent;
  hash: string;
  lineage: 'provider' | 'customer';
}

const INSERT_CHUNK = 50;

function rawId(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && 'id' in raw && typeof (raw as { id: unknown }).id === 'string') {
    return (raw as { id: string }).id.slice(0, 64);
  }
  return '';
}

/**
 * Who may push what: a station token the events of the station it names (a token that names
 * none may not push station events), staff events and customer events; customers only their
 * drive's customer events. Which station may write on which drive is ownership's job.
 */
function authorize(caller: Caller, e: SignedEvent): string | null {
  if (caller.role === 'customer') {
    if (e.author.kind !== 'customer' || e.driveId !== caller.subject) return 'a customer token may only push customer events of its own drive';
    return null;
  }
  if (caller.role === 'station') {
    if (e.author.kind === 'station' && caller.subject === null) return 'this station token names no station: ask an admin for a token bound to your station id';
    if (e.author.kind === 'station' && e.author.id !== caller.subject) return 'a station token may only push events of its own station';
    return null;
  }
  return `role ${caller.role} may not push events`;
}

/** The latest stored checkpoint, or null when none exists yet. */
export async function latestCheckpoint(tx: Tx): Promise<Checkpoint | null> {
  const rows = await tx.query(`SELECT tree_size, root_hash, timestamp, key_id, signature FROM checkpoints ORDER BY tree_size DESC LIMIT 1`);
  const r = rows[0];
  if (!r) return null;
  return {
    treeSize: num(r['tree_size']),
    rootHash: String(r['root_hash']),
    timestamp: String(r['timestamp']),
    serviceKeyId: String(r['key_id']),
    signature: String(r['signature']),
  };
}

/** Stores a checkpoint (ignored if one for that size exists: the first one is kept). */
export async function storeCheckpoint(tx: Tx, cp: Checkpoint, engine: Db['engine']): Promise<void> {
  const conflict = engine === 'postgres' ? ' ON CONFLICT (tree_size) DO NOTHING' : '';
  const verb = engine === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT';
  await tx.run(`${verb} INTO checkpoints (tree_size, root_hash, timestamp, key_id, signature) VALUES (?, ?, ?, ?, ?)${conflict}`, [
    cp.treeSize,
    cp.rootHash,
    cp.timestamp,
    cp.serviceKeyId,
    cp.signature,
  ]);
}

/**
 * Ingests a batch (≤ MAX_BATCH) of raw events from `caller`, in order: an event may build on
 * one stored earlier in the same batch. Stored events get a leaf index and a signed receipt;
 * the returned checkpoint covers every receipt of the response.
 * @throws ScelleError E_USAGE when the batch is too large; E_SERVER_DATABASE on database failure
 *   (then nothing of the batch is stored).
 */
export async function ingestBatch(deps: IngestDeps, caller: Caller, raws: readonly unknown[]): Promise<{ results: IngestResult[]; checkpoint: Checkpoint }> {
  const results: Array<IngestResult | undefined> = new Array(raws.length);
  const candidates: Candidate[] = [];
  // 1. Stateless checks, outside the transaction.
  raws.forEach((raw, pos) => {
    let event: SignedEvent;
    try {
      event = parseSignedEvent(raw);
    } catch (e) {
      results[pos] = { id: rawId(raw), status: 'rejected', code: 'malformed', message: isScelleError(e) ? e.message : 'malformed event' };
      return;
    }
    if (!verifyEventSignature(event)) {
      results[pos] = { id: event.id, status: 'rejected', code: 'bad-signature', message: 'the Ed25519 signature does not verify' };
      return;
    }
    const denied = authorize(caller, event);
    if (denied) {
      results[pos] = { id: event.id, status: 'rejected', code: 'forbidden', message: denied };
      return;
    }
    candidates.push({ pos, event, hash: eventHash(event), lineage: lineageOf(event) });
  });

  // 2. Stateful checks and writes, in one transaction.
  const checkpoint = await deps.db.transaction(async (tx) => {
    const sizeRow = (await tx.query(`SELECT size FROM tree_state WHERE id = 1${deps.db.forUpdate}`))[0];
    let size = num(sizeRow?.['size']);
    const startSize = size;
    const receivedAt = deps.now().toISOString();

    const ids = candidates.map((c) => c.event.id);
    const byId = new Map<string, { hash: string; receipt: Receipt }>();
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const rows = await tx.query(
        `SELECT id, event_hash, leaf_index, received_at, receipt_key_id, receipt_signature FROM events WHERE id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) {
        const receipt = receiptOfRow(r);
        byId.set(receipt.eventId, { hash: receipt.eventHash, receipt });
      }
    }
    // Stored lineage positions of the batch's drives: (drive, lineage, seq) → hash; sealed data.
    const drives = [...new Set(candidates.map((c) => c.event.driveId))];
    const slot = new Map<string, string>();
    const perDrive = new Map<string, number>();
    const sealed = new Map<string, { customerPublicKey: string; manifestSha256: string }>();
    const slotKey = (d: string, l: string, s: number): string => `${d}\u0000${l}\u0000${s}`;
    for (let i = 0; i < drives.length; i += 200) {
      const chunk = drives.slice(i, i + 200);
      const rows = await tx.query(`SELECT drive_id, lineage, seq, event_hash, type, body FROM events WHERE drive_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of rows) {
        const d = String(r['drive_id']);
        perDrive.set(d, (perDrive.get(d) ?? 0) + 1);
        slot.set(slotKey(d, String(r['lineage']), num(r['seq'])), String(r['event_hash']));
        if (String(r['lineage']) === 'provider' && num(r['seq']) === 0) {
          const data = (JSON.parse(String(r['body'])) as SignedEvent).data;
          sealed.set(d, { customerPublicKey: String(data['customerPublicKey']), manifestSha256: String(data['manifestSha256']) });
        }
      }
    }
    const keys = await loadKeys(
      tx,
      candidates.filter((c) => c.lineage === 'provider').map((c) => c.event.author.publicKey),
    );
    const owners = await loadOwnership(tx, drives);

    const inserts: SqlValue[][] = [];
    const leaves: Uint8Array[] = [];
    for (const c of candidates) {
      const e = c.event;
      const reject = (code: RejectCode, message: string): void => {
        results[c.pos] = { id: e.id, status: 'rejected', code, message };
      };
      const known = byId.get(e.id);
      if (known) {
        if (known.hash === c.hash) results[c.pos] = { id: e.id, status: 'duplicate', receipt: known.receipt };
        else reject('conflict', 'an event with this id and different content is already stored');
        continue;
      }
      if (c.lineage === 'provider') {
        const trust = keyTrust(keys.get(e.author.publicKey), e.author.kind, e.author.id, receivedAt);
        if (trust === 'unknown') {
          reject('unknown-key', `key not enrolled for ${e.author.kind} ${e.author.id}`);
          continue;
        }
        if (trust === 'revoked') {
          reject('revoked-key', 'the author key is revoked');
          continue;
        }
        if (e.author.kind === 'station') {
          const refusal = ownershipRefusal(owners.get(e.driveId), e.author.id);
          if (refusal) {
            reject('not-owner', refusal);
            continue;
          }
        }
      } else {
        const s = sealed.get(e.driveId);
        if (!s) {
          reject('missing-genesis', 'the drive has no sealed event yet: the customer key is unknown');
          continue;
        }
        if (e.author.publicKey !== s.customerPublicKey) {
          reject('wrong-author', 'not signed by the customer key recorded at seal time');
          continue;
        }
        if (e.seq === 0 && e.data['anchor'] !== s.manifestSha256) {
          reject('wrong-author', 'anchor differs from the sealed manifest hash');
          continue;
        }
      }
      const here = slot.get(slotKey(e.driveId, c.lineage, e.seq));
      if (here !== undefined) {
        reject('fork', `another event is stored at ${c.lineage} seq ${e.seq}`);
        continue;
      }
      if (e.seq > 0) {
        const before = slot.get(slotKey(e.driveId, c.lineage, e.seq - 1));
        if (before === undefined) {
          reject('gap', `no stored event at ${c.lineage} seq ${e.seq - 1}`);
          continue;
        }
        if (before !== e.prev) {
          reject('altered', `prev differs from the hash of ${c.lineage} seq ${e.seq - 1}`);
          continue;
        }
      }
      const count = perDrive.get(e.driveId) ?? 0;
      if (count >= MAX_EVENTS_PER_DRIVE) {
        reject('drive-full', `the drive already holds ${MAX_EVENTS_PER_DRIVE} events`);
        continue;
      }
      perDrive.set(e.driveId, count + 1);
      const leafIndex = size++;
      const receipt = signReceipt(deps.serviceKey, { eventId: e.id, eventHash: c.hash, receivedAt, leafIndex });
      slot.set(slotKey(e.driveId, c.lineage, e.seq), c.hash);
      byId.set(e.id, { hash: c.hash, receipt });
      if (c.lineage === 'provider' && e.seq === 0) {
        owners.set(e.driveId, { driveId: e.driveId, sealedBy: e.author.id, owner: e.author.id, handoffs: [] });
        sealed.set(e.driveId, { customerPublicKey: String(e.data['customerPublicKey']), manifestSha256: String(e.data['manifestSha256']) });
      }
      const tracking = e.type === 'shipped' ? str(e.data['trackingNumber']) : null;
      const orderRef = e.type === 'shipped' ? str(e.data['orderRef']) : null;
      inserts.push([
        e.id,
        c.hash,
        e.driveId,
        c.lineage,
        e.seq,
        e.prev,
        e.type,
        e.author.kind,
        e.author.id,
        e.at,
        JSON.stringify(e),
        tracking,
        orderRef,
        leafIndex,
        receivedAt,
        receipt.serviceKeyId,
        receipt.signature,
      ]);
      leaves.push(leafHash(c.hash));
      results[c.pos] = { id: e.id, status: 'stored', receipt };
    }

    for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
      const chunk = inserts.slice(i, i + INSERT_CHUNK);
      await tx.run(
        `INSERT INTO events (id, event_hash, drive_id, lineage, seq, prev, type, author_kind, author_id, at, body, tracking_number, order_ref, leaf_index, received_at, receipt_key_id, receipt_signature) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
    const stored = candidates.filter((c) => results[c.pos]?.status === 'stored');
    await recordSetMembers(
      tx,
      stored.map((c) => ({ event: c.event, leafIndex: (results[c.pos] as { receipt: Receipt }).receipt.leafIndex })),
      receivedAt,
    );
    await openIncidentsFor(
      tx,
      stored.map((c) => c.event),
      receivedAt,
    );
    if (leaves.length === 0) {
      const cp = await latestCheckpoint(tx);
      if (cp && cp.treeSize === startSize) return cp;
    }
    const root = await appendLeaves(tx, startSize, leaves);
    if (leaves.length > 0) await tx.run(`UPDATE tree_state SET size = ? WHERE id = 1`, [size]);
    const cp = signCheckpoint(deps.serviceKey, size, Buffer.from(root).toString('hex'), receivedAt);
    await storeCheckpoint(tx, cp, deps.db.engine);
    return cp;
  });
  return { results: results.map((r) => r as IngestResult), checkpoint };
}
