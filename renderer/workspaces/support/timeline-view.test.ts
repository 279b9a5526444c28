import { describe, expect, it } from 'vitest';
import type { CustodyEventDto, CustodyTimelineDto } from '../../../shared/ipc/index.js';
import { flaggedCount, timelineEntries } from './timeline-view.js';

const ev = (id: string, seq: number, type: string, kind: string, extra: Partial<CustodyEventDto> = {}): CustodyEventDto => ({
  id,
  seq,
  type,
  at: `2026-03-0${seq + 1}T10:00:00Z`,
  receivedAt: `2026-03-0${seq + 1}T10:00:01Z`,
  author: { kind, id: kind === 'customer' ? 'customer:D1' : 'MTL-01' },
  data: {},
  signatureOk: true,
  ...extra,
});

const timeline = (events: CustodyEventDto[], anomalies: CustodyTimelineDto['anomalies'] = []): CustodyTimelineDto => ({
  driveId: 'D1',
  trackingNumbers: [],
  orderRefs: [],
  chainOk: anomalies.length === 0,
  chainProblem: null,
  anomalies,
  events,
});

describe('timelineEntries', () => {
  it('says who signed each event, whether the service attested it, and the shipment it names', () => {
    const tl = timeline([
      ev('s', 0, 'sealed', 'station'),
      ev('sh', 1, 'shipped', 'station', { data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } }),
      ev('r', 0, 'received', 'customer', { receivedAt: null }),
    ]);
    const entries = timelineEntries(tl);
    expect(entries.map((x) => [x.event.id, x.lineage, x.signer, x.attestedAt !== null])).toEqual([
      ['s', 'provider', 'station-key', true],
      ['sh', 'provider', 'station-key', true],
      ['r', 'customer', 'drive-key', false],
    ]);
    expect(entries[1]!.shipment).toEqual({ carrier: 'ups', trackingNumber: '1Z999AA10123456784' });
    expect(entries[0]!.shipment).toBeNull();
    expect(flaggedCount(entries)).toBe(1);
  });

  it('puts each anomaly on its event and on the event it conflicts with', () => {
    const tl = timeline(
      [ev('s', 0, 'sealed', 'station'), ev('r', 0, 'received', 'customer'), ev('e', 1, 'erased', 'customer'), ev('o', 2, 'opened', 'customer')],
      [
        { kind: 'received-before-shipped', eventId: 'r', relatedEventId: null },
        { kind: 'opened-after-erased', eventId: 'o', relatedEventId: 'e' },
      ],
    );
    const entries = timelineEntries(tl);
    expect(entries.map((x) => x.anomalies.map((a) => a.kind))).toEqual([[], ['received-before-shipped'], [], ['opened-after-erased']]);
    expect(entries.map((x) => x.relatedTo.map((a) => a.kind))).toEqual([[], [], ['opened-after-erased'], []]);
    expect(flaggedCount(entries)).toBe(2);
  });

  it('flags the seq numbers missing in each lineage, whatever the display order', () => {
    const tl = timeline([
      ev('v', 3, 'verified', 'station'),
      ev('s', 0, 'sealed', 'station'),
      ev('o', 2, 'opened', 'customer'),
      ev('x', 1, 'note', 'staff', { signatureOk: false }),
    ]);
    const entries = timelineEntries(tl);
    expect(entries.map((x) => [x.event.id, x.gapBefore])).toEqual([
      ['v', 1],
      ['s', 0],
      ['o', 2],
      ['x', 0],
    ]);
    expect(flaggedCount(entries)).toBe(3);
  });
});
