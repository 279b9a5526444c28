/**
 * The restore browser of the Client workspace: a folder tree opened one folder at a time, a
 * name search over the whole drive, checkboxes to choose folders and files, and what is
 * chosen. The logic lives in browser-store.ts; this file only shows it.
 *
 * Keyboard: Tab reaches each row's open/close button and checkbox (Enter or Space); rows
 * are virtualised (only those in view, and the focused one, are in the page).
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { IndexEntryDto } from '../../shared/ipc/index.js';
import { MAX_OPEN_PATHS } from '../../shared/ipc/limits.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { VirtualList, type VirtualRow } from '../components/VirtualList.js';
import { formatBytes, formatCount } from '../format.js';
import { useT, useTc } from '../i18n/use-t.js';
import { useApp } from '../store.js';
import { choiceOf, nameOf, summaryOf, treeRowsOf, type BrowserState, type Choice, type TreeRow } from './browser-store.js';

const ROW_HEIGHT = 34;
const LIST_HEIGHT = 408;

/** A checkbox showing a Choice ('mixed' as the indeterminate state). */
function ChoiceBox({ id, choice, disabled = false, onToggle, describedBy }: { id: string; choice: Choice; disabled?: boolean; onToggle: () => void; describedBy?: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = choice === 'mixed';
  }, [choice]);
  return <input ref={ref} id={id} type="checkbox" checked={choice === 'chosen' || choice === 'implied'} disabled={disabled} onChange={onToggle} aria-describedby={describedBy} />;
}

/** Loads the next page as soon as its row is rendered (scrolled into view); the button does it too. */
function MoreRow({ label, onMore }: { label: string; onMore: () => void }) {
  useEffect(() => {
    onMore();
  }, [onMore]);
  return (
    <button type="button" className="link more" onClick={onMore}>
      {label}
    </button>
  );
}

