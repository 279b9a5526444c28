/**
 * Drive ownership in the custody service (docs/SERVER.md "Drive ownership"). The station that
 * authored a drive's `sealed` event owns it; only the owning station may append
 * station-authored events to it. Ownership moves by a *handoff* to another enrolled station
 * (`drive_handoffs`, append-only): signed by the holding station's key
 * (shared/custody/handoff.ts) and pushed with its token, or assigned by an admin. Staff and
 * customer events are not bound to a station.
 */
import { randomUUID } from 'node:crypto';
import { verifyHandoffSignature, type SignedHandoff } from '../../shared/custody/handoff.js';
import type { Caller } from '../auth/caller.js';
import { str, type Tx } from '../db/driver.js';

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
  /** `admin` (an assignment) or `station` (the previous holder) */
  byRole: string;
  /** base64 key of the holding station that signed the handoff, or null for an unsigned admin assignment */
  signedBy: string | null;
}

/** Why a handoff is refused (stable codes, answered as HTTP errors by the route). */
export type HandoffRefusalCode = 'unknown-drive' | 'not-owner' | 'unknown-station' | 'same-station' | 'bad-handoff';
/** A refused handoff: its code and an English message saying what is wrong. */
export interface HandoffRefusal {
  refusal: HandoffRefusalCode;
  message: string;
}

/** How far a signed handoff's `at` may be from the service's clock. */
export const HANDOFF_MAX_SKEW_MS = 10 * 60_000;

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
    const handoffs = await tx.query(
      `SELECT id, drive_id, from_station, to_station, at, by_role, public_key FROM drive_handoffs WHERE drive_id IN (${marks}) ORDER BY at, id`,
      chunk,
    );
    for (const r of handoffs) {
      const o = out.get(String(r['drive_id']));
      if (!o) continue;
      const h: DriveHandoff = {
        id: String(r['id']),
        from: String(r['from_station']),
        to: String(r['to_station']),
        at: String(r['at']),
        byRole: String(r['by_role']),
        signedBy: str(r['public_key']),
      };
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

async function liveStationKeys(tx: Tx, stationId: string): Promise<string[]> {
  const rows = await tx.query(`SELECT public_key FROM signing_keys WHERE author_id = ? AND author_kind = 'station' AND revoked_at IS NULL`, [stationId]);
  return rows.map((r) => String(r['public_key']));
}

/** Why `signed` is not a valid handoff of `driveId` from `owner` to `toStation` now, or null. */
async function signedHandoffProblem(tx: Tx, signed: SignedHandoff, driveId: string, owner: string, toStation: string, now: Date): Promise<string | null> {
  const s = signed.statement;
  if (s.driveId !== driveId || s.toStation !== toStation) return 'the signed statement names another drive or target station';
  if (s.fromStation !== owner) return `the signed statement must come from the holding station ${owner}`;
  if (Math.abs(Date.parse(s.at) - now.getTime()) > HANDOFF_MAX_SKEW_MS)
    return 'the signed statement is not fresh: sign it again (its time must be within 10 minutes of the service clock)';
  if (!(await liveStationKeys(tx, owner)).includes(signed.publicKey)) return `the signing key is not a live enrolled key of station ${owner}`;
  if (!verifyHandoffSignature(signed)) return 'the Ed25519 signature of the statement does not verify';
  return null;
}

/**
 * Hands `driveId` to station `toStation`. A station caller must be the holding station's
 * token and present `signed`, the statement signed by one of the holder's live station keys
 * (fresh within {@link HANDOFF_MAX_SKEW_MS}); an admin may assign without a signature (a
 * signature given by an admin is checked all the same). The target needs a live enrolled
 * station key. Runs in the caller's transaction.
 * @returns the new ownership, or the refusal.
 * @throws ScelleError E_SERVER_DATABASE on database failure.
 */
export async function handOffDrive(tx: Tx, caller: Caller, driveId: string, toStation: string, signed: SignedHandoff | null, now: Date): Promise<DriveOwnership | HandoffRefusal> {
  const current = (await loadOwnership(tx, [driveId])).get(driveId);
  if (!current) return { refusal: 'unknown-drive', message: 'no sealed event is stored for this drive' };
  if (caller.role !== 'admin' && !(caller.role === 'station' && caller.subject === current.owner)) {
    return { refusal: 'not-owner', message: 'only an admin or the station that holds the drive may hand it off' };
  }
  if (toStation === current.owner) return { refusal: 'same-station', message: 'the drive is already held by that station' };
  if ((await liveStationKeys(tx, toStation)).length === 0) {
    return { refusal: 'unknown-station', message: 'the target station has no live enrolled key: enrol it first (POST /v1/stations)' };
  }
  if (caller.role === 'station' && !signed)
    return { refusal: 'bad-handoff', message: 'a station hands a drive off with a statement signed by its station key (shared/custody/handoff.ts)' };
  if (signed) {
    const problem = await signedHandoffProblem(tx, signed, driveId, current.owner, toStation, now);
    if (problem) return { refusal: 'bad-handoff', message: problem };
  }
  const h: DriveHandoff = { id: randomUUID(), from: current.owner, to: toStation, at: now.toISOString(), byRole: caller.role, signedBy: signed?.publicKey ?? null };
  await tx.run(
    `INSERT INTO drive_handoffs (id, drive_id, from_station, to_station, at, by_role, by_token, statement, public_key, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [h.id, driveId, h.from, h.to, h.at, h.byRole, caller.tokenId, signed ? JSON.stringify(signed.statement) : null, signed?.publicKey ?? null, signed?.signature ?? null],
  );
  return { ...current, owner: toStation, handoffs: [...current.handoffs, h] };
}
