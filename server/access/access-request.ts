/**
 * Access requests (Law 25: "what do you hold about me?"): everything the service holds about
 * one order, one drive or one customer contact, gathered in one read and audited in the same
 * transaction as `access.export` (the export leaves only with its audit row).
 *
 * The drives concerned include every member of a sealed set one of them belongs to.
 * What is gathered: the personal records of the orders concerned; each concerned drive's
 * custody events and receipts; incident-register entries of those drives; and the audit rows
 * of lookups that named those orders or drives (who looked at them, when).
 */
import type { SignedEvent } from '../../shared/custody/event.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { audit, auditEntryOfRow, type AuditEntry } from '../audit.js';
import type { Caller } from '../auth/caller.js';
import { listIncidents, type IncidentEntry } from '../custody/incidents.js';
import { loadDrive } from '../custody/lookup.js';
import { loadSet, setIdsOf } from '../custody/sets.js';
import type { Receipt } from '../custody/receipts.js';
import { str, type Db, type Tx } from '../db/driver.js';
import { findPersonalRecords, ORDER_REF_RE, type PersonalRecord } from '../personal-records.js';

/** Whom the request is about: exactly one of an order reference, a drive id or a contact. */
export type AccessSubject = { order: string } | { drive: string } | { contact: string };

/** The export, as JSON (the PDF renders the same). */
export interface AccessExport {
  format: 'scelle-access-export/1';
  subject: AccessSubject;
  generatedAt: string;
  orderRefs: string[];
  driveIds: string[];
  /** the sealed sets those drives are members of (every recognized member's drive is in driveIds) */
  setIds: string[];
  personalRecords: PersonalRecord[];
  drives: Array<{ driveId: string; events: SignedEvent[]; receipts: Receipt[]; chainOk: boolean }>;
  incidents: IncidentEntry[];
  /** audit rows whose query named one of the orders or drives (the export's own row excluded) */
  accessLog: AuditEntry[];
}

const DRIVE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Drives or orders one export may cover (a contact with more is refused: narrow by order). */
export const MAX_EXPORT_ITEMS = 200;

/**
 * Checks and normalizes a subject from query parameters.
 * @throws ScelleError E_USAGE unless exactly one of order, drive, contact is given, well formed.
 */
export function parseAccessSubject(q: Record<string, unknown>): AccessSubject {
  const given = (['order', 'drive', 'contact'] as const).filter((k) => typeof q[k] === 'string' && q[k] !== '');
  if (given.length !== 1) throw new ScelleError('E_USAGE', 'give exactly one of order, drive or contact', { reason: 'access-subject' });
  const k = given[0] as 'order' | 'drive' | 'contact';
  const v = String(q[k]);
  if (k === 'order' && !ORDER_REF_RE.test(v)) throw new ScelleError('E_USAGE', 'malformed order reference', { reason: 'access-subject' });
  if (k === 'drive' && !DRIVE_RE.test(v)) throw new ScelleError('E_USAGE', 'malformed drive id', { reason: 'access-subject' });
  if (k === 'contact' && (v.length > 1000 || v.trim() === '')) throw new ScelleError('E_USAGE', 'malformed contact', { reason: 'access-subject' });
  return k === 'order' ? { order: v } : k === 'drive' ? { drive: v } : { contact: v };
}

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

