/**
 * Custody of sealed sets (docs/CUSTODY.md §3.1): each member drive of a set has its own chain
 * and its own `sealed` event naming the set (`sealed.data.set`). This module builds that field
 * when a set is sealed, and the view of a whole set from its members' chains: every member's
 * state, shipment, chain status and anomalies, and whether the members agree on what the set
 * is. Pure and synchronous; the CLI, the desktop app and the custody service share it.
 */
import { z } from 'zod';
import { CHAIN_PROBLEM_CODES, type ChainProblemCode, type ChainReport } from './chain-verify.js';
import { DRIVE_STATES, driveStatus, type DriveState, type StatusStep } from './drive-status.js';
import { CUSTODY_ANOMALY_KINDS, type CustodyAnomalyKind } from './custody-state.js';
import type { EventDataMap, SealedSet } from './event-data.js';
import { ScelleError } from '../errors/scelle-error.js';

/** What one member holds, as the seal reports it (SealedMember of shared/engine/api.ts fits). */
export interface SetMemberFacts {
  position: number;
  driveId: string;
  /** payload parts on this member */
  parts: number;
  /** tar bytes of the set's stream on this member */
  tarBytes: number;
  manifestSha256: string;
  /** base64 Ed25519 key of this member's data-key customer key */
  customerPublicKey: string;
  /** files whose content lies on this member, wholly or in part, and those content bytes, when known */
  files?: number;
  bytes?: number;
}

/** The whole seal, as the seal reports it (SealResult of shared/engine/api.ts fits). */
export interface SealFacts {
  /** the drive sealed alone, or member 1 of a set */
  driveId: string;
  files: number;
  bytes: number;
  /** every payload part of the seal (for a set, the sum of the members' parts is used) */
  parts: number;
  manifestSha256: string;
  customerPublicKey: string;
  set?: {
    id: string;
    /** the members this seal sealed (a resumed seal: those after the interruption) */
    members: readonly SetMemberFacts[];
    /** every member's drive id in position order, and its part count (default: those of `members`, then positions 1…n) */
    driveIds?: readonly string[];
    partCounts?: readonly number[];
  };
}

/**
 * The `sealed` event's data for each drive of a seal: one entry for a drive sealed alone, one
 * per member (by position) for a set, each member's naming the set, its position, every
 * member's drive id and what it holds. `customerKey` (base64 Ed25519, the customer's own key
 * the seal was made for) makes every event `customer-key`-attested; otherwise each drive names
 * its own data-key customer key. Nothing personal is recorded (counts and bytes only). A resumed
 * set seal gives only the members it sealed, with the set's `driveIds` and `partCounts`.
 * @throws ScelleError E_USAGE when a set's members are not positions 1…n (or, with `driveIds`,
 *   not members of it at their positions).
 */
export function sealedEventsData(seal: SealFacts, stationCertificateSha256: string, customerKey?: string): { driveId: string; data: EventDataMap['sealed'] }[] {
  const customer = (own: string) =>
    customerKey !== undefined
      ? { customerPublicKey: customerKey, customerAttestation: 'customer-key' as const }
      : { customerPublicKey: own, customerAttestation: 'data-key' as const };
  // A set's parts are its members' (whatever `seal.parts` says: a caller may pass a member's).
  const sum = (counts: readonly number[]) => counts.reduce((n, c) => n + c, 0);
  const parts = seal.set ? sum(seal.set.partCounts ?? seal.set.members.map((m) => m.parts)) : seal.parts;
  const totals = { files: seal.files, bytes: seal.bytes, parts };
  if (!seal.set) return [{ driveId: seal.driveId, data: { manifestSha256: seal.manifestSha256, ...totals, ...customer(seal.customerPublicKey), stationCertificateSha256 } }];
  const members = [...seal.set.members].sort((a, b) => a.position - b.position);
  const driveIds = seal.set.driveIds ? [...seal.set.driveIds] : members.map((m) => m.driveId);
  const misplaced = seal.set.driveIds
    ? members.some((m, i) => driveIds[m.position - 1] !== m.driveId || (i > 0 && members[i - 1]!.position === m.position))
    : members.some((m, i) => m.position !== i + 1);
  if (misplaced) throw new ScelleError('E_USAGE', 'the members of a set must be positions 1 to n', { reason: 'set' });
  return members.map((m) => ({
    driveId: m.driveId,
    data: {
      manifestSha256: m.manifestSha256,
      ...totals,
      ...customer(m.customerPublicKey),
      stationCertificateSha256,
      set: {
        id: seal.set!.id,
        position: m.position,
        members: driveIds.length,
        driveIds,
        parts: m.parts,
        tarBytes: m.tarBytes,
        ...(m.files !== undefined ? { files: m.files } : {}),
        ...(m.bytes !== undefined ? { bytes: m.bytes } : {}),
      },
    },
  }));
}

