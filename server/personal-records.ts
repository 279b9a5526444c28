/**
 * Personal data (customer name, contact, address) keyed by order reference, in a table of its
 * own that custody events only reference (shipped.data.orderRef). Deleting a record never
 * touches an event, so chains stay verifiable after retention.
 */
import { z } from 'zod';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { str, type Tx } from './db/driver.js';

/** A personal record. */
export interface PersonalRecord {
  orderRef: string;
  driveId: string | null;
  name: string | null;
  contact: string | null;
  address: string | null;
  createdAt: string;
  /** RFC 3339 UTC: when the order was cancelled, or null while it is active */
  cancelledAt: string | null;
  /** RFC 3339 UTC: the retention job deletes the record from this time on */
  deleteAfter: string;
}

const DAY_MS = 86_400_000;
/** The privacy policy's window: a cancelled order's data is deleted 15 to 30 days after cancellation. */
export const CANCELLATION_WINDOW_DAYS = { min: 15, max: 30 } as const;
/** Longest an active order's record may be scheduled ahead (days); PUT it again to extend. */
export const MAX_ACTIVE_RETENTION_DAYS = 365;

const text = z.string().max(1000).nullable().optional();
const utc = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/)
  .refine((s) => !Number.isNaN(Date.parse(s)));
/** Body of PUT /v1/personal/:orderRef (deleteAfter may be left out for a cancelled order: 30 days after). */
export const personalRecordInputSchema = z.strictObject({
  driveId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)
    .nullable()
    .optional(),
  name: text,
  contact: text,
  address: text,
  cancelledAt: utc.nullable().optional(),
  deleteAfter: utc.optional(),
});

/**
 * The deletion date of a record under the privacy policy: for a cancelled order, `deleteAfter`
 * (default: 30 days after `cancelledAt`) must lie 15 to 30 days after the cancellation; for an
 * active order it is required and at most {@link MAX_ACTIVE_RETENTION_DAYS} days from `now`.
 * @throws ScelleError E_USAGE (`details.reason` = `retention-window`) with the allowed range.
 */
export function retentionDate(cancelledAt: string | null, deleteAfter: string | null, now: Date): string {
  const day = (ms: number): string => new Date(ms).toISOString();
  if (cancelledAt !== null) {
    const c = Date.parse(cancelledAt);
    const min = c + CANCELLATION_WINDOW_DAYS.min * DAY_MS;
    const max = c + CANCELLATION_WINDOW_DAYS.max * DAY_MS;
    if (deleteAfter === null) return day(max);
    const d = Date.parse(deleteAfter);
    if (d < min || d > max) {
      throw new ScelleError('E_USAGE', `deleteAfter must be 15 to 30 days after the cancellation: between ${day(min)} and ${day(max)}`, {
        reason: 'retention-window',
        min: day(min),
        max: day(max),
      });
    }
    return day(d);
  }
  const max = now.getTime() + MAX_ACTIVE_RETENTION_DAYS * DAY_MS;
  if (deleteAfter === null)
    throw new ScelleError('E_USAGE', 'give deleteAfter, or cancelledAt for a cancelled order (deleted 15 to 30 days after)', { reason: 'retention-window' });
  if (Date.parse(deleteAfter) > max) {
    throw new ScelleError(
      'E_USAGE',
      `deleteAfter may be at most ${MAX_ACTIVE_RETENTION_DAYS} days ahead (${day(max)}); write the record again to keep it longer, or give cancelledAt`,
      { reason: 'retention-window', max: day(max) },
    );
  }
  return day(Date.parse(deleteAfter));
}

/** Order references are opaque ids like the chain's record references. */
export const ORDER_REF_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function toRecord(r: Record<string, unknown>): PersonalRecord {
  return {
    orderRef: String(r['order_ref']),
    driveId: str(r['drive_id']),
    name: str(r['name']),
    contact: str(r['contact']),
    address: str(r['address']),
    createdAt: String(r['created_at']),
    cancelledAt: str(r['cancelled_at']),
    deleteAfter: String(r['delete_after']),
  };
}

/**
 * Creates or replaces the record of `orderRef`.
 * @throws ScelleError E_USAGE on a malformed order reference or body, or a deletion date outside
 *   the policy's window (see {@link retentionDate}).
 */
export async function putPersonalRecord(tx: Tx, orderRef: string, input: unknown, now: Date): Promise<PersonalRecord> {
  if (!ORDER_REF_RE.test(orderRef)) throw new ScelleError('E_USAGE', 'malformed order reference');
  const parsed = personalRecordInputSchema.safeParse(input);
  if (!parsed.success) throw new ScelleError('E_USAGE', `malformed personal record: ${parsed.error.issues[0]?.message ?? ''}`);
  const d = parsed.data;
  const cancelledAt = d.cancelledAt ? new Date(d.cancelledAt).toISOString() : null;
  const deleteAfter = retentionDate(cancelledAt, d.deleteAfter ?? null, now);
  await tx.run(`DELETE FROM personal_records WHERE order_ref = ?`, [orderRef]);
  await tx.run(`INSERT INTO personal_records (order_ref, drive_id, name, contact, address, created_at, cancelled_at, delete_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
    orderRef,
    d.driveId ?? null,
    d.name ?? null,
    d.contact ?? null,
    d.address ?? null,
    now.toISOString(),
    cancelledAt,
    deleteAfter,
  ]);
  return {
    orderRef,
    driveId: d.driveId ?? null,
    name: d.name ?? null,
    contact: d.contact ?? null,
    address: d.address ?? null,
    createdAt: now.toISOString(),
    cancelledAt,
    deleteAfter,
  };
}

/** The record of `orderRef`, or null. */
export async function getPersonalRecord(tx: Tx, orderRef: string): Promise<PersonalRecord | null> {
  const r = (await tx.query(`SELECT * FROM personal_records WHERE order_ref = ?`, [orderRef]))[0];
  return r ? toRecord(r) : null;
}

/** Records of the orders `orderRefs` or of the drives `driveIds` (access requests). */
export async function findPersonalRecords(tx: Tx, orderRefs: readonly string[], driveIds: readonly string[]): Promise<PersonalRecord[]> {
  const where: string[] = [];
  if (orderRefs.length > 0) where.push(`order_ref IN (${orderRefs.map(() => '?').join(', ')})`);
  if (driveIds.length > 0) where.push(`drive_id IN (${driveIds.map(() => '?').join(', ')})`);
  if (where.length === 0) return [];
  return (await tx.query(`SELECT * FROM personal_records WHERE ${where.join(' OR ')} ORDER BY order_ref`, [...orderRefs, ...driveIds])).map(toRecord);
}

/** Deletes the record of `orderRef` (e.g. on a customer's request). @returns true if one was deleted. */
export async function deletePersonalRecord(tx: Tx, orderRef: string): Promise<boolean> {
  return (await tx.run(`DELETE FROM personal_records WHERE order_ref = ?`, [orderRef])) > 0;
}

/**
 * The retention job: deletes every personal record whose `deleteAfter` is at or before `now`.
 * Events are never touched (they only hold the opaque order reference).
 * @returns the number of records deleted.
 */
export async function deleteExpiredPersonalRecords(tx: Tx, now: Date): Promise<number> {
  return tx.run(`DELETE FROM personal_records WHERE delete_after <= ?`, [now.toISOString()]);
}
