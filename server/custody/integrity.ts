/**
 * The integrity check (GET /v1/admin/integrity): recomputes everything the database claims
 * from first principles, to catch tampering that bypassed the append-only triggers (e.g. a
 * DBA who dropped them) or disk corruption:
 * - each stored event body parses, hashes to its `event_hash`, and its signature verifies;
 * - leaf indexes are 0..n−1 without holes, and `tree_state.size` = n;
 * - each lineage is contiguous from seq 0 and every `prev` is the hash of its predecessor;
 * - the Merkle root recomputed from the event hashes equals the root from the stored nodes and
 *   the root of the latest checkpoint, whose signature verifies with the service key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { canonicalBytes, decodeBase64Strict, eventHash, parseSignedEvent, verifyEventSignature } from '../../shared/custody/event.js';
import { EMPTY_ROOT, hashChildren, leafHash } from '../../shared/custody/merkle.js';
import { num, type Tx } from '../db/driver.js';
import { latestCheckpoint } from './ingest.js';
import { storedRoot } from './merkle-store.js';

/** One problem found by the integrity check. */
export interface IntegrityProblem {
  code: 'event-body' | 'event-hash' | 'signature' | 'leaf-index' | 'chain-link' | 'tree-size' | 'merkle-root' | 'merkle-nodes' | 'checkpoint';
  eventId?: string;
  message: string;
}

/** The integrity report. */
export interface IntegrityReport {
  ok: boolean;
  events: number;
  treeSize: number;
  rootHash: string;
  problems: IntegrityProblem[];
}

const PAGE = 5000;
const MAX_PROBLEMS = 1000;

/** Streaming RFC 9162 root over leaf hashes appended in order (a compact range). */
class RootAccumulator {
  private readonly stack: Array<{ size: number; hash: Uint8Array }> = [];
  push(leaf: Uint8Array): void {
    let node = { size: 1, hash: leaf };
    for (let top = this.stack.at(-1); top && top.size === node.size; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { size: node.size * 2, hash: hashChildren(top.hash, node.hash) };
    }
    this.stack.push(node);
  }
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const h = (this.stack[i] as { hash: Uint8Array }).hash;
      acc = acc === undefined ? h : hashChildren(h, acc);
    }
    return acc ?? EMPTY_ROOT;
  }
}

/**
 * Runs the full check. Reads every event twice (in leaf order, then in lineage order), so it
 * is linear in the number of events. `servicePublicKeys` are the base64 keys whose checkpoint
 * signatures are accepted.
 * @throws ScelleError E_SERVER_DATABASE only if the database cannot be read.
 */
