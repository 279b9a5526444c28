import { describe, expect, it } from 'vitest';
import { staticTrust, verifyChain } from './chain-verify.js';
import { CUSTODY_ANOMALY_KINDS, custodyAnomalies, custodyStage, type CustodyAnomalyKind } from './custody-state.js';
import type { SignedEvent } from './event.js';
import { buildTestChain, testNext } from './testing.js';

const c = buildTestChain('D-STATE');
const [sealed, verified, shipped, delivered] = c.provider as [SignedEvent, SignedEvent, SignedEvent, SignedEvent];
const [received, opened, erased] = c.customerEvents as [SignedEvent, SignedEvent, SignedEvent];
const trust = staticTrust({ stations: [c.station.author.publicKey], staff: [c.staff.author.publicKey] });
const at = (iso: string): Date => new Date(iso);

const kinds = (events: SignedEvent[]): Array<[CustodyAnomalyKind, string]> => custodyAnomalies(events).map((a) => [a.kind, a.eventId]);

/** One provider chain sealed → verified and a customer lineage received (all on day 1). */
const sealedOnly = testNext(c.station, c.driveId, null, 'sealed', sealed.data as never, at('2025-03-01T14:00:00Z'));
const verifiedOnly = testNext(c.station, c.driveId, sealedOnly, 'verified', { level: 'full', ok: true, problems: 0 }, at('2025-03-01T14:05:00Z'));

describe('custody state machine', () => {
  it('finds no anomaly in the physical order, whatever the input order', () => {
    expect(kinds(c.all)).toEqual([]);
    expect(kinds([...c.all].reverse())).toEqual([]);
    expect(custodyStage(c.all)).toBe('erased');
    expect(custodyStage([sealed, verified])).toBe('verified');
    expect(custodyStage([])).toBeNull();
  });

  it('received-before-shipped: a customer received the drive before any shipped event', () => {
    // the provider lineage has no shipped event: received cannot have happened
    const r = kinds([sealedOnly, verifiedOnly, received]);
    expect(r).toEqual([['received-before-shipped', received.id]]);
    // shipped recorded on the station's clock a day after the customer's received
    const lateShip = testNext(c.station, c.driveId, verifiedOnly, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, at('2025-03-05T00:00:00Z'));
    expect(kinds([sealedOnly, verifiedOnly, lateShip, received])).toEqual([['received-before-shipped', received.id]]);
  });

  it('opened-before-shipped: opened with no shipped event before it', () => {
    expect(kinds([sealedOnly, verifiedOnly, received, opened])).toEqual([
      ['received-before-shipped', received.id],
      ['opened-before-shipped', opened.id],
    ]);
  });

  it('judges shipping only when the provider lineage is known (a customer machine holds its own lineage only)', () => {
    expect(kinds([received, opened])).toEqual([]);
    expect(kinds([sealedOnly, received, opened]).map(([k]) => k)).toEqual(['received-before-shipped', 'opened-before-shipped']);
  });

  it('delivered-before-shipped: delivered recorded in the provider lineage before shipped', () => {
    const d = testNext(c.staff, c.driveId, verifiedOnly, 'delivered', {}, at('2025-03-01T15:00:00Z'));
    const s = testNext(c.station, c.driveId, d, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, at('2025-03-01T15:10:00Z'));
    expect(kinds([sealedOnly, verifiedOnly, d, s])).toEqual([['delivered-before-shipped', d.id]]);
  });

  it('verified-after-delivery: the station verifies a drive delivered to the customer, unless it came back', () => {
    const v2 = testNext(c.station, c.driveId, delivered, 'verified', { level: 'media', ok: true, problems: 0 }, at('2025-03-03T00:00:00Z'));
    expect(kinds([sealed, verified, shipped, delivered, v2])).toEqual([['verified-after-delivery', v2.id]]);
    // the customer's received (other lineage, by clock) is a delivery too
    const v4 = testNext(c.station, c.driveId, shipped, 'verified', { level: 'media', ok: true, problems: 0 }, at('2025-03-03T00:00:00Z'));
    expect(kinds([sealed, verified, shipped, v4, received])).toEqual([['verified-after-delivery', v4.id]]);
    // a verification after shipped (tracking recorded before the last check) is not an anomaly
    const v5 = testNext(c.station, c.driveId, shipped, 'verified', { level: 'media', ok: true, problems: 0 }, at('2025-03-01T14:40:00Z'));
    expect(kinds([sealed, verified, shipped, v5])).toEqual([]);
    const back = testNext(c.staff, c.driveId, delivered, 'incident', { kind: 'returned' }, at('2025-03-03T00:00:00Z'));
    const v3 = testNext(c.station, c.driveId, back, 'verified', { level: 'media', ok: true, problems: 0 }, at('2025-03-03T01:00:00Z'));
    expect(kinds([sealed, verified, shipped, delivered, back, v3])).toEqual([]);
  });

  it('opened-after-erased and received-after-erased: in the same lineage (by seq) and across lineages (by clock)', () => {
    const e0 = testNext(c.customer, c.driveId, null, 'erased', { ...erased.data, anchor: c.manifestSha256 } as never, at('2025-03-02T14:00:00Z'));
    const r1 = testNext(c.customer, c.driveId, e0, 'received', { level: 'media', ok: true, problems: 0 }, at('2025-03-02T14:10:00Z'));
    const o2 = testNext(c.customer, c.driveId, r1, 'opened', { ok: true, filesRestored: 3, partial: false }, at('2025-03-02T14:20:00Z'));
    expect(kinds([...c.provider, e0, r1, o2])).toEqual([
      ['received-after-erased', r1.id],
      ['opened-after-erased', o2.id],
    ]);
    // the station erased the drive (provider lineage) a day before the customer opened it
    const pErase = testNext(c.station, c.driveId, delivered, 'erased', erased.data as never, at('2025-03-02T00:00:00Z'));
    expect(kinds([...c.provider, pErase, received, opened])).toEqual([
      ['received-after-erased', received.id],
      ['opened-after-erased', opened.id],
    ]);
  });

  it('verified-after-erased: a verification of a drive already erased', () => {
    const e = testNext(c.station, c.driveId, verifiedOnly, 'erased', erased.data as never, at('2025-03-01T14:10:00Z'));
    const v = testNext(c.station, c.driveId, e, 'verified', { level: 'media', ok: true, problems: 0 }, at('2025-03-01T14:20:00Z'));
    expect(kinds([sealedOnly, verifiedOnly, e, v])).toEqual([['verified-after-erased', v.id]]);
  });

  it('tolerates clock skew between lineages; late bookkeeping after an erase is no anomaly', () => {
    // shipped 4 minutes after the customer's received, by the station's clock: within tolerance
    const s = testNext(c.station, c.driveId, verifiedOnly, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, at('2025-03-02T14:24:00Z'));
    expect(kinds([sealedOnly, verifiedOnly, s, received])).toEqual([]);
    // but 6 minutes is beyond it (the default 5-minute tolerance)
    const s2 = testNext(c.station, c.driveId, verifiedOnly, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, at('2025-03-02T14:26:01Z'));
    expect(kinds([sealedOnly, verifiedOnly, s2, received])).toEqual([['received-before-shipped', received.id]]);
    // the example chain records delivered after the customer erased: bookkeeping, not an anomaly
    expect(Date.parse(delivered.at)).toBeGreaterThan(Date.parse(erased.at));
    expect(kinds(c.all)).toEqual([]);
  });

  it('covers every kind it declares', () => {
    expect([...CUSTODY_ANOMALY_KINDS].sort()).toEqual([
      'delivered-before-shipped',
      'opened-after-erased',
      'opened-before-shipped',
      'received-after-erased',
      'received-before-shipped',
      'verified-after-delivery',
      'verified-after-erased',
    ]);
  });
});

