import { describe, expect, it } from 'vitest';
import { staticTrust, verifyChain } from './chain-verify.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeBase64, eventSigningBytes, parseSignedEvent, signEvent, type SignedEvent } from './event.js';
import { buildSetView, sealedEventsData, type SetMemberChain } from './set-view.js';
import { buildTestSet, testNext } from './testing.js';

const set = buildTestSet();
const trust = staticTrust({ stations: [set.station.author.publicKey] });
/** Signs an event without validating it first (to make malformed but well-signed input). */
const signRaw = (e: SignedEvent, key: Uint8Array): SignedEvent => ({ ...e, sig: encodeBase64(ed25519.sign(eventSigningBytes(e), key)) });
const chainOf = (driveId: string, events: SignedEvent[]): SetMemberChain => ({ driveId, events, report: verifyChain(events, trust, { driveId }) });

describe('sealed event of a set member', () => {
  it('records the set, the position, every member and what the member holds; the chain report names it', () => {
    const r = verifyChain(set.chains[1]!, trust);
    expect(r.ok).toBe(true);
    expect(r.set).toEqual({ id: set.setId, position: 2, members: 3, driveIds: set.driveIds, parts: 2, tarBytes: 1000 });
  });

  it('keeps a sealed event without a set valid (a drive sealed alone), with set null in the report', () => {
    const [sealed] = set.chains[0]!;
    const { set: _dropped, ...alone } = sealed!.data as Record<string, unknown>;
    const single = signEvent({ ...sealed!, data: alone }, set.station.secretKey);
    expect(verifyChain([single], trust).set).toBeNull();
    expect(verifyChain([single], trust).ok).toBe(true);
  });

  it('refuses a set whose member list does not put this drive at its position, or is inconsistent', () => {
    const [sealed] = set.chains[0]!;
    const data = sealed!.data as { set: Record<string, unknown> };
    const variants = [
      { ...data.set, position: 2 },
      { ...data.set, members: 4 },
      { ...data.set, driveIds: [set.driveIds[0], set.driveIds[0], set.driveIds[2]] },
      { ...data.set, position: 4 },
      { ...data.set, parts: 0 },
      { ...data.set, name: 'photos' },
    ];
    for (const v of variants) {
      const bad = signRaw({ ...sealed!, data: { ...sealed!.data, set: v } }, set.station.secretKey);
      expect(() => parseSignedEvent(bad), JSON.stringify(v)).toThrow(expect.objectContaining({ code: 'E_CUSTODY_CHAIN' }));
      expect(verifyChain([bad], trust).problems.map((p) => p.code)).toEqual(['malformed']);
    }
  });

  it('detects a tampered set field: bad signature on the sealed event, its successor altered', () => {
    const [sealed, verified, shipped] = set.chains[0]!;
    const data = sealed!.data as { set: Record<string, unknown> };
    const tampered = { ...sealed!, data: { ...sealed!.data, set: { ...data.set, tarBytes: 1 } } };
    const r = verifyChain([tampered, verified, shipped], trust);
    expect(r.problems.map((p) => [p.code, p.eventId])).toEqual([
      ['bad-signature', sealed!.id],
      ['altered', verified!.id],
    ]);
    expect(r.set).toBeNull();
  });
});

describe('sealedEventsData', () => {
  const facts = {
    driveId: 'M1A2B3C4',
    files: 30,
    bytes: 2500,
    parts: 5,
    manifestSha256: 'aa'.repeat(32),
    customerPublicKey: set.station.author.publicKey,
  };
  const member = (position: number, driveId: string, extra = {}) => ({
    position,
    driveId,
    parts: position === 1 ? 3 : 2,
    tarBytes: 100 * position,
    manifestSha256: String(position).repeat(64),
    customerPublicKey: set.station.author.publicKey,
    ...extra,
  });

  it('gives one sealed data per member, by position, each naming the set and what it holds', () => {
    const data = sealedEventsData({ ...facts, set: { id: 'SETX', members: [member(2, 'B', { files: 4, bytes: 77 }), member(1, 'A')] } }, 'cd'.repeat(32));
    expect(data.map((d) => d.driveId)).toEqual(['A', 'B']);
    expect(data[1]!.data).toEqual({
      manifestSha256: '2'.repeat(64),
      files: 30,
      bytes: 2500,
      parts: 5,
      customerPublicKey: set.station.author.publicKey,
      customerAttestation: 'data-key',
      stationCertificateSha256: 'cd'.repeat(32),
      set: { id: 'SETX', position: 2, members: 2, driveIds: ['A', 'B'], parts: 2, tarBytes: 200, files: 4, bytes: 77 },
    });
    expect(data[0]!.data.set).not.toHaveProperty('files');
  });

  it('names the customer key on every member when sealed for one, and a drive alone without a set', () => {
    const own = 'k'.repeat(43) + '=';
    const data = sealedEventsData({ ...facts, set: { id: 'SETX', members: [member(1, 'A'), member(2, 'B')] } }, 'cd'.repeat(32), own);
    expect(data.map((d) => [d.data.customerPublicKey, d.data.customerAttestation])).toEqual([
      [own, 'customer-key'],
      [own, 'customer-key'],
    ]);
    const alone = sealedEventsData(facts, 'cd'.repeat(32));
    expect(alone).toEqual([{ driveId: 'M1A2B3C4', data: expect.not.objectContaining({ set: expect.anything() }) }]);
  });

  it("describes the whole set for the members a resumed seal sealed (the set's drive ids and part counts given)", () => {
    const resumed = { id: 'SETX', members: [member(3, 'C'), member(2, 'B')], driveIds: ['A', 'B', 'C'], partCounts: [3, 2, 2] };
    const data = sealedEventsData({ ...facts, parts: 2, set: resumed }, 'cd'.repeat(32));
    expect(data.map((d) => d.driveId)).toEqual(['B', 'C']);
    expect(data[0]!.data).toMatchObject({ parts: 7, set: { id: 'SETX', position: 2, members: 3, driveIds: ['A', 'B', 'C'], parts: 2 } });
    expect(() => sealedEventsData({ ...facts, set: { ...resumed, members: [member(2, 'C')] } }, 'cd'.repeat(32))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => sealedEventsData({ ...facts, set: { ...resumed, members: [member(2, 'B'), member(2, 'B')] } }, 'cd'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'E_USAGE' }),
    );
  });

  it('refuses members that are not positions 1 to n', () => {
    expect(() => sealedEventsData({ ...facts, set: { id: 'SETX', members: [member(1, 'A'), member(3, 'C')] } }, 'cd'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'E_USAGE' }),
    );
  });
});

