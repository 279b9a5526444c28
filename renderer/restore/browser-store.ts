/**
 * The Client workspace's restore browser, as a zustand store with no React in it (tested in
 * plain Node): a drive's folders loaded lazily, one page at a time (`engine.browse`), a name
 * search (`engine.search`, debounced, newest answer wins), and the choice of what to restore.
 *
 * The choice is a minimal set of chosen paths: '' (everything), folders (everything below
 * them) and files; nothing chosen lies inside a chosen folder (it is implied). Unchoosing
 * something implied by a chosen folder replaces that folder with its other children, down to
 * the unchosen item (loading those folders' children as needed); choosing every child of a
 * fully loaded folder chooses the folder instead. Counts and sizes come from folder totals and
 * file sizes, never from listing what lies below a folder. `engine.open` receives the chosen
 * paths, or none for everything.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { MAX_OPEN_PATHS, type DriveTotalsDto, type IndexEntryDto } from '../../shared/ipc/index.js';
import { asUiError, type UiError } from '../bridge.js';

/** Entries asked per page when the user expands a folder or scrolls to its end. */
export const PAGE = 500;
/** Entries asked per page when a folder must be loaded whole (to unchoose inside it). */
export const FULL_PAGE = 1000;
/** Most search results asked for. */
export const SEARCH_LIMIT = 500;
/** Quiet time after the last keystroke before searching. */
export const SEARCH_DELAY_MS = 300;

/** What the store needs from the main side (window.scelle, unwrapped). */
export interface BrowserDeps {
  browse(req: { sessionId: string; folder: string; start: number; limit: number }): Promise<{ entries: IndexEntryDto[]; more: boolean; totals: DriveTotalsDto }>;
  search(req: { sessionId: string; query: string; limit: number }): Promise<{ entries: IndexEntryDto[]; more: boolean }>;
  /** Debounce of the search (default SEARCH_DELAY_MS). */
  searchDelayMs?: number;
}

/** The loaded children of one folder. */
export interface FolderPage {
  entries: IndexEntryDto[];
  /** More children exist after those loaded. */
  more: boolean;
  loading: boolean;
}

/** What a chosen path counts: entries (itself included), files and bytes. */
export interface ChosenItem {
  entries: number;
  files: number;
  bytes: number;
}

/** The search box and its answer. */
export interface SearchState {
  query: string;
  /** The query the results answer ('' before any). */
  answered: string;
  entries: IndexEntryDto[];
  more: boolean;
  loading: boolean;
  error: UiError | null;
}

/** How an entry stands in the choice. */
export type Choice = 'chosen' | 'implied' | 'mixed' | 'none';

/** The store's state and actions. */
export interface BrowserState {
  sessionId: string | null;
  /** The drive's totals (known after the first page). */
  totals: DriveTotalsDto | null;
  /** Loaded children, by folder path ('' = the top level). */
  folders: Record<string, FolderPage>;
  /** Folders shown open. */
  expanded: Record<string, true>;
  /** The minimal chosen paths ('' = everything). */
  chosen: Record<string, ChosenItem>;
  /** An unchoice is loading the folders it needs. */
  busy: boolean;
  /** The choice would name more paths than a restore takes. */
  tooMany: boolean;
  error: UiError | null;
  search: SearchState;

  /** Starts browsing a freshly unlocked drive: everything chosen, the top level loaded. */
  start(sessionId: string): Promise<void>;
  /** Forgets everything (drive locked or erased). */
  reset(): void;
  /** Opens or closes a folder (loading its first page when needed). */
  toggleExpand(folder: string): Promise<void>;
  /** Loads the next page of a folder. */
  loadMore(folder: string): Promise<void>;
  /** Sets the search box; the search runs after a quiet time. */
  setQuery(query: string): void;
  /** Chooses or unchooses an entry (a tree row or a search result). */
  toggle(entry: IndexEntryDto): Promise<void>;
  /** Chooses everything, or nothing. */
  setAll(on: boolean): void;
}

