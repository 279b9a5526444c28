/**
 * The incident register (Law 25): a drive reported lost is a confidentiality incident. Ingest
 * opens one entry per stored `incident` event of kind `lost`, in the same transaction, naming the
 * sealed set and position of a set member and what the drive held (counts and bytes); entries
 * are append-only (the database refuses changes) and listed to admins (GET /v1/incidents) and
 * in access-request exports.
 */
import { randomUUID } from 'node:crypto';
import type { SignedEvent } from '../../shared/custody/event.js';
import { num, str, type Tx } from '../db/driver.js';
import { heldBy } from './sets.js';

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
  /** the sealed set the drive is a member of, and its position; null for a drive sealed alone (or an entry opened before sets were recorded) */
  set: { id: string; position: number; members: number } | null;
  /**
   * What the drive held, from its `sealed` event, counts and bytes only (never a name): for a set
   * member its parts and tar bytes (files and bytes when the seal recorded them), for a drive alone
   * its parts, files and bytes; null for an entry opened before this was recorded.
   */
  held: { parts: number; tarBytes: number | null; files: number | null; bytes: number | null } | null;
}

/**
 * Opens a register entry for each event of `stored` that reports a registered incident kind.
 * @throws ScelleError E_SERVER_DATABASE (the caller's transaction then stores nothing).
 */
export async function openIncidentsFor(tx: Tx, stored: readonly SignedEvent[], openedAt: string): Promise<number> {
  let opened = 0;
  for (const e of stored) {
    if (e.type !== 'incident' || !REGISTERED_INCIDENT_KINDS.includes(String(e.data['kind']))) continue;
    const h = await heldBy(tx, e.driveId);
    await tx.run(
      `INSERT INTO incidents (id, drive_id, event_id, kind, reported_at, opened_at, reported_by, set_id, set_position, set_members, held_parts, held_tar_bytes, held_files, held_bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        e.driveId,
        e.id,
        String(e.data['kind']),
        e.at,
        openedAt,
        `${e.author.kind}:${e.author.id}`,
        h?.set?.id ?? null,
        h?.set?.position ?? null,
        h?.set?.members ?? null,
        h?.held.parts ?? null,
        h?.held.tarBytes ?? null,
        h?.held.files ?? null,
        h?.held.bytes ?? null,
      ],
    );
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
    set: str(r['set_id']) === null ? null : { id: String(r['set_id']), position: num(r['set_position']), members: num(r['set_members']) },
    held:
      r['held_parts'] === null || r['held_parts'] === undefined
        ? null
        : { parts: num(r['held_parts']), tarBytes: optNum(r['held_tar_bytes']), files: optNum(r['held_files']), bytes: optNum(r['held_bytes']) },
  }));
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}
