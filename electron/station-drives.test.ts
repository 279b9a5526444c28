import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyStore } from '../shared/custody/journal.js';
import { buildTestChain } from '../shared/custody/testing.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import type { CustodyTimelineDto } from '../shared/ipc/index.js';
import { invokeChannels } from '../shared/ipc/index.js';
import { listStationDrives, type StationDrivesDeps } from './station-drives.js';

/** Three drives of one station in its journal: A shipped, B sealed, C verified; the service knows A's whole life. */
const a = buildTestChain('DRIVE-A', new Date('2026-03-02T10:00:00Z'));
const b = buildTestChain('DRIVE-B', new Date('2026-03-03T10:00:00Z'));
const c = buildTestChain('DRIVE-C', new Date('2026-03-01T10:00:00Z'));

const timeline = (driveId: string, events: typeof a.all): CustodyTimelineDto => ({
  driveId,
  trackingNumbers: [],
  orderRefs: [],
  chainOk: true,
  chainProblem: null,
  anomalies: [],
  events: events.map((e) => ({
    id: e.id,
    seq: e.seq,
    type: e.type,
    at: e.at,
    receivedAt: null,
    author: { kind: e.author.kind, id: e.author.id },
    data: e.data,
    signatureOk: true,
  })),
});

let dir: string;
let store: CustodyStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-station-drives-'));
  store = await CustodyStore.open(dir);
  for (const e of [...a.provider.slice(0, 3), b.provider[0]!, c.provider[0]!, c.provider[1]!]) await store.append(e);
  // Nothing was pushed: all six events wait in the outbox.
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = (lookup: StationDrivesDeps['lookup'], attached = new Map<string, string>()): StationDrivesDeps => ({
  journal: async () => store,
  lookup,
  attachedFolders: async () => attached,
});

describe('the dashboard listing', () => {
  it('lists every drive the journal saw sealed, newest first, merged with the service, within the IPC contract', async () => {
    const asked: string[] = [];
    const r = await listStationDrives(
      deps(
        async (_kind, id) => {
          asked.push(id);
          return id === 'DRIVE-A' ? [timeline('DRIVE-A', a.all)] : [];
        },
        new Map([['DRIVE-B', '/media/x/SCELLE-DRIVE-B']]),
      ),
    );
    expect(invokeChannels['custody.stationDrives'].response.safeParse(r).success).toBe(true);
    expect(r.drives.map((d) => [d.driveId, d.state])).toEqual([
      ['DRIVE-B', 'sealed'],
      ['DRIVE-A', 'erased'],
      ['DRIVE-C', 'verified'],
    ]);
    expect(asked).toEqual(['DRIVE-B', 'DRIVE-A', 'DRIVE-C']);
    expect(r).toMatchObject({ total: 3, pending: 6, source: 'service', offlineCode: null });
    expect(r.drives[0]).toMatchObject({ actions: ['verify', 'record-shipment', 'report-incident'], pendingEvents: 1, driveDir: '/media/x/SCELLE-DRIVE-B' });
    expect(r.drives[1]).toMatchObject({ actions: [], pendingEvents: 3, driveDir: null, shipment: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } });
  });

  it('shows the journal alone when the service is offline, and says why', async () => {
    let calls = 0;
    const r = await listStationDrives(
      deps(async () => {
        calls++;
        throw new ScelleError('E_CUSTODY_OFFLINE', 'offline', {});
      }),
    );
    expect(calls).toBe(1);
    expect(r).toMatchObject({ source: 'local', offlineCode: 'E_CUSTODY_OFFLINE' });
    expect(r.drives.map((d) => [d.driveId, d.state])).toEqual([
      ['DRIVE-B', 'sealed'],
      ['DRIVE-A', 'shipped'],
      ['DRIVE-C', 'verified'],
    ]);
    expect(r.drives[1]!.actions).toEqual(['correct-shipment', 'reprint-slip', 'report-incident']);
  });

  it('keeps the drives whose id, order or tracking number match the query, and asks the service only about them', async () => {
    const asked: string[] = [];
    const r = await listStationDrives(
      deps(async (_k, id) => {
        asked.push(id);
        return [];
      }),
      '1z999aa1 0123456784',
    );
    expect(r.drives.map((d) => d.driveId)).toEqual(['DRIVE-A']);
    expect(asked).toEqual(['DRIVE-A']);
    expect(r.total).toBe(3);
    expect(
      (
        await listStationDrives(
          deps(async () => []),
          'drive-c',
        )
      ).drives.map((d) => d.driveId),
    ).toEqual(['DRIVE-C']);
  });

  it('does not hide an unexpected failure of the lookup', async () => {
    await expect(
      listStationDrives(
        deps(async () => {
          throw new TypeError('bug');
        }),
      ),
    ).rejects.toThrow(TypeError);
  });
});