/** The folder holding `path` ('' for the top level). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last component of `path`. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` lies below folder `folder` ('' holds everything). */
export function isBelow(path: string, folder: string): boolean {
  return folder === '' ? path !== '' : path.startsWith(`${folder}/`);
}

/** What choosing `e` counts. */
export function itemOf(e: IndexEntryDto): ChosenItem {
  if (e.type === 'directory') return { entries: (e.entries ?? 0) + 1, files: e.files ?? 0, bytes: e.bytes ?? 0 };
  return e.type === 'file' ? { entries: 1, files: 1, bytes: e.size } : { entries: 1, files: 0, bytes: 0 };
}

const mixedCache = new WeakMap<Record<string, ChosenItem>, Set<string>>();

/** The folders holding a chosen path (shown "mixed" unless chosen themselves). */
function foldersAbove(chosen: Record<string, ChosenItem>): Set<string> {
  let set = mixedCache.get(chosen);
  if (set) return set;
  set = new Set();
  for (const p of Object.keys(chosen)) {
    if (p === '') continue;
    for (let f = parentOf(p); ; f = parentOf(f)) {
      if (set.has(f)) break;
      set.add(f);
      if (f === '') break;
    }
  }
  mixedCache.set(chosen, set);
  return set;
}

/** The chosen path that `path` is, or lies below; null when none. */
export function chosenAncestor(chosen: Record<string, ChosenItem>, path: string): string | null {
  if (path in chosen) return path;
  for (let f = parentOf(path); ; f = parentOf(f)) {
    if (f in chosen) return f;
    if (f === '') return null;
  }
}

/** How `path` ('' = the whole drive) stands in the choice. */
export function choiceOf(s: Pick<BrowserState, 'chosen'>, path: string): Choice {
  const a = chosenAncestor(s.chosen, path);
  if (a === path) return 'chosen';
  if (a !== null) return 'implied';
  return foldersAbove(s.chosen).has(path) ? 'mixed' : 'none';
}

/** What is chosen: files, bytes and entries; `all` when it is everything. */
export function summaryOf(s: Pick<BrowserState, 'chosen' | 'totals'>): { files: number; bytes: number; entries: number; all: boolean; paths: number } {
  if ('' in s.chosen) return { files: s.totals?.files ?? 0, bytes: s.totals?.bytes ?? 0, entries: s.totals?.entries ?? 0, all: true, paths: 0 };
  let files = 0,
    bytes = 0,
    entries = 0,
    paths = 0;
  for (const item of Object.values(s.chosen)) {
    files += item.files;
    bytes += item.bytes;
    entries += item.entries;
    paths++;
  }
  return { files, bytes, entries, all: false, paths };
}

/** What `engine.open` receives: no paths for everything, else the chosen paths in a stable order. */
export function openRequestOf(s: Pick<BrowserState, 'chosen'>): { paths?: string[] } {
  if ('' in s.chosen) return {};
  return { paths: Object.keys(s.chosen).sort() };
}

/** True unless everything is chosen (the custody `opened` event's `partial`). */
export function isPartial(s: Pick<BrowserState, 'chosen'>): boolean {
  return !('' in s.chosen);
}

/** One row of the folder tree. */
export type TreeRow = { kind: 'entry'; entry: IndexEntryDto; depth: number; pos: number; size: number } | { kind: 'more' | 'loading' | 'empty'; folder: string; depth: number };

/** The rows of the tree as shown: each open folder's loaded children below it. */
export function treeRowsOf(s: Pick<BrowserState, 'folders' | 'expanded'>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (folder: string, depth: number) => {
    const page = s.folders[folder];
    if (!page) return;
    const size = page.more ? -1 : page.entries.length;
    page.entries.forEach((entry, i) => {
      rows.push({ kind: 'entry', entry, depth, pos: i + 1, size });
      if (entry.type === 'directory' && s.expanded[entry.path]) walk(entry.path, depth + 1);
    });
    if (page.loading) rows.push({ kind: 'loading', folder, depth });
    else if (page.more) rows.push({ kind: 'more', folder, depth });
    else if (page.entries.length === 0 && folder !== '') rows.push({ kind: 'empty', folder, depth });
  };
  walk('', 0);
  return rows;
}

