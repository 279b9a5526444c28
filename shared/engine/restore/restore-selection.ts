/**
 * What a restore or a listing takes from the index: everything, or chosen paths (a folder
 * selects everything below it), resolved by binary search over the index and read as a
 * stream, so that a selection costs the entries it names, never the whole index in memory.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { entryPathBytes, type IndexEntry } from '../../format/index-line.js';
import { IndexChecker, type IndexReader } from '../../format/index-reader.js';
import { compareEntryPaths, parentOf } from '../../format/index-order.js';

/** A resolved selection: everything, or entries found in the index (none inside another). */
export interface Selection {
  all: boolean;
  /** The chosen entries, in index order, none of them inside a chosen folder. */
  items: { path: Buffer; entry: IndexEntry }[];
  /** The folders that lead to the chosen entries (not chosen themselves), shallowest first. */
  ancestors: { path: Buffer; entry: IndexEntry }[];
}

/** The entry at `path` as typed by a user (trailing '/' ignored; NFC or NFD), or null. */
export function findTyped(index: IndexReader, path: string): { path: Buffer; entry: IndexEntry } | null {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return null;
  for (const form of new Set([trimmed, trimmed.normalize('NFC'), trimmed.normalize('NFD')])) {
    const bytes = Buffer.from(form, 'utf8');
    const entry = index.find(bytes);
    if (entry) return { path: entryPathBytes(entry), entry };
  }
  return null;
}

/**
 * Resolves `paths` (none or empty: everything).
 * @throws ScelleError E_RESTORE_NOT_IN_INDEX naming the paths the drive does not hold;
 *   E_RESTORE_UNSAFE_PATH when a chosen entry lies below a file or link of the drive.
 */
export function resolveSelection(index: IndexReader, paths: readonly string[] | undefined): Selection {
  if (!paths || paths.length === 0) return { all: true, items: [], ancestors: [] };
  const found: { path: Buffer; entry: IndexEntry }[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const hit = findTyped(index, p);
    if (hit) found.push(hit);
    else missing.push(p);
  }
  if (missing.length > 0)
    throw new ScelleError('E_RESTORE_NOT_IN_INDEX', `not on this drive: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`, {
      path: missing[0]!,
      count: missing.length,
    });
  found.sort((a, b) => compareEntryPaths(a.path, b.path));
  // Keep each chosen entry once, and none that lies below a chosen folder (which comes later
  // in the index order, after everything below it).
  const key = (p: Uint8Array) => Buffer.from(p.buffer, p.byteOffset, p.length).toString('latin1');
  const folders = new Set(found.filter((f) => f.entry.type === 'directory').map((f) => key(f.path)));
  const chosen = new Set<string>();
  const items: Selection['items'] = [];
  for (const f of found) {
    if (chosen.has(key(f.path))) continue;
    let inside = false;
    for (let p = parentOf(f.path); p.length > 0 && !inside; p = parentOf(p)) inside = folders.has(key(p));
    if (inside) continue;
    chosen.add(key(f.path));
    items.push(f);
  }
  const ancestors = new Map<string, { path: Buffer; entry: IndexEntry }>();
  for (const item of items) {
    for (let p = parentOf(item.path); p.length > 0; p = parentOf(p)) {
      const k = key(p);
      if (ancestors.has(k) || chosen.has(k)) continue;
      const entry = index.find(p);
      if (!entry) throw new ScelleError('E_FORMAT_INDEX', `the index does not list the folder holding ${item.entry.path}`);
      if (entry.type !== 'directory')
        throw new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to restore "${item.entry.path}": it lies below a file or link of the drive`, { path: item.entry.path });
      ancestors.set(k, { path: Buffer.from(p), entry });
    }
  }
  const ordered = [...ancestors.values()].sort((a, b) => a.path.length - b.path.length);
  return { all: false, items, ancestors: ordered };
}

/**
 * The selected entries as a stream: for everything, the whole index (with `check`, checked
 * as it goes by IndexChecker: order, totals, directory, counts — the last when it ends);
 * for chosen paths, each chosen folder's subtree followed by the folder itself. Ancestors are
 * not included.
 * @throws ScelleError E_FORMAT_INDEX while iterating when the index is inconsistent.
 */
export function* selectedEntries(index: IndexReader, selection: Selection, check = false): Generator<IndexEntry> {
  if (selection.all) {
    const checker = check ? new IndexChecker(index) : null;
    for (const { at, entry } of index.scan(index.entriesAt)) {
      checker?.add(at, entry);
      yield entry;
    }
    checker?.finish();
    return;
  }
  for (const item of selection.items) {
    if (item.entry.type === 'directory') {
      // A chosen folder's subtree must hold exactly what its entry counts.
      const seen = { entries: 0, files: 0, bytes: 0 };
      for (const { entry } of index.subtree(item.path)) {
        seen.entries++;
        if (entry.type === 'file') {
          seen.files++;
          seen.bytes += entry.size;
        }
        yield entry;
      }
      const e = item.entry;
      if (seen.entries !== e.entries || seen.files !== e.files || seen.bytes !== e.bytes) {
        throw new ScelleError(
          'E_FORMAT_INDEX',
          `index: folder ${JSON.stringify(e.path)} counts ${e.entries} entries, ${e.files} files and ${e.bytes} bytes, and holds ${seen.entries}, ${seen.files} and ${seen.bytes}`,
          { path: e.path },
        );
      }
    }
    yield item.entry;
  }
}
