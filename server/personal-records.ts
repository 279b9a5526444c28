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
  /** RFC 3339 UTC: the retention job deletes the record from this time on */
  deleteAfter: string;
}

const text = z.string().max(1000).nullable().optional();
/** Body of PUT /v1/personal/:orderRef. */
export const personalRecordInputSchema = z.strictObject({
  driveId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/).nullable().optional(),
  name: text,
  contact: text,
  address: text,
  deleteAfter: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/).refine((s) => !Number.isNaN(Date.parse(s))),
});

/** Order references are opaque ids like the chain's record references. */
export const ORDER_REF_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function toRecord(r: Record<string, unknown>): PersonalRecord {
  return {
    orderRef: String(r['order_ref']), driveId: str(r['drive_id']), name: str(r['name']), contact: str(r['contact']),
    address: str(r['address']), createdAt: String(r['created_at']), deleteAfter: String(r['delete_after']),
  };
}

/**
 * Creates or replaces the record of `orderRef`.
 * @throws ScelleError E_USAGE on a malformed order reference or body.
 */
export async function putPersonalRecord(tx: Tx, orderRef: string, input: unknown, now: Date): Promise<PersonalRecord> {
  if (!ORDER_REF_RE.test(orderRef)) throw new ScelleError('E_USAGE', 'malformed order reference');
  const parsed = personalRecordInputSchema.safeParse(input);
  if (!parsed.success) throw new ScelleError('E_USAGE', `malformed personal record: ${parsed.error.issues[0]?.message ?? ''}`);
  const d = parsed.data;
  const deleteAfter = new Date(d.deleteAfter).toISOString();
  await tx.run(`DELETE FROM personal_records WHERE order_ref = ?`, [orderRef]);
  await tx.run(`INSERT INTO personal_records (order_ref, drive_id, name, contact, address, created_at, delete_after) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [orderRef, d.driveId ?? null, d.name ?? null, d.contact ?? null, d.address ?? null, now.toISOString(), deleteAfter]);
  return { orderRef, driveId: d.driveId ?? null, name: d.name ?? null, contact: d.contact ?? null, address: d.address ?? null, createdAt: now.toISOString(), deleteAfter };
}

/** The record of `orderRef`, or null. */
export async function getPersonalRecord(tx: Tx, orderRef: string): Promise<PersonalRecord | null> {
  const r = (await tx.query(`SELECT * FROM personal_records WHERE order_ref = ?`, [orderRef]))[0];
  return r ? toRecord(r) : null;
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