/** Stable codes of what is wrong with a set as a whole (the UI maps them to sentences). */
export const SET_PROBLEM_CODES = ['set-mismatch', 'set-member-unknown'] as const;
/** One set problem code. */
export type SetProblemCode = (typeof SET_PROBLEM_CODES)[number];

/**
 * One problem of a set: `set-mismatch` when a member's authentic `sealed` event describes the
 * set differently from the first member's (another member list, count or position: a forged or
 * mistaken event); `set-member-unknown` when a member has no authentic `sealed` event here (not
 * synced yet, or its chain does not verify).
 */
export interface SetProblem {
  code: SetProblemCode;
  driveId: string;
  /** English, for logs; UIs translate `code`. */
  message: string;
}

/** One member of a set view. */
export interface SetMemberView {
  position: number;
  driveId: string;
  /** true when its authentic `sealed` event is known and agrees with the set */
  known: boolean;
  /** its custody state (drive-status.ts), or null when no event of it is known */
  state: DriveState | null;
  /** its newest shipment, or null */
  shipment: { carrier: string; trackingNumber: string; at: string } | null;
  /** its newest incident with no custody stage after it, or null */
  openIncident: { kind: string; at: string } | null;
  lastEventAt: string | null;
  /** its chain's verification status, or null when no event of it is known */
  chain: ChainReport['status'] | null;
  /** the distinct codes of its chain problems and the kinds of its anomalies */
  problems: ChainProblemCode[];
  anomalies: CustodyAnomalyKind[];
  /** what it holds, from its `sealed` event (counts and bytes only), or null when unknown */
  holds: { parts: number; tarBytes: number; files: number | null; bytes: number | null } | null;
}

/** A sealed set and every member's custody state. */
export interface SetView {
  setId: string;
  /** how many members the set has (from the first member's `sealed` event known) */
  members: number;
  /** every member, by position */
  memberViews: SetMemberView[];
  /** true when every member is known, agrees, and every chain is `ok` */
  ok: boolean;
  problems: SetProblem[];
}

/** One drive's events and the verification of its chain (a service lookup or a local journal). */
export interface SetMemberChain {
  driveId: string;
  events: readonly StatusStep[];
  report: ChainReport;
}

/** True when two `sealed.data.set` describe the same set with the same member list. */
function sameSet(a: SealedSet, b: SealedSet): boolean {
  return a.id === b.id && a.members === b.members && a.driveIds.length === b.driveIds.length && a.driveIds.every((d, i) => d === b.driveIds[i]);
}

/**
 * The view of set `setId` from the chains known of its members (drives that are not members are
 * ignored). The member list is the one most authentic `sealed` events naming the set agree on
 * (ChainReport.set; on a tie, the first in input order: the service passes chains in the order
 * their sealed events were stored); a member whose authentic event says otherwise is
 * `set-mismatch`, a member without one `set-member-unknown`, and a drive naming the set that its
 * list does not hold `set-mismatch`. Returns null when no chain names the set. Never throws.
 */