describe('verifyChain reports custody anomalies without rejecting the events', () => {
  it('an opened after erased keeps every event ok but the chain is not ok', () => {
    const e0 = testNext(c.customer, c.driveId, null, 'erased', { ...erased.data, anchor: c.manifestSha256 } as never, at('2025-03-02T14:00:00Z'));
    const o1 = testNext(c.customer, c.driveId, e0, 'opened', { ok: true, filesRestored: 3, partial: false }, at('2025-03-02T14:20:00Z'));
    const r = verifyChain([...c.provider, e0, o1], trust);
    expect(r.problems).toEqual([]);
    expect(r.events.every((e) => e.status === 'ok')).toBe(true);
    expect(r.anomalies.map((a) => [a.kind, a.eventId, a.relatedEventId])).toEqual([['opened-after-erased', o1.id, e0.id]]);
    expect(r.ok).toBe(false);
    expect(r.status).toBe('warning');
  });

  it('ignores forged events for anomalies: an unknown key cannot raise one', () => {
    const rogue = testNext(
      { author: { ...c.station.author, publicKey: c.customer.author.publicKey }, secretKey: c.customer.secretKey },
      c.driveId,
      delivered,
      'verified',
      { level: 'media', ok: true, problems: 0 },
      at('2025-03-04T00:00:00Z'),
    );
    const r = verifyChain([...c.provider, rogue], trust);
    expect(r.problems.map((p) => p.code)).toEqual(['unknown-key']);
    expect(r.anomalies).toEqual([]);
    expect(verifyChain(c.all, trust).anomalies).toEqual([]);
  });
});