export async function checkIntegrity(tx: Tx, servicePublicKeys: readonly string[]): Promise<IntegrityReport> {
  const problems: IntegrityProblem[] = [];
  const add = (p: IntegrityProblem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const acc = new RootAccumulator();
  let count = 0;
  for (let after = -1; ;) {
    const rows = await tx.query(`SELECT id, event_hash, body, leaf_index FROM events WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?`, [after, PAGE]);
    if (rows.length === 0) break;
    for (const r of rows) {
      const id = String(r['id']);
      const index = num(r['leaf_index']);
      after = index;
      if (index !== count) add({ code: 'leaf-index', eventId: id, message: `leaf index ${index} where ${count} was expected` });
      count++;
      const stored = String(r['event_hash']);
      acc.push(/^[0-9a-f]{64}$/.test(stored) ? leafHash(stored) : EMPTY_ROOT);
      let event;
      try {
        event = parseSignedEvent(JSON.parse(String(r['body'])));
      } catch {
        add({ code: 'event-body', eventId: id, message: 'stored event body no longer parses' });
        continue;
      }
      if (event.id !== id) add({ code: 'event-body', eventId: id, message: 'stored body has another event id' });
      if (eventHash(event) !== stored) add({ code: 'event-hash', eventId: id, message: 'stored body does not hash to the stored event hash' });
      if (!verifyEventSignature(event)) add({ code: 'signature', eventId: id, message: 'stored event signature does not verify' });
    }
  }
  // Lineages: contiguous seq from 0 and prev links, in (drive, lineage, seq) order.
  let prevKey = '';
  let prevHash = '';
  let prevSeq = -1;
  // Keyset pagination on the (drive_id, lineage, seq) unique index.
  for (let cursor: [string, string, number] | null = null; ;) {
    const rows: Array<Record<string, unknown>> =
      cursor === null
        ? await tx.query(`SELECT id, drive_id, lineage, seq, prev, event_hash, body FROM events ORDER BY drive_id, lineage, seq LIMIT ?`, [PAGE])
        : await tx.query(
            `SELECT id, drive_id, lineage, seq, prev, event_hash, body FROM events WHERE (drive_id, lineage, seq) > (?, ?, ?) ORDER BY drive_id, lineage, seq LIMIT ?`,
            [...cursor, PAGE],
          );
    if (rows.length === 0) break;
    const last = rows[rows.length - 1] as Record<string, unknown>;
    cursor = [String(last['drive_id']), String(last['lineage']), num(last['seq'])];
    for (const r of rows) {
      const id = String(r['id']);
      const k = `${String(r['drive_id'])}\u0000${String(r['lineage'])}`;
      const seq = num(r['seq']);
      let bodyPrev: unknown = null;
      let bodyLineage: unknown = null;
      try {
        const b = JSON.parse(String(r['body'])) as { prev?: unknown; seq?: unknown; driveId?: unknown; author?: { kind?: string } };
        bodyPrev = b.prev ?? null;
        bodyLineage = b.author?.kind === 'customer' ? 'customer' : 'provider';
        if (b.seq !== seq || b.driveId !== r['drive_id'] || bodyLineage !== r['lineage'] || bodyPrev !== (r['prev'] ?? null)) {
          add({ code: 'event-body', eventId: id, message: 'indexed columns disagree with the stored body' });
        }
      } catch {
        /* reported in the first pass */
      }
      const expectedSeq = k === prevKey ? prevSeq + 1 : 0;
      if (seq !== expectedSeq) add({ code: 'chain-link', eventId: id, message: `seq ${seq} where ${expectedSeq} was expected` });
      else if (seq > 0 && bodyPrev !== prevHash) add({ code: 'chain-link', eventId: id, message: 'prev is not the hash of the previous event' });
      prevKey = k;
      prevSeq = seq;
      prevHash = String(r['event_hash']);
    }
  }
  const size = num((await tx.query(`SELECT size FROM tree_state WHERE id = 1`))[0]?.['size']);
  if (size !== count) add({ code: 'tree-size', message: `tree size ${size} but ${count} events` });
  const root = Buffer.from(acc.root()).toString('hex');
  try {
    const fromNodes = Buffer.from(await storedRoot(tx, size)).toString('hex');
    if (fromNodes !== root) add({ code: 'merkle-nodes', message: 'stored Merkle nodes do not give the root recomputed from the events' });
  } catch {
    add({ code: 'merkle-nodes', message: 'stored Merkle nodes are missing' });
  }
  const cp = await latestCheckpoint(tx);
  if (cp) {
    const { signature, ...body } = cp;
    const sig = decodeBase64Strict(signature, 64);
    const signed =
      !!sig &&
      servicePublicKeys.some((k) => {
        const pub = decodeBase64Strict(k, 32);
        try {
          return !!pub && ed25519.verify(sig, canonicalBytes(body), pub, { zip215: false });
        } catch {
          return false;
        }
      });
    if (!signed) add({ code: 'checkpoint', message: 'the latest checkpoint signature does not verify' });
    if (cp.treeSize !== count) add({ code: 'checkpoint', message: `latest checkpoint covers ${cp.treeSize} leaves, ${count} events stored` });
    else if (cp.rootHash !== root) add({ code: 'merkle-root', message: 'the signed checkpoint root differs from the root recomputed from the events' });
  } else if (count > 0) {
    add({ code: 'checkpoint', message: 'events stored but no checkpoint' });
  }
  return { ok: problems.length === 0, events: count, treeSize: size, rootHash: root, problems };
}
