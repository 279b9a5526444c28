/**
 * The custody state machine of a drive: sealed → verified → shipped → delivered / received →
 * opened → erased, with incidents and notes allowed at any time. Pure and synchronous.
 *
 * It never rejects an event: signed events are evidence and stay in the chain. It reports the
 * orders that cannot happen in the physical world as *anomalies* (docs/CUSTODY.md §4.1), which
 * verifyChain, the service's lookup and the Support timeline show beside the events.
 *
 * Ordering. Within one lineage, `seq` orders events (no clock is involved). Between the two
 * lineages (provider and customer) only the authors' clocks can, so a tolerance absorbs skew,
 * always in favour of *no* anomaly:
 * - A "may precede" B when they share a lineage and A.seq < B.seq, or otherwise when
 *   A.at ≤ B.at + tolerance;
 * - A "clearly precedes" B when they share a lineage and A.seq < B.seq, or otherwise when
 *   A.at < B.at − tolerance.
 */
import type { Lineage } from './event.js';
import type { EventType } from './event-data.js';

/** Stable anomaly kinds (never renamed; the UI and the CLI map them to sentences). */
export const CUSTODY_ANOMALY_KINDS = [
  'delivered-before-shipped',
  'received-before-shipped',
  'opened-before-shipped',
  'verified-after-delivery',
  'verified-after-erased',
  'received-after-erased',
  'opened-after-erased',
] as const;
/** One anomaly kind. */
export type CustodyAnomalyKind = (typeof CUSTODY_ANOMALY_KINDS)[number];

/** An impossible order found in a drive's custody events. */
export interface CustodyAnomaly {
  kind: CustodyAnomalyKind;
  /** the event whose place is impossible */
  eventId: string;
  /** the event it conflicts with (the `erased`, `delivered` or `received` it follows), or null when something is missing */
  relatedEventId: string | null;
  /** English, for logs and developers; UIs translate `kind`. */
  message: string;
}

/** What the state machine needs to know of an event (a SignedEvent fits). */
export interface CustodyStep {
  id: string;
  seq: number;
  type: EventType;
  /** RFC 3339 UTC, the author's clock */
  at: string;
  author: { kind: 'station' | 'staff' | 'customer' };
  data: Record<string, unknown>;
}

/** Options of {@link custodyAnomalies}. */
export interface CustodyStateOptions {
  /** clock skew tolerated between the two lineages (default 5 minutes) */
  clockToleranceMs?: number;
}

/** The stages of custody in their physical order; incidents and notes are not stages. */
export const CUSTODY_STAGES: readonly EventType[] = ['sealed', 'verified', 'shipped', 'delivered', 'received', 'opened', 'erased'];

/** Event types that need the drive shipped before them. */
const NEEDS_SHIPPED: Partial<Record<EventType, CustodyAnomalyKind>> = {
  delivered: 'delivered-before-shipped',
  received: 'received-before-shipped',
  opened: 'opened-before-shipped',
};
/** Event types that need the drive's contents, hence cannot follow an erase. */
const NEEDS_CONTENTS: Partial<Record<EventType, CustodyAnomalyKind>> = {
  verified: 'verified-after-erased',
  received: 'received-after-erased',
  opened: 'opened-after-erased',
};

const DEFAULT_TOLERANCE_MS = 5 * 60_000;

const lineageOf = (s: CustodyStep): Lineage => (s.author.kind === 'customer' ? 'customer' : 'provider');

/**
 * The anomalies of a drive's events (given in any order; pass only authentic events, one per
 * lineage slot, so that a forged event cannot raise or hide an anomaly):
 * - `delivered-`, `received-`, `opened-before-shipped`: no `shipped` event may precede it
 *   (judged only when some provider-lineage event is known: a customer's machine that holds
 *   only its own lineage knows nothing of shipping);
 * - `verified-after-delivery`: a station's `verified` clearly after a `delivered` or the
 *   customer's `received`, with no `incident` of kind `returned` in between (a returned drive
 *   may be verified again). A `verified` after `shipped` is not an anomaly: `shipped` records
 *   the carrier and tracking number, which a technician may do before the last check;
 * - `verified-`, `received-`, `opened-after-erased`: an `erased` clearly precedes it (these
 *   steps need the drive's contents). Late bookkeeping (`delivered`, `shipped`, incidents and
 *   notes recorded after an erase) is not an anomaly.
 * Anomalies are listed in input order of the events they concern. Never throws; an event with
 * an unparsable `at` is compared by seq within its lineage only.
 */
export function custodyAnomalies(steps: readonly CustodyStep[], options: CustodyStateOptions = {}): CustodyAnomaly[] {
  const tolerance = options.clockToleranceMs ?? DEFAULT_TOLERANCE_MS;
  const time = (s: CustodyStep): number => Date.parse(s.at);
  const mayPrecede = (a: CustodyStep, b: CustodyStep): boolean => {
    if (lineageOf(a) === lineageOf(b)) return a.seq < b.seq;
    const ta = time(a);
    const tb = time(b);
    return Number.isNaN(ta) || Number.isNaN(tb) ? true : ta <= tb + tolerance;
  };
  const clearlyPrecedes = (a: CustodyStep, b: CustodyStep): boolean => {
    if (lineageOf(a) === lineageOf(b)) return a.seq < b.seq;
    const ta = time(a);
    const tb = time(b);
    return Number.isNaN(ta) || Number.isNaN(tb) ? false : ta < tb - tolerance;
  };
  const shipped = steps.filter((s) => s.type === 'shipped');
  const handedOver = steps.filter((s) => s.type === 'delivered' || s.type === 'received');
  const erased = steps.filter((s) => s.type === 'erased');
  const returned = steps.filter((s) => s.type === 'incident' && s.data['kind'] === 'returned');
  // A customer's machine may hold its own lineage only: nothing is known of shipping there.
  const providerKnown = steps.some((s) => lineageOf(s) === 'provider');

  const out: CustodyAnomaly[] = [];
  for (const s of steps) {
    const needsShipped = NEEDS_SHIPPED[s.type];
    if (needsShipped && providerKnown && !shipped.some((sh) => mayPrecede(sh, s))) {
      out.push({ kind: needsShipped, eventId: s.id, relatedEventId: null, message: `${s.type} recorded before any shipped event` });
    }
    if (s.type === 'verified') {
      const before = handedOver.find((h) => clearlyPrecedes(h, s) && !returned.some((r) => mayPrecede(h, r) && mayPrecede(r, s)));
      if (before)
        out.push({ kind: 'verified-after-delivery', eventId: s.id, relatedEventId: before.id, message: `verified after the drive was ${before.type}, with no return in between` });
    }
    const needsContents = NEEDS_CONTENTS[s.type];
    if (needsContents) {
      const e = erased.find((er) => clearlyPrecedes(er, s));
      if (e) out.push({ kind: needsContents, eventId: s.id, relatedEventId: e.id, message: `${s.type} recorded after the drive was erased` });
    }
  }
  return out;
}

/**
 * The furthest stage of custody the events reach (by {@link CUSTODY_STAGES} order), or null
 * when there is none. Incidents and notes do not count. Never throws.
 */
export function custodyStage(steps: readonly Pick<CustodyStep, 'type'>[]): EventType | null {
  let best = -1;
  for (const s of steps) best = Math.max(best, CUSTODY_STAGES.indexOf(s.type));
  return best < 0 ? null : (CUSTODY_STAGES[best] ?? null);
}
