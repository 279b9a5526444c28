/**
 * The technicians' dashboard state (zustand): the station's drives as `custody.stationDrives`
 * answers them, the search, and the outbox's sync. Holds no secret (the answers carry none).
 */
import { create } from 'zustand';
import type { ResponseOf } from '../../../shared/ipc/index.js';
import { api, asUiError, unwrap, type UiError } from '../../bridge.js';

/** The dashboard listing as answered by the main side. */
export type StationDrives = ResponseOf<'custody.stationDrives'>;

/** The dashboard store's shape. */
export interface DashboardState {
  query: string;
  listing: StationDrives | null;
  loading: boolean;
  syncing: boolean;
  /** the last sync's result, until the next load */
  synced: { pushed: number; pending: number } | null;
  /** the last listing's failure */
  error: UiError | null;
  /** the last sync's failure (E_CUSTODY_OFFLINE: the events stay queued) */
  syncError: UiError | null;
  setQuery(q: string): void;
  /** Reloads the listing for the current query; a failure lands in `error`, never thrown. */
  load(): Promise<void>;
  /** Pushes the outbox, then reloads; E_CUSTODY_OFFLINE and other failures land in `syncError`. */
  sync(): Promise<void>;
}

let loadSeq = 0;

/** The dashboard store. */
export const useDashboard = create<DashboardState>((set, get) => ({
  query: '',
  listing: null,
  loading: false,
  syncing: false,
  synced: null,
  error: null,
  syncError: null,
  setQuery: (query) => set({ query }),
  load: async () => {
    const seq = ++loadSeq;
    set({ loading: true });
    try {
      const q = get().query.trim();
      const listing = await unwrap(api().custody.stationDrives(q ? { query: q } : {}));
      // An older answer never replaces a newer search's.
      if (seq === loadSeq) set({ listing, loading: false, error: null });
    } catch (e) {
      if (seq === loadSeq) set({ loading: false, error: asUiError(e) });
    }
  },
  sync: async () => {
    set({ syncing: true, syncError: null, synced: null });
    try {
      const r = await unwrap(api().custody.sync({}));
      set({ syncing: false, synced: r });
    } catch (e) {
      set({ syncing: false, syncError: asUiError(e) });
    }
    await get().load();
  },
}));