describe('buildSetView', () => {
  it("shows every member's state, tracking number and holdings, by position, from any member order", () => {
    const chains = [2, 0, 1].map((i) => chainOf(set.driveIds[i]!, set.chains[i]!));
    const view = buildSetView(set.setId, chains)!;
    expect(view.ok).toBe(true);
    expect(view.members).toBe(3);
    expect(view.memberViews.map((m) => [m.position, m.driveId, m.state, m.shipment?.trackingNumber, m.chain])).toEqual([
      [1, 'M1A2B3C4', 'shipped', '1Z999AA10123456784', 'ok'],
      [2, 'M2A2B3C4', 'shipped', '1Z999AA10123456795', 'ok'],
      [3, 'M3A2B3C4', 'shipped', '1Z999AA10123456802', 'ok'],
    ]);
    expect(view.memberViews[0]!.holds).toEqual({ parts: 2, tarBytes: 1000, files: null, bytes: null });
  });

  it('shows a lost member as an open incident, and a member not known yet as unknown', () => {
    const [, , shipped] = set.chains[1]!;
    const lost = testNext(set.station, set.driveIds[1]!, shipped!, 'incident', { kind: 'lost' }, new Date('2025-03-03T10:00:00.000Z'));
    const view = buildSetView(set.setId, [chainOf(set.driveIds[0]!, set.chains[0]!), chainOf(set.driveIds[1]!, [...set.chains[1]!, lost])])!;
    expect(view.memberViews.map((m) => [m.state, m.known, m.openIncident?.kind ?? null])).toEqual([
      ['shipped', true, null],
      ['incident', true, 'lost'],
      [null, false, null],
    ]);
    expect(view.ok).toBe(false);
    expect(view.problems).toEqual([expect.objectContaining({ code: 'set-member-unknown', driveId: 'M3A2B3C4' })]);
  });

  it('flags a member whose authentic sealed event describes the set differently, and a drive claiming a place it does not have', () => {
    const [sealed] = set.chains[2]!;
    const data = sealed!.data as { set: Record<string, unknown> };
    const other = signEvent({ ...sealed!, data: { ...sealed!.data, set: { ...data.set, driveIds: ['X1', 'X2', set.driveIds[2]] } } }, set.station.secretKey);
    const intruder = signEvent(
      { ...sealed!, driveId: 'INTRUDER', data: { ...sealed!.data, set: { ...data.set, position: 1, driveIds: ['INTRUDER', 'X2', 'X3'] } } },
      set.station.secretKey,
    );
    const view = buildSetView(set.setId, [
      chainOf(set.driveIds[0]!, set.chains[0]!),
      chainOf(set.driveIds[1]!, set.chains[1]!),
      chainOf(set.driveIds[2]!, [other]),
      chainOf('INTRUDER', [intruder]),
    ])!;
    expect(view.problems.map((p) => [p.code, p.driveId])).toEqual([
      ['set-mismatch', 'M3A2B3C4'],
      ['set-mismatch', 'INTRUDER'],
    ]);
    expect(view.memberViews.map((m) => m.driveId)).toEqual(set.driveIds);
    expect(view.memberViews[2]!.known).toBe(false);
  });

  it('is null when no chain names the set', () => {
    expect(buildSetView('NOSUCHSET', [chainOf(set.driveIds[0]!, set.chains[0]!)])).toBeNull();
  });
});
