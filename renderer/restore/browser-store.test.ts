import { describe, expect, it } from 'vitest';
import type { IndexEntryDto } from '../../shared/ipc/index.js';
import { MAX_OPEN_PATHS } from '../../shared/ipc/index.js';
import { UiError } from '../bridge.js';
import { choiceOf, createBrowserStore, isPartial, openRequestOf, summaryOf, treeRowsOf, type BrowserDeps } from './browser-store.js';

/**
 * A drive in memory, answering as engine.browse / engine.search do:
 *   A/a1.txt (10), A/a2.txt (20), A/B/b1.txt b2.txt b3.txt (5 each), Big/f0000..f1199 (1 each),
 *   C.txt (7), L (a link).
 */
function fakeDrive(extra: Record<string, number> = {}) {
  const files: Record<string, number> = { 'A/a1.txt': 10, 'A/a2.txt': 20, 'A/B/b1.txt': 5, 'A/B/b2.txt': 5, 'A/B/b3.txt': 5, 'C.txt': 7, ...extra };
  for (let i = 0; i < 1200; i++) files[`Big/f${String(i).padStart(4, '0')}`] = 1;
  const links = ['L'];
  const dirs = new Set<string>();
  for (const p of [...Object.keys(files), ...links]) for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  const all = [...Object.keys(files), ...links, ...dirs].sort();
  const entryOf = (path: string): IndexEntryDto => {
    if (path in files) return { path, type: 'file', size: files[path]!, mtime: 0 };
    if (links.includes(path)) return { path, type: 'symlink', size: 0, mtime: 0 };
    const below = all.filter((p) => p.startsWith(`${path}/`));
    const fs = below.filter((p) => p in files);
    return { path, type: 'directory', size: 0, mtime: 0, entries: below.length, files: fs.length, bytes: fs.reduce((a, p) => a + files[p]!, 0) };
  };
  const parent = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  const fileTotal = Object.values(files).reduce((a, b) => a + b, 0);
  const totals = { entries: all.length, files: Object.keys(files).length, bytes: fileTotal };
  const calls = { browse: [] as { folder: string; start: number; limit: number }[], search: [] as string[] };
  const deps: BrowserDeps = {
    searchDelayMs: 5,
    browse: async ({ folder, start, limit }) => {
      calls.browse.push({ folder, start, limit });
      if (folder !== '' && !dirs.has(folder)) throw new UiError('E_RESTORE_NOT_IN_INDEX', 'not a folder', { path: folder });
      const children = all.filter((p) => parent(p) === folder).map(entryOf);
      return { entries: children.slice(start, start + limit), more: start + limit < children.length, totals };
    },
    search: async ({ query, limit }) => {
      calls.search.push(query);
      const hits = all
        .filter((p) =>
          p
            .slice(p.lastIndexOf('/') + 1)
            .toLowerCase()
            .includes(query.toLowerCase()),
        )
        .map(entryOf);
      return { entries: hits.slice(0, limit), more: hits.length > limit };
    },
  };
  return { deps, calls, totals, entryOf };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('restore browser: folders', () => {
  it('starts with everything chosen and the top level loaded', async () => {
    const { deps, totals } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    const s = store.getState();
    expect(s.totals).toEqual(totals);
    expect(s.folders['']!.entries.map((e) => e.path)).toEqual(['A', 'Big', 'C.txt', 'L']);
    expect(summaryOf(s)).toMatchObject({ all: true, files: totals.files, bytes: totals.bytes });
    expect(openRequestOf(s)).toEqual({});
    expect(isPartial(s)).toBe(false);
    expect(choiceOf(s, '')).toBe('chosen');
    expect(choiceOf(s, 'A')).toBe('implied');
    expect(treeRowsOf(s).map((r) => (r.kind === 'entry' ? `${r.depth}:${r.entry.path}` : r.kind))).toEqual(['0:A', '0:Big', '0:C.txt', '0:L']);
  });

  it('expands folders lazily, pages them, and closes them without loading again', async () => {
    const { deps, calls } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    await store.getState().toggleExpand('A');
    await store.getState().toggleExpand('A/B');
    const rows = treeRowsOf(store.getState());
    expect(rows.map((r) => (r.kind === 'entry' ? `${r.depth}:${r.entry.path}` : r.kind))).toEqual([
      '0:A',
      '1:A/B',
      '2:A/B/b1.txt',
      '2:A/B/b2.txt',
      '2:A/B/b3.txt',
      '1:A/a1.txt',
      '1:A/a2.txt',
      '0:Big',
      '0:C.txt',
      '0:L',
    ]);
    expect(rows[1]).toMatchObject({ pos: 1, size: 3 });
    expect(rows[1]!.kind === 'entry' && rows[1]!.entry).toMatchObject({ entries: 3, files: 3, bytes: 15 });

    await store.getState().toggleExpand('Big');
    let big = treeRowsOf(store.getState()).filter((r) => r.kind !== 'entry' || r.entry.path.startsWith('Big/'));
    expect(big).toHaveLength(501);
    expect(big.at(-1)).toEqual({ kind: 'more', folder: 'Big', depth: 1 });
    expect(big[0]).toMatchObject({ size: -1 });
    // Two requests for the same page become one.
    await Promise.all([store.getState().loadMore('Big'), store.getState().loadMore('Big')]);
    await store.getState().loadMore('Big');
    big = treeRowsOf(store.getState()).filter((r) => r.kind !== 'entry' || r.entry.path.startsWith('Big/'));
    expect(big).toHaveLength(1200);
    expect(calls.browse.filter((c) => c.folder === 'Big').map((c) => c.start)).toEqual([0, 500, 1000]);

    const before = calls.browse.length;
    await store.getState().toggleExpand('A');
    expect(treeRowsOf(store.getState()).some((r) => r.kind === 'entry' && r.entry.path === 'A/a1.txt')).toBe(false);
    await store.getState().toggleExpand('A');
    expect(treeRowsOf(store.getState()).some((r) => r.kind === 'entry' && r.entry.path === 'A/a1.txt')).toBe(true);
    expect(calls.browse.length).toBe(before);
  });

  it('keeps an error to show and recovers on the next expansion', async () => {
    const { deps } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    await store.getState().toggleExpand('Nope');
    expect(store.getState().error).toMatchObject({ code: 'E_RESTORE_NOT_IN_INDEX' });
    await store.getState().toggleExpand('A');
    expect(store.getState().error).toBeNull();
  });
});

describe('restore browser: the choice', () => {
  it('unchooses inside everything by choosing the rest, and collapses back when all is chosen again', async () => {
    const { deps, totals, entryOf } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    await store.getState().toggleExpand('A');
    await store.getState().toggle(entryOf('A/a1.txt'));
    let s = store.getState();
    expect(openRequestOf(s)).toEqual({ paths: ['A/B', 'A/a2.txt', 'Big', 'C.txt', 'L'] });
    expect(summaryOf(s)).toMatchObject({ all: false, files: totals.files - 1, bytes: totals.bytes - 10, entries: totals.entries - 2 }); // a1.txt, and A's own entry
    expect(isPartial(s)).toBe(true);
    expect(choiceOf(s, '')).toBe('mixed');
    expect(choiceOf(s, 'A')).toBe('mixed');
    expect(choiceOf(s, 'A/a1.txt')).toBe('none');
    expect(choiceOf(s, 'A/B')).toBe('chosen');
    expect(choiceOf(s, 'A/B/b2.txt')).toBe('implied');

    await store.getState().toggle(entryOf('A/a1.txt'));
    s = store.getState();
    expect(openRequestOf(s)).toEqual({});
    expect(isPartial(s)).toBe(false);
    expect(summaryOf(s)).toMatchObject({ all: true, files: totals.files });
  });

  it('chooses folders and files with nothing inside a chosen folder, from folder totals', async () => {
    const { deps, entryOf } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    store.getState().setAll(false);
    expect(summaryOf(store.getState())).toMatchObject({ files: 0, bytes: 0, paths: 0 });
    expect(openRequestOf(store.getState())).toEqual({ paths: [] });
    await store.getState().toggle(entryOf('A/B/b1.txt'));
    await store.getState().toggle(entryOf('C.txt'));
    expect(choiceOf(store.getState(), 'A')).toBe('mixed');
    await store.getState().toggle(entryOf('A'));
    const s = store.getState();
    expect(openRequestOf(s)).toEqual({ paths: ['A', 'C.txt'] });
    expect(summaryOf(s)).toMatchObject({ files: 6, bytes: 52, entries: 8 });
    expect(choiceOf(s, 'A/B/b1.txt')).toBe('implied');
    await store.getState().toggle(entryOf('A'));
    expect(openRequestOf(store.getState())).toEqual({ paths: ['C.txt'] });
    store.getState().setAll(true);
    expect(openRequestOf(store.getState())).toEqual({});
  });

  it('loads a folder whole (never expanded) to unchoose one file inside it', async () => {
    const { deps, calls, totals, entryOf } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    await store.getState().toggle(entryOf('Big/f0005'));
    const s = store.getState();
    expect(calls.browse.filter((c) => c.folder === 'Big').map((c) => [c.start, c.limit])).toEqual([
      [0, 1000],
      [1000, 1000],
    ]);
    expect(s.expanded['Big']).toBeUndefined();
    expect(openRequestOf(s).paths).toHaveLength(3 + 1199);
    expect(summaryOf(s)).toMatchObject({ files: totals.files - 1, bytes: totals.bytes - 1 });
    expect(s.busy).toBe(false);
  });

  it(`refuses an unchoice that would name more than ${MAX_OPEN_PATHS} paths`, async () => {
    const huge: Record<string, number> = {};
    for (let i = 0; i <= MAX_OPEN_PATHS; i++) huge[`Huge/h${String(i).padStart(5, '0')}`] = 1;
    const { deps, entryOf } = fakeDrive(huge);
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    await store.getState().toggle(entryOf('Huge/h00003'));
    const s = store.getState();
    expect(s.tooMany).toBe(true);
    expect(openRequestOf(s)).toEqual({});
    expect(s.busy).toBe(false);
  });
});

describe('restore browser: search', () => {
  it('debounces the query, shows only the newest answer, and chooses results', async () => {
    const { deps, calls, entryOf } = fakeDrive();
    const store = createBrowserStore(deps);
    await store.getState().start('s_test');
    store.getState().setQuery('b');
    store.getState().setQuery('b2');
    expect(store.getState().search).toMatchObject({ query: 'b2', loading: true });
    await tick(30);
    expect(calls.search).toEqual(['b2']);
    expect(store.getState().search).toMatchObject({ answered: 'b2', loading: false, more: false });
    expect(store.getState().search.entries.map((e) => e.path)).toEqual(['A/B/b2.txt']);

    store.getState().setAll(false);
    await store.getState().toggle(store.getState().search.entries[0]!);
    expect(openRequestOf(store.getState())).toEqual({ paths: ['A/B/b2.txt'] });
    expect(summaryOf(store.getState())).toMatchObject({ files: 1, bytes: 5 });

    // A result implied by a chosen folder is unchosen by choosing the folder's other children.
    await store.getState().toggle(entryOf('A'));
    await store.getState().toggle(entryOf('A/B/b2.txt'));
    expect(openRequestOf(store.getState())).toEqual({ paths: ['A/B/b1.txt', 'A/B/b3.txt', 'A/a1.txt', 'A/a2.txt'] });

    store.getState().setQuery('   ');
    expect(store.getState().search).toMatchObject({ loading: false, entries: [] });
  });

  it('drops late and cancelled answers', async () => {
    const { deps } = fakeDrive();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const store = createBrowserStore({
      ...deps,
      search: async (req) => {
        if (req.query === 'slow') {
          await gate;
          throw new UiError('E_CANCELLED', 'replaced');
        }
        return deps.search(req);
      },
    });
    await store.getState().start('s_test');
    store.getState().setQuery('slow');
    await tick(20);
    store.getState().setQuery('a1');
    await tick(20);
    release();
    await tick(5);
    expect(store.getState().search).toMatchObject({ answered: 'a1', error: null, loading: false });

    store.getState().setQuery('a2');
    store.getState().reset();
    await tick(20);
    expect(store.getState().search).toMatchObject({ query: '', entries: [] });
    expect(store.getState().sessionId).toBeNull();
  });
});
