import { describe, expect, it } from 'vitest';
import { staticTrust, verifyChain, type ChainProblemCode, type ChainReport } from './chain-verify.js';
import { eventHash, signEvent, type SignedEvent } from './event.js';
import { buildTestChain, testAuthor, testCustomer, testNext, testSecretKey } from './testing.js';

const c = buildTestChain();
const [sealed, verified, shipped, delivered] = c.provider as [SignedEvent, SignedEvent, SignedEvent, SignedEvent];
const [received, opened, erased] = c.customerEvents as [SignedEvent, SignedEvent, SignedEvent];
const trust = staticTrust({ stations: [c.station.author.publicKey], staff: [c.staff.author.publicKey] });

/** The (code, event id) pairs of a report, for exact comparisons. */
function found(r: ChainReport): Array<[ChainProblemCode, string | null]> {
  return r.problems.map((p) => [p.code, p.eventId]);
}

describe('verifyChain', () => {
  it('accepts a valid two-lineage chain, interleaved in any cross-lineage order', () => {
    const r = verifyChain([sealed, received, verified, opened, shipped, erased, delivered], trust);
    expect(found(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.status).toBe('ok');
    expect(r.events.map((e) => e.status)).toEqual(Array(7).fill('ok'));
    expect(r.lineages.provider).toEqual({ length: 4, headSeq: 3, headHash: eventHash(delivered) });
    expect(r.lineages.customer).toEqual({ length: 3, headSeq: 2, headHash: eventHash(erased) });
    expect(r.manifestSha256).toBe(c.manifestSha256);
    expect(r.customerPublicKey).toBe(c.customer.author.publicKey);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('flags an edited event as bad-signature and its successor as altered', () => {
    const edited = { ...shipped, data: { ...shipped.data, trackingNumber: '1Z999AA10123456785' } };
    const r = verifyChain([sealed, verified, edited, delivered], trust);
    expect(found(r)).toEqual([
      ['bad-signature', shipped.id],
      ['altered', delivered.id],
    ]);
    expect(r.events.map((e) => e.status)).toEqual(['ok', 'ok', 'invalid', 'invalid']);
  });

  it('flags an event re-signed after editing (replaced) through the broken link', () => {
    const replaced = signEvent({ ...shipped, data: { ...shipped.data, trackingNumber: '1Z999AA10123456785' } }, c.station.secretKey);
    const r = verifyChain([sealed, verified, replaced, delivered], trust);
    expect(found(r)).toEqual([['altered', delivered.id]]);
  });

  it('reports a gap when a middle event is dropped', () => {
    const r = verifyChain([sealed, verified, delivered], trust);
    expect(found(r)).toEqual([['gap', delivered.id]]);
  });

  it('reports missing-genesis without the sealed event, and cannot accept customer keys', () => {
    const r = verifyChain([verified, shipped, received], trust);
    expect(found(r)).toEqual([
      ['unknown-key', received.id],
      ['missing-genesis', verified.id],
    ]);
    const r2 = verifyChain([received, opened], trust);
    expect(found(r2)).toEqual([
      ['unknown-key', received.id],
      ['unknown-key', opened.id],
      ['missing-genesis', null],
    ]);
  });

  it('reports missing-genesis for a customer lineage without its first event', () => {
    const r = verifyChain([...c.provider, opened, erased], trust);
    expect(found(r)).toEqual([['missing-genesis', opened.id]]);
  });

  it('reports a fork: two authentic events at the same seq', () => {
    const other = testNext(c.station, c.driveId, verified, 'shipped', { carrier: 'fedex', trackingNumber: '123456789012' }, new Date('2025-03-01T14:31:00Z'));
    const r = verifyChain([sealed, verified, shipped, other, delivered], trust);
    expect(found(r)).toEqual([
      ['fork', shipped.id],
      ['fork', other.id],
    ]);
    expect(r.lineages.provider.headSeq).toBe(3);
  });

  it('reports a fork that lies about seq (same prev)', () => {
    const liar = signEvent({ ...shipped, id: '01956a8e-5c3b-7d2a-9f10-4e7a2b9c0d11', seq: 3, type: 'note', data: { noteRef: 'n1' } }, c.station.secretKey);
    const r = verifyChain([sealed, verified, shipped, liar], trust);
    expect(found(r)).toEqual([
      ['fork', shipped.id],
      ['fork', liar.id],
      ['altered', liar.id],
    ]);
  });

  it('ignores an injected event by an unknown key instead of calling the real one a fork', () => {
    const mallory = testAuthor('station', 'mallory');
    const fake = testNext(mallory, c.driveId, verified, 'shipped', { carrier: 'other', trackingNumber: 'FAKE1234' }, new Date('2025-03-01T14:31:00Z'));
    const r = verifyChain([sealed, verified, shipped, fake, delivered], trust);
    expect(found(r)).toEqual([['unknown-key', fake.id]]);
    expect(r.events.map((e) => e.status)).toEqual(['ok', 'ok', 'ok', 'invalid', 'ok']);
  });

  it('still links through a lone event whose key is unknown (no spurious gap)', () => {
    const r = verifyChain(c.provider, staticTrust({ stations: [c.station.author.publicKey] }));
    expect(found(r)).toEqual([['unknown-key', delivered.id]]);
    const after = testNext(c.station, c.driveId, delivered, 'note', { noteRef: 'n-2' }, new Date('2025-03-03T00:00:00Z'));
    const r2 = verifyChain([...c.provider, after], staticTrust({ stations: [c.station.author.publicKey] }));
    expect(found(r2)).toEqual([['unknown-key', delivered.id]]);
  });

  it('reports revoked keys at the trusted (receipt) time when given, else the event time', () => {
    const t = staticTrust({
      stations: [c.station.author.publicKey],
      staff: [c.staff.author.publicKey],
      revoked: [{ publicKey: c.station.author.publicKey, revokedAt: '2025-03-01T14:10:00Z' }],
    });
    expect(found(verifyChain(c.provider, t))).toEqual([['revoked-key', shipped.id]]);
    const late = new Map([[verified.id, '2025-03-01T15:00:00Z']]);
    expect(found(verifyChain(c.provider, t, { trustedTimes: late }))).toEqual([
      ['revoked-key', verified.id],
      ['revoked-key', shipped.id],
    ]);
  });

  it('rejects customer events signed with any other key', () => {
    const intruder = testCustomer(testSecretKey('another data key'), c.driveId);
    const fake = testNext(intruder, c.driveId, null, 'received', { anchor: c.manifestSha256, level: 'media', ok: true, problems: 0 }, new Date('2025-03-02T14:00:00Z'));
    const r = verifyChain([...c.provider, fake], trust);
    expect(found(r)).toEqual([['wrong-author', fake.id]]);
  });

  it('rejects a customer lineage anchored to another manifest', () => {
    const g = testNext(c.customer, c.driveId, null, 'received', { anchor: 'cd'.repeat(32), level: 'media', ok: true, problems: 0 }, new Date('2025-03-02T14:00:00Z'));
    expect(found(verifyChain([...c.provider, g], trust))).toEqual([['wrong-author', g.id]]);
  });

  it('warns when a lineage is listed out of seq order', () => {
    const r = verifyChain([sealed, shipped, verified, delivered], trust);
    expect(found(r)).toEqual([['reordered', verified.id]]);
    expect(r.status).toBe('warning');
    expect(r.ok).toBe(false);
    expect(found(verifyChain([sealed, shipped, verified, delivered], trust, { checkOrder: false }))).toEqual([]);
  });

  it('warns on time going backwards beyond the tolerance only', () => {
    const ok = testNext(c.station, c.driveId, sealed, 'verified', { level: 'full', ok: true, problems: 0 }, new Date('2025-03-01T13:56:00Z'));
    expect(found(verifyChain([sealed, ok], trust))).toEqual([]);
    const back = testNext(c.station, c.driveId, sealed, 'verified', { level: 'full', ok: true, problems: 0 }, new Date('2025-03-01T13:54:00Z'));
    const r = verifyChain([sealed, back], trust);
    expect(found(r)).toEqual([['time-backwards', back.id]]);
    expect(r.events[1]?.status).toBe('warning');
    const early = testNext(c.customer, c.driveId, null, 'received', { anchor: c.manifestSha256, level: 'media', ok: true, problems: 0 }, new Date('2025-02-01T00:00:00Z'));
    expect(found(verifyChain([sealed, early], trust))).toEqual([['time-backwards', early.id]]);
  });

  it('ignores exact duplicates and reports conflicting ones', () => {
    expect(found(verifyChain([...c.all, verified], trust))).toEqual([]);
    const conflicting = { ...verified, at: '2025-03-01T14:06:00.000Z' };
    const r = verifyChain([sealed, verified, conflicting], trust);
    expect(found(r).slice(0, 3)).toEqual([
      ['duplicate', verified.id],
      ['duplicate', verified.id],
      ['bad-signature', verified.id],
    ]);
  });

  it('reports malformed input and events of another drive', () => {
    const other = buildTestChain('OTHER1');
    const r = verifyChain([sealed, { nope: true }, verified, other.provider[2]], trust);
    expect(r.problems.map((p) => p.code)).toEqual(['malformed', 'altered']);
    expect(r.events[1]).toMatchObject({ id: null, status: 'invalid', codes: ['malformed'] });
    expect(r.events[3]).toMatchObject({ status: 'invalid', codes: ['altered'] });
  });
});