export function buildSetView(setId: string, chains: readonly SetMemberChain[]): SetView | null {
  const naming = chains.filter((c) => c.report.set?.id === setId);
  // The member list most members agree on; on a tie, the first named in input order.
  let reference: SealedSet | null = null;
  let support = 0;
  for (const c of naming) {
    const n = naming.filter((o) => sameSet(o.report.set!, c.report.set!)).length;
    if (n > support) [reference, support] = [c.report.set, n];
  }
  if (!reference) return null;
  const problems: SetProblem[] = [];
  const memberViews = reference.driveIds.map((driveId, i): SetMemberView => {
    const chain = chains.find((c) => c.driveId === driveId);
    const set = chain?.report.set ?? null;
    const agrees = set !== null && set.position === i + 1 && sameSet(set, reference);
    if (set && set.id === setId && !agrees) problems.push({ code: 'set-mismatch', driveId, message: `the sealed event of ${driveId} describes set ${setId} differently` });
    else if (!agrees) problems.push({ code: 'set-member-unknown', driveId, message: `no authentic sealed event of ${driveId} names set ${setId}` });
    const status = chain && chain.events.length > 0 ? driveStatus(driveId, chain.events) : null;
    return {
      position: i + 1,
      driveId,
      known: agrees,
      state: status?.state ?? null,
      shipment: status?.shipment ? { carrier: status.shipment.carrier, trackingNumber: status.shipment.trackingNumber, at: status.shipment.at } : null,
      openIncident: status?.openIncident ?? null,
      lastEventAt: status?.lastEventAt ?? null,
      chain: chain && chain.events.length > 0 ? chain.report.status : null,
      problems: chain ? [...new Set(chain.report.problems.map((p) => p.code))] : [],
      anomalies: chain ? [...new Set(chain.report.anomalies.map((a) => a.kind))] : [],
      holds: agrees && set ? { parts: set.parts, tarBytes: set.tarBytes, files: set.files ?? null, bytes: set.bytes ?? null } : null,
    };
  });
  // Drives claiming the set that its member list does not name.
  for (const c of naming)
    if (!reference.driveIds.includes(c.driveId))
      problems.push({ code: 'set-mismatch', driveId: c.driveId, message: `${c.driveId} claims to be in set ${setId}, which does not list it` });
  return {
    setId,
    members: reference.members,
    memberViews,
    ok: problems.length === 0 && memberViews.every((m) => m.chain === 'ok'),
    problems,
  };
}

const count = z.number().int().nonnegative();
/** Zod schema of a {@link SetView} as the service answers it (checked before it is shown; unknown codes are kept as strings). */
export const setViewSchema = z.object({
  setId: z.string().max(128),
  members: z.number().int().min(2).max(64),
  memberViews: z
    .array(
      z.object({
        position: z.number().int().min(1).max(64),
        driveId: z.string().max(128),
        known: z.boolean(),
        state: z.enum(DRIVE_STATES).nullable(),
        shipment: z.object({ carrier: z.string().max(64), trackingNumber: z.string().max(64), at: z.string().max(64) }).nullable(),
        openIncident: z.object({ kind: z.string().max(32), at: z.string().max(64) }).nullable(),
        lastEventAt: z.string().max(64).nullable(),
        chain: z.enum(['ok', 'warning', 'invalid']).nullable(),
        problems: z.array(z.union([z.enum(CHAIN_PROBLEM_CODES), z.string().max(64)])).max(32),
        anomalies: z.array(z.union([z.enum(CUSTODY_ANOMALY_KINDS), z.string().max(64)])).max(32),
        holds: z.object({ parts: count, tarBytes: count, files: count.nullable(), bytes: count.nullable() }).nullable(),
      }),
    )
    .max(64),
  ok: z.boolean(),
  problems: z.array(z.object({ code: z.union([z.enum(SET_PROBLEM_CODES), z.string().max(64)]), driveId: z.string().max(128), message: z.string().max(500) })).max(256),
});
