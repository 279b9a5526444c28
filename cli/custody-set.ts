/**
 * The sealed set of a drive in `scelle custody show|verify` (docs/CUSTODY.md §3.1): which set and
 * position the drive is, and every member's state, shipment, chain status and anomalies, from
 * the custody service's copy of the members when it answers (merged with this journal), else
 * from this machine's journal alone. Each member's chain is verified here (verifyChain), the view
 * built by shared/custody/set-view.ts.
 */
import { verifyChain, type ChainTrust } from '../shared/custody/chain-verify.js';
import type { SealedSet } from '../shared/custody/event-data.js';
import type { SignedEvent } from '../shared/custody/event.js';
import type { CustodyStore } from '../shared/custody/journal.js';
import { buildSetView, type SetMemberChain, type SetView } from '../shared/custody/set-view.js';
import type { RemoteDrive } from '../shared/custody/sync-client.js';
import { isScelleError } from '../shared/errors/scelle-error.js';
import { fmtBytes } from './messages.js';
import { eventTypeLabel } from './custody.js';
import type { Output } from './output.js';
import { t, type TextKey } from './text.js';
import { counted } from './plurals.js';

/** A set view and where its members' events came from. */
export interface SetViewResult extends SetView {
  /** `service`: the service's copy merged with this journal; `local`: this journal only */
  source: 'service' | 'local';
}

/**
 * The view of the set `set` names (the drive's own authentic sealed event), from `lookupSet`
 * (the service's members; null when no service is configured) merged with `store`, else from
 * `store` alone when the service is not configured, unreachable or refuses. `ownChain` is the
 * drive's own events as already merged. Never throws for the service; E_CUSTODY_JOURNAL only.
 */
export async function setViewOf(
  set: SealedSet,
  ownDriveId: string,
  ownChain: readonly SignedEvent[],
  store: CustodyStore,
  trust: ChainTrust,
  lookupSet: ((setId: string) => Promise<{ drives: RemoteDrive[] }>) | null,
): Promise<SetViewResult | null> {
  let remote: RemoteDrive[] | null = null;
  if (lookupSet) {
    try {
      remote = (await lookupSet(set.id)).drives;
    } catch (e) {
      if (!isScelleError(e)) throw e;
    }
  }
  const ids = [...new Set([...set.driveIds, ...(remote ?? []).map((d) => d.driveId)])];
  const chains: SetMemberChain[] = ids.map((driveId) => {
    const r = remote?.find((d) => d.driveId === driveId);
    const trustedTimes = new Map<string, string>();
    for (const x of r?.receipts ?? []) trustedTimes.set(x.eventId, x.receivedAt);
    const local = driveId === ownDriveId ? ownChain : store.eventsForDrive(driveId);
    for (const e of local) {
      const receipt = store.receiptFor(e.id);
      if (receipt) trustedTimes.set(e.id, receipt.receivedAt);
    }
    const fromService = new Set((r?.events ?? []).map((e) => e.id));
    const events = [...(r?.events ?? []), ...local.filter((e) => !fromService.has(e.id))];
    return { driveId, events, report: verifyChain(events, trust, { driveId, trustedTimes, checkOrder: false }) };
  });
  const view = buildSetView(set.id, chains);
  return view ? { ...view, source: remote ? 'service' : 'local' } : null;
}

/** Prints which set and position the drive is, then one line per member. */
export function printSetView(out: Output, set: SealedSet, view: SetViewResult | null): void {
  out.info(t(out.lang, 'setMemberOf', set.position, set.members, set.id));
  if (!view) return;
  out.info(t(out.lang, view.source === 'service' ? 'setViewService' : 'setViewLocal', view.setId));
  for (const m of view.memberViews) {
    const state = m.state === null ? t(out.lang, 'setMemberUnknown') : eventTypeLabel(out.lang, m.state);
    const parts = [state];
    if (m.openIncident) parts.push(t(out.lang, 'setIncident', incidentKind(out, m.openIncident.kind)));
    if (m.shipment) parts.push(t(out.lang, 'setTracking', m.shipment.trackingNumber, m.shipment.carrier));
    if (m.holds) parts.push(`${counted(out.lang, 'parts', m.holds.parts)}, ${fmtBytes(m.holds.tarBytes, out.lang)}`);
    if (m.chain && m.chain !== 'ok') parts.push(t(out.lang, m.chain === 'warning' ? 'statusWarning' : 'statusInvalid'));
    if (m.anomalies.length > 0) parts.push(m.anomalies.join(', '));
    out.info(t(out.lang, 'setMemberLine', m.position, m.driveId, parts.join(' · ')));
  }
  for (const p of view.problems) out.info(`  - ${t(out.lang, `sp_${p.code.replaceAll('-', '_')}` as TextKey, p.driveId)}`);
}

function incidentKind(out: Output, kind: string): string {
  return ['lost', 'damaged', 'returned', 'other'].includes(kind) ? t(out.lang, `incidentKind_${kind}` as TextKey) : kind;
}
