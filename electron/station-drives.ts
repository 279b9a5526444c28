/**
 * The technicians' dashboard, main side: the drives this station sealed (every drive with a
 * `sealed` event in the local custody journal), each with its status from the journal merged
 * with the custody service's lookup when it answers, the actions that fit, the outbox's size,
 * and the folder of the drive when it is attached here. Holds no secret and returns none.
 */
import { driveActions, driveStatus, matchesDriveQuery, mergeSteps, type StatusStep } from '../shared/custody/drive-status.js';
import type { EventType } from '../shared/custody/event-data.js';
import type { CustodyStore } from '../shared/custody/journal.js';
import { isScelleError } from '../shared/errors/scelle-error.js';
import type { CustodyTimelineDto, ResponseOf } from '../shared/ipc/index.js';
import type { SetContinuationInfo } from '../shared/engine/seal/set-continuation.js';
import type { InterruptedSeal } from './interrupted-seals.js';
import type { LookupKind } from './ports.js';

/** At most this many drives are looked up on the service per listing (newest first); older ones show their journal status. */
export const MAX_REMOTE_LOOKUPS = 50;

/** What the listing needs. */
export interface StationDrivesDeps {
  /** The station's custody journal. */
  journal(): Promise<CustodyStore>;
  /** The service's lookup (throws E_CUSTODY_OFFLINE / E_CUSTODY_SYNC when it cannot answer). */
  lookup(kind: LookupKind, value: string): Promise<CustodyTimelineDto[]>;
  /** Sealed folders on the attached drives, by drive id (already granted to the renderer). */
  attachedFolders(): Promise<Map<string, string>>;
  /** Interrupted seals on the attached drives (interrupted-seals.ts); listed whatever the query. */
  interrupted?(): Promise<InterruptedSeal[]>;
  /** Set seals this station stopped at the question for the next drive (its records; set-continuation.ts); listed whatever the query. */
  stoppedSets?(): Promise<SetContinuationInfo[]>;
}

const fromTimeline = (t: CustodyTimelineDto): StatusStep[] =>
  t.events.map((e) => ({ id: e.id, seq: e.seq, type: e.type as EventType, at: e.at, author: { kind: e.author.kind }, data: e.data }));

/**
 * Lists the station's drives, newest seal first, keeping those matching `query` (drive id,
 * order reference or tracking number; see matchesDriveQuery). The service is asked about the
 * matching drives one by one (at most MAX_REMOTE_LOOKUPS); the first failure stops the asking
 * and the answer says `source: 'local'` with the failure's code. Errors: E_CUSTODY_JOURNAL when
 * the journal cannot be opened; other lookup errors than ScelleErrors are rethrown.
 */
export async function listStationDrives(deps: StationDrivesDeps, query = ''): Promise<ResponseOf<'custody.stationDrives'>> {
  const journal = await deps.journal();
  const sealedIds = [
    ...new Set(
      journal
        .events()
        .filter((e) => e.type === 'sealed')
        .map((e) => e.driveId),
    ),
  ];
  const pending = journal.pending();
  const local = new Map(sealedIds.map((id) => [id, journal.eventsForDrive(id) as StatusStep[]]));
  const byNewest = (a: string, b: string): number => (driveStatus(b, local.get(b)!).sealedAt ?? '').localeCompare(driveStatus(a, local.get(a)!).sealedAt ?? '');
  const matching = sealedIds.filter((id) => matchesDriveQuery(driveStatus(id, local.get(id)!), query)).sort(byNewest);

  const remote = new Map<string, StatusStep[]>();
  let offlineCode: string | null = null;
  for (const id of matching.slice(0, MAX_REMOTE_LOOKUPS)) {
    try {
      const timelines = await deps.lookup('drive', id);
      remote.set(id, timelines.filter((t) => t.driveId === id).flatMap(fromTimeline));
    } catch (e) {
      if (!isScelleError(e)) throw e;
      offlineCode = e.code;
      break;
    }
  }
  const attached = await deps.attachedFolders();
  const drives = matching.map((id) => {
    const status = driveStatus(id, mergeSteps(local.get(id)!, remote.get(id) ?? []));
    return { ...status, actions: driveActions(status), pendingEvents: pending.filter((e) => e.driveId === id).length, driveDir: attached.get(id) ?? null };
  });
  const interrupted = (await deps.interrupted?.()) ?? [];
  const stoppedSets = (await deps.stoppedSets?.()) ?? [];
  return { drives, total: sealedIds.length, pending: pending.length, source: offlineCode === null && remote.size > 0 ? 'service' : 'local', offlineCode, interrupted, stoppedSets };
}