async function orderAndDriveIds(tx: Tx, s: AccessSubject): Promise<{ orders: Set<string>; drives: Set<string>; sets: Set<string> }> {
  const orders = new Set<string>();
  const drives = new Set<string>();
  if ('order' in s) orders.add(s.order);
  if ('drive' in s) drives.add(s.drive);
  if ('contact' in s) {
    for (const r of await tx.query(`SELECT order_ref, drive_id FROM personal_records WHERE contact = ?`, [s.contact])) {
      orders.add(String(r['order_ref']));
      const d = str(r['drive_id']);
      if (d) drives.add(d);
    }
  }
  // One step of expansion: the drives of these orders, and the orders of these drives.
  const o = [...orders];
  const d = [...drives];
  if (o.length > 0) {
    for (const r of await tx.query(`SELECT DISTINCT drive_id FROM events WHERE order_ref IN (${inList(o.length)})`, o)) drives.add(String(r['drive_id']));
    for (const r of await tx.query(`SELECT drive_id FROM personal_records WHERE order_ref IN (${inList(o.length)}) AND drive_id IS NOT NULL`, o)) drives.add(String(r['drive_id']));
  }
  if (d.length > 0) {
    for (const r of await tx.query(`SELECT DISTINCT order_ref FROM events WHERE drive_id IN (${inList(d.length)}) AND order_ref IS NOT NULL`, d))
      orders.add(String(r['order_ref']));
    for (const r of await tx.query(`SELECT order_ref FROM personal_records WHERE drive_id IN (${inList(d.length)})`, d)) orders.add(String(r['order_ref']));
  }
  // The other members of the sealed sets of these drives hold the same customer's data: they are
  // concerned too, with their orders (members the set view recognizes; a drive merely claiming a
  // set is not).
  const sets = new Set<string>();
  const added: string[] = [];
  for (const setId of new Set((await setIdsOf(tx, [...drives])).values())) {
    const found = await loadSet(tx, setId);
    if (!found) continue;
    sets.add(setId);
    for (const m of found.set.memberViews)
      if (m.known && !drives.has(m.driveId)) {
        drives.add(m.driveId);
        added.push(m.driveId);
      }
  }
  if (added.length > 0) {
    for (const r of await tx.query(`SELECT DISTINCT order_ref FROM events WHERE drive_id IN (${inList(added.length)}) AND order_ref IS NOT NULL`, added))
      orders.add(String(r['order_ref']));
  }
  if (orders.size > MAX_EXPORT_ITEMS || drives.size > MAX_EXPORT_ITEMS) {
    throw new ScelleError('E_USAGE', `this request covers more than ${MAX_EXPORT_ITEMS} orders or drives: ask by order or drive`, { reason: 'access-too-broad' });
  }
  return { orders, drives, sets };
}

/** Audit rows whose query names one of `orders` (key `order`), `drives` (key `drive`) or `sets` (key `set`, or in `sets`). */
async function accessLog(tx: Tx, orders: ReadonlySet<string>, drives: ReadonlySet<string>, sets: ReadonlySet<string> = new Set()): Promise<AuditEntry[]> {
  const needles = [...orders, ...drives, ...sets];
  if (needles.length === 0) return [];
  // Prefilter with LIKE on the quoted value (ids hold no LIKE wildcards), then match exactly.
  const rows = await tx.query(
    `SELECT * FROM audit_log WHERE ${needles.map(() => 'query LIKE ?').join(' OR ')} ORDER BY at, id`,
    needles.map((n) => `%"${n}"%`),
  );
  const out: AuditEntry[] = [];
  for (const r of rows) {
    let q: Record<string, unknown>;
    try {
      q = JSON.parse(String(r['query'])) as Record<string, unknown>;
    } catch {
      continue;
    }
    const namedSets = Array.isArray(q['sets']) ? q['sets'].map(String) : [];
    if (!(orders.has(String(q['order'])) || drives.has(String(q['drive'])) || drives.has(String(q['driveId'])) || sets.has(String(q['set'])) || namedSets.some((x) => sets.has(x))))
      continue;
    out.push(auditEntryOfRow(r));
  }
  return out;
}

/**
 * Gathers everything held about `subject` and writes the `access.export` audit row (with the
 * numbers of orders and drives covered) in the same transaction.
 * @throws ScelleError E_USAGE when the request covers too much; E_SERVER_DATABASE.
 */
export async function exportAccessRequest(db: Db, caller: Caller | null, subject: AccessSubject, now: Date): Promise<AccessExport> {
  return db.transaction(async (tx) => {
    const { orders, drives, sets } = await orderAndDriveIds(tx, subject);
    const driveIds = [...drives].sort();
    const orderRefs = [...orders].sort();
    const log = await accessLog(tx, orders, drives, sets);
    const views = [];
    for (const id of driveIds) {
      const v = await loadDrive(tx, id);
      views.push({ driveId: id, events: v.events, receipts: v.receipts, chainOk: v.verification.ok });
    }
    const result: AccessExport = {
      format: 'scelle-access-export/1',
      subject,
      generatedAt: now.toISOString(),
      orderRefs,
      driveIds,
      setIds: [...sets].sort(),
      personalRecords: await findPersonalRecords(tx, orderRefs, driveIds),
      drives: views,
      incidents: await listIncidents(tx, driveIds),
      accessLog: log,
    };
    // The contact itself is personal data: the audit row names orders and drives only.
    await audit(tx, caller, 'access.export', { subject: 'contact' in subject ? 'contact' : subject, orders: orderRefs, drives: driveIds }, orderRefs.length + driveIds.length, now);
    return result;
  });
}
