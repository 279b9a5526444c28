/**
 * Drive ownership in the custody service (docs/SERVER.md "Drive ownership"). The station that
 * authored a drive's `sealed` event owns it; only the owning station may append
 * station-authored events to it. Ownership moves by a *handoff*: an admin, or the owning
 * station's own token, hands the drive to another enrolled station (`drive_handoffs`,
 * append-only). Staff and customer events are not bound to a station.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { Tx } from '../db/driver.js';

/** Who holds a drive, as far as the service knows. */
export interface DriveOwnership {
  driveId: string;
  /** the station that authored the `sealed` event */
  sealedBy: string;
  /** the station that may append station events now (the last handoff's target, else sealedBy) */
  owner: string;
  /** every handoff, oldest first */
  handoffs: DriveHandoff[];
}

/** One recorded handoff. */
export interface DriveHandoff {
  id: string;
  from: string;
  to: string;
  at: string;
  /** `admin` or `station` (the previous owner's token) */
  byRole: string;
}

/** Why a handoff is refused (stable codes, answered as HTTP errors by the route). */
export type HandoffRefusal = 'unknown-drive' | 'not-owner' | 'unknown-station' | 'same-station';

/**
 * Ownership of `driveIds` whose `sealed` event is stored (others are absent from the map).
 * @throws ScelleError E_SERVER_DATABASE on database failure.
 */
export async function loadOwnership(tx: Tx, driveIds: readonly string[]): Promise<Map<string, DriveOwnership>> {
  const out = new Map<string, DriveOwnership>();
  for (let i = 0; i < driveIds.length; i += 200) {
    const chunk = driveIds.slice(i, i + 200);
    const marks = chunk.map(() => '?').join(', ');
    const sealed = await tx.query(`SELECT drive_id, author_id FROM events WHERE lineage = 'provider' AND seq = 0 AND drive_id IN (${marks})`, chunk);
    for (const r of sealed) {
      const driveId = String(r['drive_id']);
      const by = String(r['author_id']);
      out.set(driveId, { driveId, sealedBy: by, owner: by, handoffs: [] });
    }
    const handoffs = await tx.query(`SELECT id, drive_id, from_station, to_station, at, by_role FROM drive_handoffs WHERE drive_id IN (${marks}) ORDER BY at, id`, chunk);
    for (const r of handoffs) {
      const o = out.get(String(r['drive_id']));
      if (!o) continue;
      const h: DriveHandoff = { id: String(r['id']), from: String(r['from_station']), to: String(r['to_station']), at: String(r['at']), byRole: String(r['by_role']) };
      o.handoffs.push(h);
      o.owner = h.to;
    }
  }
  return out;
}

/**
 * Why `authorStationId` may not append a station event to a drive owned as `ownership` says,
 * or null when it may. Only the current owner may.
 */
export function ownershipRefusal(ownership: DriveOwnership | undefined, authorStationId: string): string | null {
  if (!ownership || ownership.owner === authorStationId) return null;
  return `drive ${ownership.driveId} is held by station ${ownership.owner}; station ${authorStationId} may append only after a handoff`;
}

/**
 * Hands `driveId` to station `toStation`, if `caller` is an admin or the owning station's
 * token, and `toStation` has a live enrolled station key. Runs in the caller's transaction.
 * @returns the new ownership, or the refusal code.
 * @throws ScelleError E_SERVER_DATABASE on database failure.
 */
export async function handOffDrive(tx: Tx, caller: Caller, driveId: string, toStation: string, now: Date): Promise<DriveOwnership | HandoffRefusal> {
  const current = (await loadOwnership(tx, [driveId])).get(driveId);
  if (!current) return 'unknown-drive';
  if (caller.role !== 'admin' && !(caller.role === 'station' && caller.subject === current.owner)) return 'not-owner';
  if (toStation === current.owner) return 'same-station';
  const key = await tx.query(`SELECT public_key FROM signing_keys WHERE author_id = ? AND author_kind = 'station' AND revoked_at IS NULL LIMIT 1`, [toStation]);
  if (key.length === 0) return 'unknown-station';
  const h: DriveHandoff = { id: randomUUID(), from: current.owner, to: toStation, at: now.toISOString(), byRole: caller.role };
  await tx.run(`INSERT INTO drive_handoffs (id, drive_id, from_station, to_station, at, by_role, by_token) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [h.id, driveId, h.from, h.to, h.at, h.byRole, caller.tokenId]);
  return { ...current, owner: toStation, handoffs: [...current.handoffs, h] };
}
