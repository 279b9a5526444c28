/**
 * list and browse: a drive's entries from its encrypted index (needs a secret), read as a
 * stream. Listing everything checks the whole index as it goes; a path prefix, one folder's
 * children or one path are found by binary search and cost a few index segments.
 */
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry } from '../format/index-line.js';
import type { DriveSecret } from './api.js';
import { throwIfCancelled } from './abort.js';
import { loadDrive, unlockDrive, type UnlockedDrive } from './drive.js';
import { closeDrives, sourceDrives, unlockDrives, type AbsentMember, type DriveSource } from './set-drives.js';
import type { MemberRange } from '../format/set.js';
import { findTyped, resolveSelection, selectedEntries } from './restore/restore-selection.js';

/** Options of {@link listEntries} and {@link list} (`loaded`: the drives, when already loaded; see DriveSource). */
export interface ListOptions extends DriveSource {
  driveDir: string;
  /** Other members of the same sealed set, attached beside `driveDir` (any order). */
  members?: string[];
  secret: DriveSecret;
  pinnedRoots: readonly Uint8Array[];
  /** Only this path: a file, or a folder and everything below it. Default: everything. */
  prefix?: string;
  signal?: AbortSignal;
}

/** The drive's totals, from the index trailer. */
export interface ListSummary {
  driveId: string;
  /** Number of entries (files, folders and links). */
  entryCount: number;
  files: number;
  bytes: number;
  /**
   * A member of a set: the set's members present and absent, every member's tar range (an
   * entry needs the members whose range its content overlaps), the set's totals and how many
   * entries the index listed holds (fewer than the set's when no member present lists them all).
   */
  set?: {
    id: string;
    members: number;
    present: number[];
    absent: AbsentMember[];
    ranges: MemberRange[];
    totals: { entries: number; files: number; bytes: number };
    listed: number;
  };
}

/** Opens the drive's index with `secret`. Errors as {@link unlockDrive}. */
export async function openIndex(opts: { driveDir: string; secret: DriveSecret; pinnedRoots: readonly Uint8Array[]; signal?: AbortSignal }): Promise<UnlockedDrive> {
  return unlockDrive(loadDrive(opts.driveDir, opts.pinnedRoots), opts.secret, opts.signal);
}

/** Entries handed over at once by {@link listEntryBatches}. */
const LIST_BATCH = 256;

/**
 * Streams the drive's entries in index order (a folder after everything below it), or those
 * under `prefix` (the folder's own entry first). `onSummary` gets the totals before the
 * first entry. Errors as {@link unlockDrive}, E_RESTORE_NOT_IN_INDEX (prefix not on the
 * drive), E_FORMAT_INDEX (while listing everything, on the first inconsistency), E_CANCELLED.
 */
export async function* listEntries(opts: ListOptions, onSummary?: (s: ListSummary) => void): AsyncGenerator<IndexEntry> {
  for await (const batch of listEntryBatches(opts, onSummary)) yield* batch;
}

/**
 * As {@link listEntries}, the entries in arrays of up to 256 (a million entries cost a few
 * thousand steps of the async iteration, not a million). Each array is new: the caller may keep it.
 */
export async function* listEntryBatches(opts: ListOptions, onSummary?: (s: ListSummary) => void): AsyncGenerator<IndexEntry[]> {
  const opened = await unlockDrives(sourceDrives(opts), opts.secret, opts.signal);
  const drive = opened.catalogue;
  try {
    const t = drive.indexTrailer;
    const set = opened.set;
    onSummary?.({
      driveId: drive.manifest.driveId,
      entryCount: t.entries,
      files: t.files,
      bytes: t.bytes,
      ...(set ? { set: { id: set.id, members: set.members, present: set.present, absent: set.absent, ranges: set.ranges, totals: set.totals, listed: set.listed } } : {}),
    });
    let batch: IndexEntry[] = [];
    const full = () => batch.length === LIST_BATCH;
    const take = () => {
      const b = batch;
      batch = [];
      throwIfCancelled(opts.signal);
      return b;
    };
    if (opts.prefix === undefined) {
      for (const e of selectedEntries(drive.index, resolveSelection(drive.index, undefined), true)) {
        batch.push(e);
        if (full()) yield take();
      }
      if (batch.length > 0) yield take();
      return;
    }
    const hit = findTyped(drive.index, opts.prefix);
    if (!hit) throw new ScelleError('E_RESTORE_NOT_IN_INDEX', `not on this drive: ${opts.prefix}`, { path: opts.prefix, count: 1 });
    batch.push(hit.entry);
    if (hit.entry.type === 'directory') {
      for (const { entry } of drive.index.subtree(hit.path)) {
        batch.push(entry);
        if (full()) yield take();
      }
    }
    if (batch.length > 0) yield take();
  } finally {
    closeDrives(opened);
  }
}

/**
 * Collects {@link listEntries} into an array: for small drives and tests. Large drives are
 * listed with listEntries (streamed) or browsed with {@link browseFolder}.
 */
export async function list(opts: ListOptions): Promise<ListSummary & { entries: IndexEntry[] }> {
  let summary: ListSummary | null = null;
  const entries: IndexEntry[] = [];
  for await (const e of listEntries(opts, (s) => {
    summary = s;
  }))
    entries.push(e);
  return { ...summary!, entries };
}

/**
 * The entries directly inside `folder` ('' for the top level) of an unlocked drive, in
 * index order (bytewise by name), from `start` for at most `limit` (folders carry the totals
 * of what lies below them). Reads a few index segments.
 * @throws ScelleError E_RESTORE_NOT_IN_INDEX when `folder` is not a folder of the drive.
 */
export function browseFolder(drive: UnlockedDrive, folder: string, start = 0, limit = 1000): { entries: IndexEntry[]; more: boolean } {
  let bytes: Buffer = Buffer.alloc(0);
  if (folder !== '') {
    const hit = findTyped(drive.index, folder);
    if (!hit || hit.entry.type !== 'directory') throw new ScelleError('E_RESTORE_NOT_IN_INDEX', `not a folder on this drive: ${folder}`, { path: folder });
    bytes = hit.path;
  }
  const entries: IndexEntry[] = [];
  let i = 0;
  for (const e of drive.index.children(bytes)) {
    if (i++ < start) continue;
    if (entries.length === limit) return { entries, more: true };
    entries.push(e);
  }
  return { entries, more: false };
}

/**
 * Entries whose name contains `query` (case- and accent-insensitive), in index order, at
 * most `limit`: one pass over the index. E_CANCELLED.
 */
export function searchNames(drive: UnlockedDrive, query: string, limit = 500, signal?: AbortSignal): { entries: IndexEntry[]; more: boolean } {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query);
  const entries: IndexEntry[] = [];
  let n = 0;
  for (const e of drive.index.entries()) {
    if (++n % 4096 === 0) throwIfCancelled(signal);
    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
    if (!fold(name).includes(q)) continue;
    if (entries.length === limit) return { entries, more: true };
    entries.push(e);
  }
  return { entries, more: false };
}
