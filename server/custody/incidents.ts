/**
 * The incident register (Law 25): a drive reported lost is a confidentiality incident. Ingest
 * opens one entry per stored `incident` event of kind `lost`, in the same transaction; entries
 * are append-only (the database refuses changes) and listed to admins (GET /v1/incidents) and
 * in access-request exports.
 */
import { randomUUID } from 'node:crypto';
import type { SignedEvent } from '../../shared/custody/event.js';
import { type Tx } from '../db/driver.js';

/** Incident kinds that open a register entry. */
export const REGISTERED_INCIDENT_KINDS: readonly string[] = ['lost'];

/** One entry of the register. */
export interface IncidentEntry {
  id: string;
  driveId: string;
  /** the custody event that reported it */
  eventId: string;
  kind: string;
  /** the event's own time (the reporter's clock) */
  reportedAt: string;
  /** when the service stored the report */
  openedAt: string;
  /** author kind and id of the report, e.g. `station:station-qc-01` */
  reportedBy: string;
}

/**
 * Opens a register entry for each event of `stored` that reports a registered incident kind.
 * @throws ScelleError E_SERVER_DATABASE (the caller's transaction then stores nothing).
 */
export async function openIncidentsFor(tx: Tx, stored: readonly SignedEvent[], openedAt: string): Promise<number> {
  let opened = 0;
  for (const e of stored) {
    if (e.type !== 'incident' || !REGISTERED_INCIDENT_KINDS.includes(String(e.data['kind']))) continue;
    await tx.run(`INSERT INTO incidents (id, drive_id, event_id, kind, reported_at, opened_at, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      randomUUID(),
      e.driveId,
      e.id,
      String(e.data['kind']),
      e.at,
      openedAt,
      `${e.author.kind}:${e.author.id}`,
    ]);
    opened++;
  }
  return opened;
}

/** Register entries, oldest first; only those of `driveIds` when given. */
export async function listIncidents(tx: Tx, driveIds?: readonly string[]): Promise<IncidentEntry[]> {
  if (driveIds && driveIds.length === 0) return [];
  const rows = driveIds
    ? await tx.query(`SELECT * FROM incidents WHERE drive_id IN (${driveIds.map(() => '?').join(', ')}) ORDER BY opened_at, id`, driveIds)
    : await tx.query(`SELECT * FROM incidents ORDER BY opened_at, id`);
  return rows.map((r) => ({
    id: String(r['id']),
    driveId: String(r['drive_id']),
    eventId: String(r['event_id']),
    kind: String(r['kind']),
    reportedAt: String(r['reported_at']),
    openedAt: String(r['opened_at']),
    reportedBy: String(r['reported_by']),
  }));
}
