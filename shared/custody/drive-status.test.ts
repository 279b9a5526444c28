import { describe, expect, it } from 'vitest';
import { DRIVE_STATES, driveActions, driveStatus, matchesDriveQuery, mergeSteps, type StatusStep } from './drive-status.js';

let n = 0;
const step = (type: StatusStep['type'], at: string, data: Record<string, unknown> = {}, kind = 'station', seq = n): StatusStep => ({
  id: `e${n++}`,
  seq,
  type,
  at,
  author: { kind },
  data,
});

const sealed = step('sealed', '2026-03-01T10:00:00Z');
const verified = step('verified', '2026-03-01T10:05:00Z', { level: 'full', ok: true, problems: 0 });
const shipped = step('shipped', '2026-03-01T11:00:00Z', { carrier: 'ups', trackingNumber: '1Z999AA10123456784', orderRef: 'CMD-2026-0042' });
const corrected = step('shipped', '2026-03-01T11:30:00Z', { carrier: 'purolator', trackingNumber: '329000148914' });
const delivered = step('delivered', '2026-03-03T15:00:00Z', {}, 'staff');
const received = step('received', '2026-03-03T18:00:00Z', { level: 'media', ok: true, problems: 0 }, 'customer', 0);
const opened = step('opened', '2026-03-03T19:00:00Z', { ok: true, filesRestored: 3, partial: false }, 'customer', 1);
const erased = step('erased', '2026-03-10T09:00:00Z', {}, 'customer', 2);
const lost = step('incident', '2026-03-02T09:00:00Z', { kind: 'lost' });

describe('driveStatus', () => {
  it('follows a drive through every stage, whatever the order the events arrive in', () => {
    const life = [sealed, verified, shipped, delivered, received, opened, erased];
    const states = life.map((_, i) => driveStatus('D1', [...life.slice(0, i + 1)].reverse()).state);
    expect(states).toEqual(['sealed', 'verified', 'shipped', 'delivered', 'received', 'opened', 'erased']);
    expect(DRIVE_STATES).toEqual([...states, 'incident']);
  });

  it('reports the newest shipment (a correction wins), the last verification and the search keys', () => {
    const s = driveStatus('D1', [corrected, sealed, shipped, verified]);
    expect(s.shipment).toEqual({ carrier: 'purolator', trackingNumber: '329000148914', orderRef: null, at: corrected.at });
    expect(s.verification).toEqual({ level: 'full', ok: true, at: verified.at });
    expect(s.sealedAt).toBe(sealed.at);
    expect(s.lastEventAt).toBe(corrected.at);
    expect(s.trackingNumbers).toEqual(['1Z999AA10123456784', '329000148914']);
    expect(s.orderRefs).toEqual(['CMD-2026-0042']);
  });

  it('is in incident while no stage follows the newest incident, and leaves it when one does', () => {
    const open = driveStatus('D1', [sealed, verified, shipped, lost]);
    expect(open.state).toBe('incident');
    expect(open.openIncident).toEqual({ kind: 'lost', at: lost.at });
    const found = driveStatus('D1', [sealed, verified, shipped, lost, delivered]);
    expect(found.state).toBe('delivered');
    expect(found.openIncident).toBeNull();
  });

  it('knows a drive with no stage event as sealed, and has no shipment or verification then', () => {
    const s = driveStatus('D2', []);
    expect(s).toMatchObject({ state: 'sealed', sealedAt: null, lastEventAt: null, shipment: null, verification: null, openIncident: null });
  });
});

describe('mergeSteps', () => {
  it('unites the journal and the service by event id, chronologically', () => {
    const merged = mergeSteps([sealed, shipped], [shipped, received, sealed, verified]);
    expect(merged.map((s) => s.id)).toEqual([sealed.id, verified.id, shipped.id, received.id]);
  });
});

describe('driveActions', () => {
  it('offers what fits each state', () => {
    expect(driveActions({ state: 'sealed', shipment: null })).toEqual(['verify', 'record-shipment', 'report-incident']);
    expect(driveActions({ state: 'verified', shipment: null })).toEqual(['verify', 'record-shipment', 'report-incident']);
    const ship = driveStatus('D1', [sealed, shipped]).shipment;
    expect(driveActions({ state: 'shipped', shipment: ship })).toEqual(['correct-shipment', 'reprint-slip', 'report-incident']);
    for (const state of ['delivered', 'received', 'opened'] as const) expect(driveActions({ state, shipment: ship })).toEqual(['report-incident']);
    expect(driveActions({ state: 'erased', shipment: ship })).toEqual([]);
    expect(driveActions({ state: 'incident', shipment: ship })).toEqual(['verify', 'reprint-slip', 'report-incident']);
    expect(driveActions({ state: 'incident', shipment: null })).toEqual(['verify', 'record-shipment', 'report-incident']);
  });
});

describe('matchesDriveQuery', () => {
  const s = driveStatus('2026-03-01-A7K2', [sealed, shipped]);
  it('finds a drive by part of its id, order or tracking number as typed or scanned', () => {
    expect(matchesDriveQuery(s, '')).toBe(true);
    expect(matchesDriveQuery(s, 'a7k2')).toBe(true);
    expect(matchesDriveQuery(s, 'cmd 2026-0042')).toBe(true);
    expect(matchesDriveQuery(s, '1z 999 aa1 01 2345 6784')).toBe(true);
    expect(matchesDriveQuery(s, '1Z999AA10123456785')).toBe(false);
    expect(matchesDriveQuery(s, 'B9')).toBe(false);
  });
});
