import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../../shared/ipc/index.js';
import { useDashboard, type StationDrives } from './dashboard-store.js';

const listing = (driveIds: string[], pending = 0): StationDrives => ({
  drives: driveIds.map((driveId) => ({
    driveId,
    state: 'sealed',
    sealedAt: null,
    lastEventAt: null,
    shipment: null,
    verification: null,
    openIncident: null,
    orderRefs: [],
    trackingNumbers: [],
    actions: ['verify', 'record-shipment', 'report-incident'],
    pendingEvents: 0,
    driveDir: null,
  })),
  total: driveIds.length,
  pending,
  source: 'service',
  offlineCode: null,
  interrupted: [],
  stoppedSets: [],
});
const ok = <T>(value: T): IpcResult<T> => ({ ok: true, value });

/** A fake window.scelle whose answers the test releases. */
let answers: Array<{ query: string | undefined; resolve: (r: IpcResult<StationDrives>) => void }>;
let syncAnswer: IpcResult<{ pushed: number; pending: number }>;
beforeEach(() => {
  answers = [];
  syncAnswer = ok({ pushed: 2, pending: 0 });
  (globalThis as { window?: unknown }).window = {
    scelle: {
      custody: {
        stationDrives: (req: { query?: string }) => new Promise((resolve) => answers.push({ query: req.query, resolve })),
        sync: async () => syncAnswer,
      },
    },
  };
  useDashboard.setState({ query: '', listing: null, loading: false, syncing: false, synced: null, error: null, syncError: null });
});
afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe('the dashboard store', () => {
  it('sends the trimmed query, and never lets an older answer replace a newer search', async () => {
    useDashboard.getState().setQuery(' ');
    const first = useDashboard.getState().load();
    useDashboard.getState().setQuery(' 1z999 ');
    const second = useDashboard.getState().load();
    expect(answers.map((a) => a.query)).toEqual([undefined, '1z999']);
    answers[1]!.resolve(ok(listing(['NEW'])));
    await second;
    answers[0]!.resolve(ok(listing(['OLD-1', 'OLD-2'])));
    await first;
    expect(useDashboard.getState().listing?.drives.map((d) => d.driveId)).toEqual(['NEW']);
    expect(useDashboard.getState().loading).toBe(false);
  });

  it('keeps a failed sync’s error while the listing reloads, and shows what a sync sent', async () => {
    syncAnswer = { ok: false, error: { code: 'E_CUSTODY_OFFLINE', message: 'offline', details: {} } };
    const syncing = useDashboard.getState().sync();
    await new Promise((r) => setTimeout(r, 0));
    answers[0]!.resolve(ok(listing(['A'], 1)));
    await syncing;
    expect(useDashboard.getState()).toMatchObject({ syncing: false, synced: null, error: null, listing: { pending: 1 } });
    expect(useDashboard.getState().syncError?.code).toBe('E_CUSTODY_OFFLINE');

    syncAnswer = ok({ pushed: 1, pending: 0 });
    const again = useDashboard.getState().sync();
    await new Promise((r) => setTimeout(r, 0));
    answers[1]!.resolve(ok(listing(['A'], 0)));
    await again;
    expect(useDashboard.getState()).toMatchObject({ syncError: null, synced: { pushed: 1, pending: 0 }, listing: { pending: 0 } });
  });
});
