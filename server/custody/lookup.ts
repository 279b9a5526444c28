/**
 * Drive lookup (GET /v1/drives): finds drives by tracking number, order reference or drive id,
 * and returns each drive's events in stored order, their receipts and the verification of the
 * chain by shared/custody/chain-verify.ts, with key trust taken from the enrolment registry
 * and the service's receive times.
 */
import { verifyChain, type ChainReport } from '../../shared/custody/chain-verify.js';
import type { SignedEvent } from '../../shared/custody/event.js';
import { type Tx } from '../db/driver.js';
import { loadOwnership, type DriveOwnership } from './ownership.js';
import { receiptOfRow, type Receipt } from './receipts.js';
import { chainTrustFrom, loadKeys } from './signing-keys.js';

/** What a lookup asks for: exactly one criterion. */
export type DriveQuery = { tracking: string } | { order: string } | { drive: string };

/** Stored tracking-number forms to match for a `tracking` query (see server/tracking.ts). */
export type TrackingForms = readonly string[];

/** One drive in a lookup answer. */
export interface DriveView {
  driveId: string;
  events: SignedEvent[];
  receipts: Receipt[];
  /** the chain's verification, with the custody anomalies (impossible orders) in `verification.anomalies` */
  verification: ChainReport;
  /** who holds the drive and its handoffs; null when no sealed event is stored */
  ownership: DriveOwnership | null;
}

/** At most this many drives are returned by one lookup. */
export const MAX_DRIVES_PER_LOOKUP = 50;

/**
 * Drive ids matching `q`, sorted. For a tracking query, `forms` are the stored forms to match
 * (default: `q.tracking` alone, which must then be normalized).
 */
export async function findDriveIds(tx: Tx, q: DriveQuery, forms?: TrackingForms): Promise<string[]> {
  let rows;
  if ('tracking' in q) {
    const f = forms && forms.length > 0 ? forms.slice(0, 20) : [q.tracking];
    rows = await tx.query(`SELECT DISTINCT drive_id FROM events WHERE tracking_number IN (${f.map(() => '?').join(', ')}) LIMIT ?`, [...f, MAX_DRIVES_PER_LOOKUP]);
  } else if ('order' in q) {
    rows = await tx.query(
      `SELECT DISTINCT drive_id FROM events WHERE order_ref = ?
       UNION SELECT drive_id FROM personal_records WHERE order_ref = ? AND drive_id IS NOT NULL`,
      [q.order, q.order],
    );
  } else rows = await tx.query(`SELECT drive_id FROM events WHERE drive_id = ? LIMIT 1`, [q.drive]);
  return rows
    .map((r) => String(r['drive_id']))
    .sort()
    .slice(0, MAX_DRIVES_PER_LOOKUP);
}

/** The stored events, receipts and chain verification of one drive (empty events if unknown). */
export async function loadDrive(tx: Tx, driveId: string): Promise<DriveView> {
  const rows = await tx.query(`SELECT id, event_hash, body, leaf_index, received_at, receipt_key_id, receipt_signature FROM events WHERE drive_id = ? ORDER BY leaf_index`, [
    driveId,
  ]);
  const events = rows.map((r) => JSON.parse(String(r['body'])) as SignedEvent);
  const receipts: Receipt[] = rows.map(receiptOfRow);
  const keys = await loadKeys(
    tx,
    events.filter((e) => e.author.kind !== 'customer').map((e) => e.author.publicKey),
  );
  const trustedTimes = new Map(receipts.map((r) => [r.eventId, r.receivedAt]));
  const verification = verifyChain(events, chainTrustFrom(keys), { driveId, trustedTimes });
  const ownership = (await loadOwnership(tx, [driveId])).get(driveId) ?? null;
  return { driveId, events, receipts, verification, ownership };
}