/** The browser over a store made by createBrowserStore. */
export function RestoreBrowser({ store }: { store: StoreApi<BrowserState> }) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const s = useStore(store);
  const base = useId();
  const ids = { search: `${base}-search`, searchHelp: `${base}-search-help`, all: `${base}-all`, allInfo: `${base}-all-info` };
  const folders = s.folders;
  const expanded = s.expanded;
  const rows = useMemo(() => treeRowsOf({ folders, expanded }), [folders, expanded]);
  const query = s.search.query.trim();
  const summary = summaryOf(s);
  const nothing = !summary.all && summary.paths === 0;
  const loadMore = useMemo(() => {
    const cache = new Map<string, () => void>();
    return (folder: string) => {
      let f = cache.get(folder);
      if (!f)
        cache.set(
          folder,
          (f = () => {
            void store.getState().loadMore(folder);
          }),
        );
      return f;
    };
  }, [store]);

  const info = (e: IndexEntryDto) => {
    if (e.type === 'directory') return tc('client.browse.folderInfo', e.files ?? 0, { bytes: formatBytes(e.bytes ?? 0, lang) });
    return e.type === 'file' ? formatBytes(e.size, lang) : t('client.browse.link');
  };

  const entryRow = (e: IndexEntryDto, index: number, label: string, depth: number, extra: { pos?: number; size?: number; tree: boolean }): VirtualRow => {
    const id = `${base}-${extra.tree ? 't' : 's'}${index}`;
    const open = expanded[e.path] === true;
    return {
      key: `${extra.tree ? 't' : 's'}:${e.path}`,
      props: {
        'aria-level': extra.tree ? depth + 1 : undefined,
        'aria-posinset': extra.pos,
        'aria-setsize': extra.size,
        style: { paddingLeft: 4 + depth * 22 },
        className: e.type === 'directory' ? 'folder' : undefined,
      },
      content: (
        <>
          {extra.tree && e.type === 'directory' ? (
            <button
              type="button"
              className="twisty"
              aria-expanded={open}
              aria-label={t('client.browse.toggle', { name: label })}
              onClick={() => void store.getState().toggleExpand(e.path)}
            >
              <span aria-hidden="true">{open ? '▾' : '▸'}</span>
            </button>
          ) : (
            <span className="twisty-space" aria-hidden="true" />
          )}
          {/* Never disabled (focus would be lost): while an unchoice loads, clicks are ignored. */}
          <ChoiceBox id={id} choice={choiceOf(s, e.path)} onToggle={() => void store.getState().toggle(e)} describedBy={`${id}-info`} />
          <label htmlFor={id} className="name" title={e.path}>
            {label}
          </label>
          <span id={`${id}-info`} className="size">
            {info(e)}
          </span>
        </>
      ),
    };
  };

  const treeRow = (i: number): VirtualRow => {
    const r = rows[i] as TreeRow;
    if (r.kind === 'entry') return entryRow(r.entry, i, nameOf(r.entry.path), r.depth, { pos: r.pos, size: r.size, tree: true });
    const pad = { style: { paddingLeft: 4 + r.depth * 22 + 28 } };
    const where = r.folder === '' ? t('client.browse.all') : nameOf(r.folder);
    if (r.kind === 'more') return { key: `more:${r.folder}`, props: pad, content: <MoreRow label={t('client.browse.more', { name: where })} onMore={loadMore(r.folder)} /> };
    return { key: `${r.kind}:${r.folder}`, props: pad, content: <span className="help">{t(r.kind === 'loading' ? 'client.browse.loading' : 'client.browse.empty')}</span> };
  };

  const results = s.search.entries;
  const resultRow = (i: number): VirtualRow => entryRow(results[i]!, i, results[i]!.path, 0, { tree: false, pos: i + 1, size: s.search.more ? -1 : results.length });

  const searchStatus = s.search.loading
    ? t('client.search.searching')
    : s.search.answered === '' || query === ''
      ? ''
      : results.length === 0
        ? t('client.search.none', { query: s.search.answered })
        : s.search.more
          ? t('client.search.more', { count: formatCount(results.length, lang) })
          : tc('client.search.results', results.length);

  const allChoice = choiceOf(s, '');
  return (
    <div className="browser">
      <label htmlFor={ids.search}>{t('client.search')}</label>
      <input
        id={ids.search}
        type="search"
        value={s.search.query}
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={ids.searchHelp}
        onChange={(e) => store.getState().setQuery(e.target.value)}
      />
      <p id={ids.searchHelp} className="help">
        {t('client.search.help')}
      </p>
      <p className="help" aria-live="polite" data-testid="search-status">
        {searchStatus}
      </p>
      {query !== '' && <ErrorNotice error={s.search.error} />}

      <div className="choice all-choice">
        <ChoiceBox id={ids.all} choice={allChoice} disabled={s.busy || !s.totals} onToggle={() => store.getState().setAll(allChoice !== 'chosen')} describedBy={ids.allInfo} />
        <label htmlFor={ids.all} className="name">
          {t('client.browse.all')}
        </label>
        <span id={ids.allInfo} className="size">
          {s.totals ? tc('client.browse.folderInfo', s.totals.files, { bytes: formatBytes(s.totals.bytes, lang) }) : ''}
        </span>
      </div>
      <p aria-live="polite" data-testid="chosen-summary" className="chosen-summary">
        {nothing ? t('client.selectedNone') : tc('client.selected', summary.files, { bytes: formatBytes(summary.bytes, lang) })}
        {s.busy ? ` ${t('client.browse.busy')}` : ''}
      </p>
      {(s.tooMany || summary.paths > MAX_OPEN_PATHS) && (
        <p className="warn" role="alert">
          {t('client.selection.tooMany', { max: formatCount(MAX_OPEN_PATHS, lang) })}
        </p>
      )}
      <ErrorNotice error={s.error} />

      {query === '' ? (
        <VirtualList count={rows.length} rowHeight={ROW_HEIGHT} maxHeight={LIST_HEIGHT} label={t('client.entries')} row={treeRow} testId="drive-tree" />
      ) : (
        <VirtualList count={results.length} rowHeight={ROW_HEIGHT} maxHeight={LIST_HEIGHT} label={t('client.search.list')} row={resultRow} testId="search-results" />
      )}
    </div>
  );
}
