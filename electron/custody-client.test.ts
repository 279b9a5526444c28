import { describe, expect, it } from 'vitest';
import { verifyChain } from '../shared/custody/chain-verify.js';
import { buildTestChain, buildTestSet } from '../shared/custody/testing.js';
import { buildSetView } from '../shared/custody/set-view.js';
import { custodyTimelineSchema } from '../shared/ipc/index.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { toCustodyError, toTimeline, trustFromServiceReport } from './custody-client.js';

describe('custody client', () => {
  it('turns unreachable, timeouts and 5xx into E_CUSTODY_OFFLINE, and keeps refusals as E_CUSTODY_SYNC', () => {
    const code = (e: unknown) => (toCustodyError(e) as ScelleError).code;
    expect(code(new ScelleError('E_CUSTODY_SYNC', 'x', { network: true, status: 0, attempts: 3 }))).toBe('E_CUSTODY_OFFLINE');
    expect(code(new ScelleError('E_CUSTODY_SYNC', 'x', { network: false, status: 503, attempts: 3 }))).toBe('E_CUSTODY_OFFLINE');
    expect(code(new ScelleError('E_CUSTODY_SYNC', 'x', { status: 403, serverCode: 'forbidden' }))).toBe('E_CUSTODY_SYNC');
    expect(code(new ScelleError('E_CUSTODY_SYNC', 'x', { reason: 'not-enrolled' }))).toBe('E_CUSTODY_SYNC');
    expect(code(new ScelleError('E_USAGE', 'x'))).toBe('E_USAGE');
  });

  it('verifies a looked-up chain locally, trusting provider keys unless the service flags them', () => {
    const c = buildTestChain();
    const trusted = trustFromServiceReport(c.all, { ok: true, problems: [] });
    const ok = verifyChain(c.all, trusted, { driveId: c.driveId });
    expect(ok.ok).toBe(true);
    const receipts = c.all.map((e, i) => ({ eventId: e.id, eventHash: 'ab'.repeat(32), receivedAt: e.at, leafIndex: i, serviceKeyId: 'k', signature: 's' }));
    const tl = toTimeline({ driveId: c.driveId, events: c.all, receipts, badReceipts: 0, serviceVerification: null }, ok);
    expect(tl).toMatchObject({ chainOk: true, chainProblem: null, trackingNumbers: ['1Z999AA10123456784'] });
    // the Support timeline says who could have signed each customer event (here an unlock-code drive)
    expect(tl.events.map((e) => [e.author.kind, e.attestation])).toEqual(
      [...c.all].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq).map((e) => [e.author.kind, e.author.kind === 'customer' ? 'data-key' : null]),
    );
    expect(toTimeline({ driveId: c.driveId, events: c.all, receipts: receipts.slice(1), badReceipts: 0, serviceVerification: null }, ok)).toMatchObject({
      chainOk: false,
      chainProblem: 'bad-receipt',
    });

    const revoked = trustFromServiceReport(c.all, { ok: false, problems: [{ code: 'revoked-key', eventId: c.provider[0]!.id }] });
    const bad = verifyChain(c.all, revoked, { driveId: c.driveId });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.code)).toContain('revoked-key');
    const altered = [...c.all];
    altered[1] = { ...altered[1]!, data: { ...altered[1]!.data, problems: 9 } };
    expect(verifyChain(altered, trusted, { driveId: c.driveId }).problems.map((p) => p.code)).toContain('bad-signature');
  });

  it('gives the Support timeline the custody anomalies (received before shipped), every event still listed', () => {
    const c = buildTestChain();
    const [sealed, verified] = c.provider;
    const events = [sealed!, verified!, ...c.customerEvents];
    const report = verifyChain(events, trustFromServiceReport(events, { ok: true, problems: [] }), { driveId: c.driveId });
    const receipts = events.map((e, i) => ({ eventId: e.id, eventHash: 'ab'.repeat(32), receivedAt: e.at, leafIndex: i, serviceKeyId: 'k', signature: 's' }));
    const tl = toTimeline({ driveId: c.driveId, events, receipts, badReceipts: 0, serviceVerification: null }, report);
    expect(tl.anomalies.map((a) => [a.kind, a.eventId])).toEqual([
      ['received-before-shipped', c.customerEvents[0]!.id],
      ['opened-before-shipped', c.customerEvents[1]!.id],
    ]);
    expect(tl).toMatchObject({ chainOk: false, chainProblem: 'received-before-shipped' });
    expect(tl.events).toHaveLength(5);
    expect(tl.events.every((e) => e.signatureOk)).toBe(true);
  });

  it("gives a set member's timeline its set: every member's state and tracking number, for the Support workspace", () => {
    const set = buildTestSet();
    const trust = trustFromServiceReport([], null);
    const chains = set.chains.map((events, i) => ({ driveId: set.driveIds[i]!, events, report: verifyChain(events, trust, { driveId: set.driveIds[i]! }) }));
    const view = buildSetView(set.setId, chains.slice(0, 2))!;
    const d = { driveId: set.driveIds[1]!, events: set.chains[1]!, receipts: [], badReceipts: 0, serviceVerification: null };
    const tl = toTimeline(d, chains[1]!.report, [view]);
    expect(custodyTimelineSchema.parse(tl)).toEqual(tl);
    expect(tl.set).toMatchObject({ setId: set.setId, position: 2, members: 3, ok: false });
    expect(tl.set!.memberViews.map((m) => [m.position, m.driveId, m.state, m.trackingNumber, m.chain])).toEqual([
      [1, 'M1A2B3C4', 'shipped', '1Z999AA10123456784', 'ok'],
      [2, 'M2A2B3C4', 'shipped', '1Z999AA10123456795', 'ok'],
      [3, 'M3A2B3C4', null, null, null],
    ]);
    // a drive sealed alone has no set, whatever sets the lookup answered
    const c = buildTestChain();
    expect(toTimeline({ driveId: c.driveId, events: c.all, receipts: [], badReceipts: 0, serviceVerification: null }, verifyChain(c.all, trust), [view]).set).toBeNull();
  });
});
