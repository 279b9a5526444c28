/**
 * Sealed sets in the custody service (docs/SERVER.md "Sealed sets"): each member drive keeps its
 * own chain; ingest records, in `set_members` (append-only), what each stored `sealed` event says
 * of its set (`sealed.data.set`). From those rows and the members' chains this module builds the
 * set view (shared/custody/set-view.ts: every member's drive id, position, tracking number, state
 * and anomalies) and decides who may read it.
 */
import type { SealedSet } from '../../shared/custody/event-data.js';
import type { SignedEvent } from '../../shared/custody/event.js';
import { buildSetView, type SetView } from '../../shared/custody/set-view.js';
import type { Caller } from '../auth/caller.js';
import { num, type Tx } from '../db/driver.js';
import { loadDrive, type DriveView } from './lookup.js';

/** The members a set may have at most is 64 (shared/format/set.ts); drives claiming it are bounded the same way. */
const MAX_SET_ROWS = 128;

/**
 * Records the set membership of each stored `sealed` event that names a set, with its leaf index.
 * @throws ScelleError E_SERVER_DATABASE (the caller's transaction then stores nothing).
 */
export async function recordSetMembers(tx: Tx, stored: readonly { event: SignedEvent; leafIndex: number }[], recordedAt: string): Promise<number> {
  let n = 0;
  for (const { event: e, leafIndex } of stored) {
    const set = e.type === 'sealed' ? (e.data['set'] as SealedSet | undefined) : undefined;
    if (!set) continue;
    await tx.run(
      `INSERT INTO set_members (drive_id, set_id, position, members, drive_ids, event_id, leaf_index, parts, tar_bytes, files, bytes, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.driveId, set.id, set.position, set.members, JSON.stringify(set.driveIds), e.id, leafIndex, set.parts, set.tarBytes, set.files ?? null, set.bytes ?? null, recordedAt],
    );
    n++;
  }
  return n;
}

/** The set ids the stored `sealed` events of `driveIds` name (each drive names at most one). */
export async function setIdsOf(tx: Tx, driveIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < driveIds.length; i += 200) {
    const chunk = driveIds.slice(i, i + 200);
    for (const r of await tx.query(`SELECT drive_id, set_id FROM set_members WHERE drive_id IN (${chunk.map(() => '?').join(', ')})`, chunk))
      out.set(String(r['drive_id']), String(r['set_id']));
  }
  return out;
}

/** A set as the service answers it: the view, and the chain of every member or claimant it holds. */
export interface SetLookup {
  set: SetView;
  /** every drive the view names or that claims the set, whose events are stored, in the order their sealed events were stored */
  drives: DriveView[];
}

/**
 * The set `setId` from the stored chains: the drives whose sealed event names it (first stored
 * first, which settles a tie between member lists: set-view.ts) and the drives their member lists
 * name. Null when no stored sealed event names the set.
 * @throws ScelleError E_SERVER_DATABASE.
 */
export async function loadSet(tx: Tx, setId: string): Promise<SetLookup | null> {
  const rows = await tx.query(`SELECT drive_id, drive_ids FROM set_members WHERE set_id = ? ORDER BY leaf_index LIMIT ?`, [setId, MAX_SET_ROWS]);
  if (rows.length === 0) return null;
  const ids: string[] = [];
  const add = (d: string) => {
    if (!ids.includes(d) && ids.length < MAX_SET_ROWS) ids.push(d);
  };
  for (const r of rows) add(String(r['drive_id']));
  for (const r of rows) for (const d of JSON.parse(String(r['drive_ids'])) as string[]) add(d);
  const drives: DriveView[] = [];
  for (const id of ids) {
    const d = await loadDrive(tx, id);
    if (d.events.length > 0) drives.push(d);
  }
  const set = buildSetView(
    setId,
    drives.map((d) => ({ driveId: d.driveId, events: d.events, report: d.verification })),
  );
  return set ? { set, drives } : null;
}

/**
 * Whether `caller` may read a set: admins and support always; a station when it holds or sealed
 * a member the view recognizes (a drive merely claiming the set grants nothing); a customer when
 * its drive is such a member. Other roles never.
 */
export function maySeeSet(caller: Caller, lookup: SetLookup): boolean {
  if (caller.role === 'admin' || caller.role === 'support') return true;
  const members = new Set(lookup.set.memberViews.filter((m) => m.known).map((m) => m.driveId));
  if (caller.role === 'customer') return caller.subject !== null && members.has(caller.subject);
  if (caller.role === 'station' && caller.subject !== null)
    return lookup.drives.some((d) => members.has(d.driveId) && d.ownership !== null && (d.ownership.owner === caller.subject || d.ownership.sealedBy === caller.subject));
  return false;
}

/** What the incident register records of a drive from its stored `sealed` event: its set and what it held. */
export interface HeldBy {
  set: { id: string; position: number; members: number } | null;
  /** counts and bytes only: a set member's share (files and bytes when recorded), else the drive's totals */
  held: { parts: number; tarBytes: number | null; files: number | null; bytes: number | null };
}

/** What a drive held, from its stored `sealed` event, or null when none is stored. @throws ScelleError E_SERVER_DATABASE. */
export async function heldBy(tx: Tx, driveId: string): Promise<HeldBy | null> {
  const row = (await tx.query(`SELECT body FROM events WHERE drive_id = ? AND lineage = 'provider' AND seq = 0`, [driveId]))[0];
  if (!row) return null;
  const data = (JSON.parse(String(row['body'])) as SignedEvent).data;
  const set = data['set'] as SealedSet | undefined;
  if (set)
    return {
      set: { id: set.id, position: set.position, members: set.members },
      held: { parts: set.parts, tarBytes: set.tarBytes, files: set.files ?? null, bytes: set.bytes ?? null },
    };
  return { set: null, held: { parts: num(data['parts']), tarBytes: null, files: num(data['files']), bytes: num(data['bytes']) } };
}
