/**
 * Where a drive stands, as the technicians' dashboard shows it: its custody state, its current
 * shipment, its last verification and any open incident, derived from its custody events (local
 * journal, service lookup, or both merged). Also the actions that fit that state and the search
 * that finds a drive by id, order reference or tracking number. Pure and synchronous.
 */
import { CUSTODY_STAGES, custodyStage, type CustodyStep } from './custody-state.js';
import type { EventType } from './event-data.js';

/** The custody states of the dashboard: the stages, plus `incident` while one is open. */
export const DRIVE_STATES = ['sealed', 'verified', 'shipped', 'delivered', 'received', 'opened', 'erased', 'incident'] as const;
/** One dashboard state. */
export type DriveState = (typeof DRIVE_STATES)[number];

/** What a technician may do next with a drive (the UI maps each to a button). */
export const DRIVE_ACTIONS = ['verify', 'record-shipment', 'correct-shipment', 'reprint-slip', 'report-incident'] as const;
/** One dashboard action. */
export type DriveAction = (typeof DRIVE_ACTIONS)[number];

/** What the status needs of an event (a SignedEvent or an IPC timeline event fits). */
export type StatusStep = Pick<CustodyStep, 'id' | 'seq' | 'type' | 'at' | 'data'> & { author: { kind: string } };

/** A drive's status on the dashboard. */
export interface DriveStatus {
  driveId: string;
  state: DriveState;
  /** the `sealed` event's time (author's clock), or null when it is not known here */
  sealedAt: string | null;
  /** the newest event's time */
  lastEventAt: string | null;
  /** the newest `shipped` event (a correction is a newer `shipped`), or null */
  shipment: { carrier: string; trackingNumber: string; orderRef: string | null; at: string } | null;
  /** the newest `verified` event, or null */
  verification: { level: string; ok: boolean; at: string } | null;
  /** the newest incident when no custody stage followed it, or null */
  openIncident: { kind: string; at: string } | null;
  /** every order reference and tracking number the events name (for search) */
  orderRefs: string[];
  trackingNumbers: string[];
}

const time = (s: StatusStep): number => {
  const t = Date.parse(s.at);
  return Number.isNaN(t) ? 0 : t;
};
/** Chronological order: authors' clocks, then seq for ties (same lineage). */
const chronological = (a: StatusStep, b: StatusStep): number => time(a) - time(b) || a.seq - b.seq;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const isStage = (t: EventType): boolean => CUSTODY_STAGES.includes(t);

/**
 * Unites events from several sources (local journal, service lookup) by event id, keeping the
 * first copy of each id, in chronological order. Never throws.
 */
export function mergeSteps<S extends StatusStep>(...sources: ReadonlyArray<readonly S[]>): S[] {
  const byId = new Map<string, S>();
  for (const list of sources) for (const s of list) if (!byId.has(s.id)) byId.set(s.id, s);
  return [...byId.values()].sort(chronological);
}

/**
 * The status of `driveId` from its events (any order, any mix of lineages). The state is
 * `incident` when the newest incident has no custody stage after it; otherwise the furthest
 * stage reached (custodyStage), or `sealed` when the events hold no stage at all (a drive known
 * only by notes is still one this station sealed). Never throws.
 */
export function driveStatus(driveId: string, steps: readonly StatusStep[]): DriveStatus {
  const events = [...steps].sort(chronological);
  const last = <T>(type: EventType, f: (s: StatusStep) => T): T | null => {
    const s = events.filter((e) => e.type === type).at(-1);
    return s ? f(s) : null;
  };
  const newestIncident = events.filter((e) => e.type === 'incident').at(-1) ?? null;
  const stageAfter = newestIncident ? events.slice(events.indexOf(newestIncident) + 1).some((e) => isStage(e.type)) : false;
  const openIncident = newestIncident && !stageAfter ? { kind: str(newestIncident.data['kind']) ?? 'other', at: newestIncident.at } : null;
  const pick = (key: string): string[] => [...new Set(events.map((e) => str(e.data[key])).filter((v): v is string => v !== null))];
  return {
    driveId,
    state: openIncident ? 'incident' : ((custodyStage(events) as DriveState | null) ?? 'sealed'),
    sealedAt: last('sealed', (s) => s.at),
    lastEventAt: events.at(-1)?.at ?? null,
    shipment: last('shipped', (s) => ({
      carrier: str(s.data['carrier']) ?? 'other',
      trackingNumber: str(s.data['trackingNumber']) ?? '',
      orderRef: str(s.data['orderRef']),
      at: s.at,
    })),
    verification: last('verified', (s) => ({ level: str(s.data['level']) ?? 'media', ok: s.data['ok'] === true, at: s.at })),
    openIncident,
    orderRefs: pick('orderRef'),
    trackingNumbers: pick('trackingNumber'),
  };
}

/**
 * The actions that fit a drive's status:
 * - still at the station (sealed, verified): verify again, record the shipment;
 * - shipped: correct the shipment (a newer `shipped` event), re-print the packing slip;
 * - any state but erased: report an incident;
 * - an open incident: verify again (a returned or damaged drive), re-print the slip when shipped.
 * Never throws.
 */
export function driveActions(status: Pick<DriveStatus, 'state' | 'shipment'>): DriveAction[] {
  switch (status.state) {
    case 'sealed':
    case 'verified':
      return ['verify', 'record-shipment', 'report-incident'];
    case 'shipped':
      return ['correct-shipment', 'reprint-slip', 'report-incident'];
    case 'delivered':
    case 'received':
    case 'opened':
      return ['report-incident'];
    case 'erased':
      return [];
    case 'incident':
      return status.shipment ? ['verify', 'reprint-slip', 'report-incident'] : ['verify', 'record-shipment', 'report-incident'];
  }
}

/** Uppercase letters and digits only: how drive ids, orders and tracking numbers are compared. */
const fold = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/**
 * True when `query` (as typed or scanned: spaces, dashes and case ignored) is part of the drive
 * id, an order reference or a tracking number of `status`. An empty query matches every drive.
 * Never throws.
 */
export function matchesDriveQuery(status: Pick<DriveStatus, 'driveId' | 'orderRefs' | 'trackingNumbers'>, query: string): boolean {
  const q = fold(query);
  if (q === '') return true;
  return [status.driveId, ...status.orderRefs, ...status.trackingNumbers].some((v) => fold(v).includes(q));
}
