/**
 * The Client workspace's workflow, as a zustand store with no React in it (tested in plain
 * Node): the drive picked and inspected, the unlocked session (locked again when another drive
 * is picked, when the drive is erased or when the workspace closes), the receipt confirmed as
 * the customer's `received` and `opened` custody events, and the erase.
 *
 * The unlock code is never stored here: `unlock` takes it as an argument, and the component
 * that reads it clears it. The media check and the restore are jobs (jobs.ts) the component
 * runs; their results are passed to `confirmReceipt`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DriveInfoDto, RequestOf, ResponseOf } from '../../../shared/ipc/index.js';
import { asUiError, type UiError } from '../../bridge.js';

/** What the flow needs from the main side (window.scelle, unwrapped: each call throws a UiError). */
export interface ClientFlowDeps {
  inspect(req: RequestOf<'engine.inspect'>): Promise<DriveInfoDto>;
  unlock(req: RequestOf<'engine.unlock'>): Promise<ResponseOf<'engine.unlock'>>;
  lock(req: RequestOf<'engine.lock'>): Promise<unknown>;
  record(req: RequestOf<'custody.record'>): Promise<ResponseOf<'custody.record'>>;
  eraseSealed(req: RequestOf<'drives.eraseSealed'>): Promise<ResponseOf<'drives.eraseSealed'>>;
}

/** What the customer restored, as the `opened` event records it. */
export interface RestoreSummary {
  files: number;
  bytes: number;
  /** The customer chose less than everything. */
  partial: boolean;
}

/** The flow's state and actions. */
export interface ClientFlowState {
  driveDir: string | null;
  /** The inspected drive (manifest, origin), or null before the inspection answers. */
  info: DriveInfoDto | null;
  sessionId: string | null;
  unlocking: boolean;
  /** The receipt was recorded: `synced` when both events reached the custody service. */
  confirmed: { synced: boolean } | null;
  /** The drive was erased: `checkFailed` when the engine's read-back found something left. */
  erased: { checkFailed: boolean } | null;
  /** The last failure of an action, or null. */
  error: UiError | null;
  /** Locks the open session (if any) and inspects `dir`; answers the drive's info, or null on failure (then `error` says why). */
  pick(dir: string): Promise<DriveInfoDto | null>;
  /**
   * Unlocks the picked drive with `code` (and `members`, the other members of its set attached,
   * unlocked with it); answers the session id, or null on failure (a wrong code sets `error`).
   */
  unlock(code: string, members?: readonly string[]): Promise<string | null>;
  /** Records `received` (media check) then `opened` (restore) signed with the session's key. Needs the unlocked drive. */
  confirmReceipt(media: { ok: boolean; problems: number }, restored: RestoreSummary): Promise<void>;
  /** Erases the picked drive, while unlocked so the customer's key signs the record, then locks the session. */
  erase(): Promise<void>;
  /** Locks the open session, if any, and forgets it (the workspace closes). */
  forget(): void;
  /** Clears `error`. */
  clearError(): void;
}

/** The store type. */
export type ClientFlowStore = StoreApi<ClientFlowState>;

/** Creates the Client workflow over `deps`; nothing is called until an action runs. */
export function createClientFlow(deps: ClientFlowDeps): ClientFlowStore {
  return createStore<ClientFlowState>((set, get) => {
    const lockQuietly = (sessionId: string | null) => {
      if (sessionId) void deps.lock({ sessionId }).catch(() => undefined);
    };
    return {
      driveDir: null,
      info: null,
      sessionId: null,
      unlocking: false,
      confirmed: null,
      erased: null,
      error: null,
      pick: async (dir) => {
        lockQuietly(get().sessionId);
        set({ driveDir: dir, info: null, sessionId: null, confirmed: null, erased: null, error: null });
        try {
          const info = await deps.inspect({ driveDir: dir });
          if (get().driveDir !== dir) return null;
          set({ info });
          return info;
        } catch (e) {
          if (get().driveDir === dir) set({ error: asUiError(e) });
          return null;
        }
      },
      unlock: async (code, members = []) => {
        const { driveDir } = get();
        if (!driveDir || get().unlocking) return null;
        set({ unlocking: true, error: null });
        try {
          const others = members.filter((m) => m !== driveDir);
          const { sessionId } = await deps.unlock({ driveDir, code, ...(others.length > 0 ? { members: others } : {}) });
          if (get().driveDir !== driveDir) {
            lockQuietly(sessionId);
            return null;
          }
          set({ sessionId });
          return sessionId;
        } catch (e) {
          set({ error: asUiError(e) });
          return null;
        } finally {
          set({ unlocking: false });
        }
      },
      confirmReceipt: async (media, restored) => {
        const { info, sessionId, confirmed } = get();
        if (!info || !sessionId || confirmed) return;
        set({ error: null });
        try {
          const received = await deps.record({ driveId: info.driveId, type: 'received', sessionId, data: { level: 'media', ok: media.ok, problems: media.problems } });
          const opened = await deps.record({
            driveId: info.driveId,
            type: 'opened',
            sessionId,
            data: { ok: true, filesRestored: restored.files, bytesRestored: restored.bytes, partial: restored.partial },
          });
          set({ confirmed: { synced: received.synced && opened.synced } });
        } catch (e) {
          set({ error: asUiError(e) });
        }
      },
      erase: async () => {
        const { driveDir, sessionId, erased } = get();
        if (!driveDir || erased) return;
        set({ error: null });
        try {
          const res = await deps.eraseSealed({ driveDir, ...(sessionId ? { sessionId } : {}) });
          set({ sessionId: null, erased: { checkFailed: res.verification === 'fail' } });
          if (sessionId) await deps.lock({ sessionId });
        } catch (e) {
          set({ error: asUiError(e) });
        }
      },
      forget: () => {
        lockQuietly(get().sessionId);
        set({ sessionId: null });
      },
      clearError: () => set({ error: null }),
    };
  });
}