class TooMany extends Error {}
class Stale extends Error {}

const emptySearch = (): SearchState => ({ query: '', answered: '', entries: [], more: false, loading: false, error: null });

/** Creates a restore browser over `deps`. */
export function createBrowserStore(deps: BrowserDeps): StoreApi<BrowserState> {
  /** Bumped when the drive changes: answers for an older drive are dropped. */
  let generation = 0;
  let searchSeq = 0;
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  const inflight = new Map<string, Promise<void>>();
  const delay = deps.searchDelayMs ?? SEARCH_DELAY_MS;

  return createStore<BrowserState>()((set, get) => {
    const session = (): string => {
      const id = get().sessionId;
      if (!id) throw new Stale();
      return id;
    };

    const patchFolder = (folder: string, patch: Partial<FolderPage>) =>
      set((s) => ({
        folders: { ...s.folders, [folder]: { entries: [], more: true, loading: false, ...s.folders[folder], ...patch } },
      }));

    /** Loads the next page of `folder` (one request at a time per folder). */
    const loadPage = (folder: string, limit: number): Promise<void> => {
      const running = inflight.get(folder);
      if (running) return running;
      const gen = generation;
      const p = (async () => {
        const before = get().folders[folder];
        if (before && !before.more) return;
        patchFolder(folder, { loading: true });
        try {
          const page = await deps.browse({ sessionId: session(), folder, start: before?.entries.length ?? 0, limit });
          if (gen !== generation) throw new Stale();
          const now = get().folders[folder];
          patchFolder(folder, { entries: [...(now?.entries ?? []), ...page.entries], more: page.more, loading: false });
          set({ totals: page.totals });
        } catch (e) {
          if (gen === generation) patchFolder(folder, { loading: false });
          throw e;
        }
      })().finally(() => {
        if (inflight.get(folder) === p) inflight.delete(folder);
      });
      inflight.set(folder, p);
      return p;
    };

    /** Loads every child of `folder`; TooMany past `max` children. */
    const loadAll = async (folder: string, max: number) => {
      for (;;) {
        const page = get().folders[folder];
        if (page && !page.more) return;
        if (page && page.entries.length > max) throw new TooMany();
        await loadPage(folder, FULL_PAGE);
      }
    };

    /** Runs `f`, turning errors into the store's error (stale answers are dropped). */
    const guard = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        if (e instanceof Stale) return;
        if (e instanceof TooMany) {
          set({ tooMany: true });
          return;
        }
        set({ error: asUiError(e) });
      }
    };

    /** Replaces fully chosen folders by the folder itself, from `folder` upwards. */
    const collapse = (chosen: Record<string, ChosenItem>, folder: string): Record<string, ChosenItem> => {
      let out = chosen;
      for (let f = folder; ; f = parentOf(f)) {
        const page = get().folders[f];
        if (!page || page.more || page.loading || page.entries.length === 0) return out;
        if (!page.entries.every((e) => e.path in out)) return out;
        const next = { ...out };
        const item: ChosenItem = { entries: f === '' ? 0 : 1, files: 0, bytes: 0 };
        for (const e of page.entries) {
          const c = next[e.path]!;
          item.entries += c.entries;
          item.files += c.files;
          item.bytes += c.bytes;
          delete next[e.path];
        }
        next[f] = item;
        out = next;
        if (f === '') return out;
      }
    };

    const choose = (e: IndexEntryDto) => {
      const next: Record<string, ChosenItem> = {};
      for (const [p, item] of Object.entries(get().chosen)) if (!isBelow(p, e.path)) next[p] = item;
      next[e.path] = itemOf(e);
      set({ chosen: collapse(next, parentOf(e.path)), tooMany: false });
    };

    /** Unchooses `path`, implied by the chosen folder `above`: that folder becomes its other children, down to `path`. */
    const exclude = async (path: string, above: string) => {
      const chain: string[] = [];
      for (let f = parentOf(path); ; f = parentOf(f)) {
        chain.unshift(f);
        if (f === above) break;
      }
      set({ busy: true, tooMany: false, error: null });
      try {
        for (const f of chain) await loadAll(f, MAX_OPEN_PATHS);
        const s = get();
        if (!(above in s.chosen)) return;
        const next = { ...s.chosen };
        delete next[above];
        chain.forEach((f, i) => {
          const keep = chain[i + 1] ?? path;
          for (const child of s.folders[f]!.entries) if (child.path !== keep) next[child.path] = itemOf(child);
        });
        if (Object.keys(next).length > MAX_OPEN_PATHS) throw new TooMany();
        set({ chosen: next });
      } finally {
        set({ busy: false });
      }
    };

    const runSearch = async (query: string) => {
      const seq = ++searchSeq;
      const gen = generation;
      try {
        const r = await deps.search({ sessionId: session(), query, limit: SEARCH_LIMIT });
        if (seq !== searchSeq || gen !== generation) return;
        set((s) => ({ search: { ...s.search, answered: query, entries: r.entries, more: r.more, loading: false, error: null } }));
      } catch (e) {
        if (seq !== searchSeq || gen !== generation || e instanceof Stale) return;
        const err = asUiError(e);
        if (err.code === 'E_CANCELLED') return;
        set((s) => ({ search: { ...s.search, loading: false, error: err } }));
      }
    };

    const clearSearchTimer = () => {
      if (searchTimer !== null) clearTimeout(searchTimer);
      searchTimer = null;
    };

    return {
      sessionId: null,
      totals: null,
      folders: {},
      expanded: {},
      chosen: {},
      busy: false,
      tooMany: false,
      error: null,
      search: emptySearch(),

      start: async (sessionId) => {
        get().reset();
        set({ sessionId, chosen: { '': { entries: 0, files: 0, bytes: 0 } } });
        await guard(() => loadPage('', PAGE));
      },

      reset: () => {
        generation++;
        searchSeq++;
        clearSearchTimer();
        inflight.clear();
        set({ sessionId: null, totals: null, folders: {}, expanded: {}, chosen: {}, busy: false, tooMany: false, error: null, search: emptySearch() });
      },

      toggleExpand: async (folder) => {
        if (get().expanded[folder]) {
          set((s) => {
            const expanded = { ...s.expanded };
            delete expanded[folder];
            return { expanded };
          });
          return;
        }
        set((s) => ({ expanded: { ...s.expanded, [folder]: true }, error: null }));
        if (!get().folders[folder]) await guard(() => loadPage(folder, PAGE));
      },

      loadMore: (folder) => guard(() => loadPage(folder, PAGE)),

      setQuery: (query) => {
        clearSearchTimer();
        const q = query.trim().slice(0, 200);
        if (q === '') {
          searchSeq++;
          set({ search: { ...emptySearch(), query } });
          return;
        }
        set((s) => ({ search: { ...s.search, query, loading: true, error: null } }));
        searchTimer = setTimeout(() => {
          searchTimer = null;
          void runSearch(q);
        }, delay);
      },

      toggle: async (entry) => {
        if (get().busy) return;
        const s = get();
        const above = chosenAncestor(s.chosen, entry.path);
        if (above === entry.path) {
          const next = { ...s.chosen };
          delete next[entry.path];
          set({ chosen: next, tooMany: false });
        } else if (above !== null) {
          await guard(() => exclude(entry.path, above));
        } else {
          choose(entry);
        }
      },

      setAll: (on) => {
        if (get().busy) return;
        set({ chosen: on ? { '': { entries: 0, files: 0, bytes: 0 } } : {}, tooMany: false });
      },
    };
  });
}
