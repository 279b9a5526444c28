/**
 * The Support timeline as drawn: one entry per custody event in the timeline's order, each with
 * its lineage, the anomalies it is part of, the gap before it in its lineage (missing seq
 * numbers), who attests it (the author's key, and the service's receipt), and the shipment it
 * names. Pure; the component only renders it.
 */
import type { CustodyAnomalyDto, CustodyEventDto, CustodyTimelineDto } from '../../../shared/ipc/index.js';

/** Which key signed an event: a station's certified key, a staff key, or the key derived from the drive's data key. */
export type Signer = 'station-key' | 'staff-key' | 'drive-key' | 'unknown';

/** One drawn entry of the timeline. */
export interface TimelineEntry {
  event: CustodyEventDto;
  lineage: 'provider' | 'customer';
  signer: Signer;
  /** the service's receipt time, or null when the service has not attested the event */
  attestedAt: string | null;
  /** anomalies whose event this is */
  anomalies: CustodyAnomalyDto[];
  /** anomalies that point at this event as the one conflicting with another */
  relatedTo: CustodyAnomalyDto[];
  /** how many seq numbers of this lineage are missing just before this event (0: none) */
  gapBefore: number;
  /** the carrier and tracking number of a `shipped` event, else null */
  shipment: { carrier: string; trackingNumber: string } | null;
}

const SIGNERS: Record<string, Signer> = { station: 'station-key', staff: 'staff-key', customer: 'drive-key' };

/**
 * The entries of `timeline`, in its event order. A gap is counted within a lineage from seq 0
 * (a lineage whose first known event has seq 2 misses two). Never throws.
 */
export function timelineEntries(timeline: CustodyTimelineDto): TimelineEntry[] {
  const lastSeq = new Map<string, number>();
  const bySeq = [...timeline.events].sort((a, b) => a.seq - b.seq);
  const gaps = new Map<string, number>();
  for (const e of bySeq) {
    const lineage = e.author.kind === 'customer' ? 'customer' : 'provider';
    const prev = lastSeq.get(lineage) ?? -1;
    gaps.set(e.id, Math.max(0, e.seq - prev - 1));
    lastSeq.set(lineage, Math.max(prev, e.seq));
  }
  return timeline.events.map((e) => {
    const tracking = e.data['trackingNumber'];
    const carrier = e.data['carrier'];
    return {
      event: e,
      lineage: e.author.kind === 'customer' ? 'customer' : 'provider',
      signer: SIGNERS[e.author.kind] ?? 'unknown',
      attestedAt: e.receivedAt,
      anomalies: timeline.anomalies.filter((a) => a.eventId === e.id),
      relatedTo: timeline.anomalies.filter((a) => a.relatedEventId === e.id),
      gapBefore: gaps.get(e.id) ?? 0,
      shipment: e.type === 'shipped' && typeof tracking === 'string' && typeof carrier === 'string' ? { carrier, trackingNumber: tracking } : null,
    };
  });
}

/** How many entries need a reader's attention: an anomaly, a gap, a bad signature or no receipt. Never throws. */
export function flaggedCount(entries: readonly TimelineEntry[]): number {
  return entries.filter((x) => x.anomalies.length > 0 || x.gapBefore > 0 || !x.event.signatureOk || x.attestedAt === null).length;
}
