/**
 * open: restores everything, or chosen paths and folders, from a drive into a folder. The
 * index is read as a stream (restore-selection.ts), never held whole, and only the segments
 * holding the chosen files are decrypted. A file never appears under its name before its last
 * byte authenticated and its SHA-256 matched the index (restore-file.ts). Nothing existing is
 * overwritten unless asked.
 *
 * Two passes over the selected index entries, so that memory stays flat at any size:
 * 1. plan: every path checked to stay inside `dest`, the index checked whole (a full restore),
 *    clashes with existing files found, sizes counted; nothing is written before it ends;
 * 2. restore: files on worker threads (restore-pool.ts) as the index streams, or in this
 *    thread for small restores; folders created on the way, never through a symbolic link;
 *    each link created, and each folder's mode and times set, once every file before it in
 *    the index is restored (the index lists a folder after everything below it).
 * A drive is hostile input: modes lose setuid/setgid/sticky bits and group/other write unless
 * `keepModes`; links that are absolute or lead outside `dest` stop the restore in pass 1
 * (E_RESTORE_UNSAFE_LINK) unless `allowOutwardLinks`, and then each is reported.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScelleError } from '../../errors/scelle-error.js';
import { entryLinkBytes, entryPathBytes, type IndexEntry } from '../../format/index-line.js';
import type { OpenOptions, OpenResult } from '../api.js';
import { throwIfCancelled } from '../abort.js';
import { absentMembersFor, closeDrives, drivesReader, sourceDrives, unlockDrives, type DriveSource, type SetView } from '../set-drives.js';
import type { AbsentMemberReport, SetAvailability } from '../api.js';
import { prefetchFor } from '../payload/segment-prefetcher.js';
import { isFolder, pathExists, placeLinkExclusively, restoreLargeFile, restoreSmallFile, SMALL_FILE, type RestoreContext } from './restore-file.js';
import { RestoreCrew, restoreWorkersAvailable, type RestoreItem } from './restore-pool.js';
import { ProgressTracker } from '../progress.js';
import { linkStaysInside, restoredMode } from './restore-paths.js';
import { Destination } from './destination.js';
import { fsyncsEachFile, restoreFlush, syncFileSystem } from './restore-flush.js';
import { resolveSelection, selectedEntries, type Selection } from './restore-selection.js';
import type { IndexReader } from '../../format/index-reader.js';
import { deriveCustomerKey } from '../../custody/customer-key.js';

/** Open options plus the pinned roots used to judge the station (and the drives, when already loaded). */
export interface OpenDriveOptions extends OpenOptions, DriveSource {
  pinnedRoots: readonly Uint8Array[];
}

/** What open did, beyond the counts. */
export interface OpenReport extends OpenResult {
  driveId: string;
  /** Entries restored under another name because this system cannot hold theirs. */
  renamed: { from: string; to: string }[];
  /** Links created although absolute or leading outside the restore folder (only with `allowOutwardLinks`). */
  outwardLinks: { path: string; target: string }[];
}

/** Below this many bytes (and files), starting restore workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 16 << 20;
const PARALLEL_MIN_FILES = 1000;
/** What a restore writes: files, their bytes, and the largest file's size. */
interface PlanTotals {
  files: number;
  bytes: number;
  largest: number;
}

/**
 * Restore workers pay for many files or bytes; not for a few files, one of them holding most of
 * the bytes (then decryption runs ahead on a worker while this thread hashes and writes).
 */
function worthWorkers(t: PlanTotals): boolean {
  const many = t.bytes >= PARALLEL_MIN_BYTES || t.files >= PARALLEL_MIN_FILES;
  const dominated = t.largest > t.bytes / 2 && t.files < PARALLEL_MIN_FILES;
  return many && !dominated;
}

/**
 * What the restore will likely write, before the plan counts it: the index trailer's totals for
 * the whole drive, or the chosen entries' (a folder's line holds its subtree's). The largest
 * file is unknown before the plan: a chosen file counts as one, a folder as none.
 */
function expectedTotals(index: IndexReader, selection: Selection): PlanTotals {
  if (selection.all) return { files: index.trailer.files, bytes: index.trailer.bytes, largest: 0 };
  const t = { files: 0, bytes: 0, largest: 0 };
  for (const { entry: e } of selection.items) {
    if (e.type === 'file') {
      t.files++;
      t.bytes += e.size;
      t.largest = Math.max(t.largest, e.size);
    } else if (e.type === 'directory') {
      t.files += e.files ?? 0;
      t.bytes += e.bytes ?? 0;
    }
  }
  return t;
}

/** Names taken where the restore writes, of one kind: how many, and the first found. */
interface Clashes {
  count: number;
  first: Buffer | null;
}
const addClash = (c: Clashes, target: Buffer) => {
  c.count++;
  c.first ??= target;
};

const parentOf = (p: Buffer) => p.subarray(0, p.lastIndexOf(0x2f));
const breathe = () => new Promise((r) => setImmediate(r));

/**
 * Pass 1 (see module doc): checks and counts, before anything is written. Throws E_RESTORE_EXISTS
 * listing clashes; E_RESTORE_UNSAFE_LINK counting the links that are absolute or lead outside the
 * restore folder, unless `outward` is given, which then receives each of them.
 */
async function plan(
  index: IndexReader,
  selection: Selection,
  dest: Destination,
  destEmpty: boolean,
  overwrite: boolean,
  signal: AbortSignal | undefined,
  outward: OpenReport['outwardLinks'] | null,
  absent: Availability,
): Promise<PlanTotals> {
  let outwardCount = 0;
  let firstOutward: IndexEntry | null = null;
  let files = 0;
  let bytes = 0;
  let largest = 0;
  // Names already taken where the restore writes: a file goes where there is a file (a folder,
  // with overwrite); a folder goes where there is something else than a folder.
  const fileClashes: Clashes = { count: 0, first: null };
  const folderClashes: Clashes = { count: 0, first: null };
  let n = 0;
  const look = (e: IndexEntry) => {
    // Into an empty folder only the path is checked (no destination built).
    if (destEmpty) return dest.check(e);
    const target = dest.targetOf(e, true);
    // A folder goes where there is nothing or a folder; anything else is a clash, even with
    // overwrite (no file of the user's is removed to make room for a folder).
    if (e.type === 'directory') {
      if (!dest.folderFree(target)) addClash(folderClashes, target);
      return;
    }
    // With overwrite, only a folder where a file must go is refused; without, any existing file.
    if (overwrite ? isFolder(target) : pathExists(target)) addClash(fileClashes, target);
  };
  for (const a of selection.ancestors) look(a.entry);
  for (const e of selectedEntries(index, selection, true)) {
    if (!(e.type === 'file' && absent.needsAbsent(e))) look(e);
    if (e.type === 'symlink' && !linkStaysInside(entryPathBytes(e), entryLinkBytes(e))) {
      if (outward) outward.push({ path: e.path, target: e.linkTarget ?? '' });
      outwardCount++;
      firstOutward ??= e;
    }
    if (e.type === 'file' && absent.skip(e)) {
      // Needs a member not attached: named in the report, never started (no partial file).
    } else if (e.type === 'file') {
      files++;
      bytes += e.size;
      largest = Math.max(largest, e.size);
    }
    if (++n % 4096 === 0) {
      await breathe();
      throwIfCancelled(signal);
    }
  }
  if (outwardCount > 0 && outward === null) {
    const e = firstOutward as IndexEntry | null;
    throw new ScelleError(
      'E_RESTORE_UNSAFE_LINK',
      `${outwardCount} link(s) on the drive are absolute or lead outside ${dest.bytes.toString()}, e.g. ${e!.path} -> ${e!.linkTarget ?? ''}; nothing was written (allow them explicitly to restore them)`,
      { count: outwardCount, path: e!.path, target: e!.linkTarget ?? '' },
    );
  }
  if (folderClashes.first !== null) {
    const where = folderClashes.first.toString();
    throw new ScelleError('E_RESTORE_EXISTS', `${where} exists and is not a folder, and the drive restores a folder there; move it aside or choose another folder`, {
      count: folderClashes.count,
      path: where,
      reason: 'not-a-folder',
    });
  }
  if (fileClashes.first !== null) {
    const { count, first } = fileClashes;
    const where = first.toString();
    if (overwrite) throw new ScelleError('E_RESTORE_EXISTS', `${where} is a folder; it cannot be replaced by a file`, { count, path: where, reason: 'is-a-folder' });
    throw new ScelleError('E_RESTORE_EXISTS', `${count} file(s) already exist in ${dest.bytes.toString()}, e.g. ${where}; choose an empty folder or allow overwriting`, {
      count,
      path: where,
    });
  }
  return { files, bytes, largest };
}

/**
 * Restores the drive (see module doc). Errors: E_KEY_* (before anything is written),
 * E_RESTORE_NOT_IN_INDEX, E_RESTORE_UNSAFE_PATH, E_RESTORE_EXISTS, E_FORMAT_INDEX (all four
 * before anything is written), E_FORMAT_* (the file being written is removed; files already
 * restored were verified), E_CANCELLED.
 */
export async function open(opts: OpenDriveOptions): Promise<OpenReport> {
  const opened = await unlockDrives(sourceDrives(opts), opts.secret, opts.signal);
  const drive = opened.catalogue;
  const reader = drivesReader(opened);
  const absent = new Availability(opened.set);
  /** Restore workers, started before the plan for a restore of many files; stopped in every case. */
  let crew: RestoreCrew | null = null;
  try {
    const { index } = drive;
    const selection = resolveSelection(index, opts.paths);
    const destPath = resolve(opts.dest);
    const dest = new Destination(destPath);
    const overwrite = opts.overwrite === 'always';
    const destEmpty = !existsSync(destPath) || readdirSync(destPath).length === 0;
    const outwardLinks: OpenReport['outwardLinks'] = [];
    const keepModes = opts.keepModes === true;
    const umask = process.umask();
    const fsyncEachFile = fsyncsEachFile();
    const settings = { description: opened.description, overwrite, keepModes, umask, fsyncEachFile };
    // A restore of many files starts its workers now: they start while the plan reads the index.
    if (restoreWorkersAvailable() && worthWorkers(expectedTotals(index, selection))) crew = new RestoreCrew(settings);
    const totals = await plan(index, selection, dest, destEmpty, overwrite, opts.signal, opts.allowOutwardLinks ? outwardLinks : null, absent);
    if (crew && !worthWorkers(totals)) {
      await crew.stop();
      crew = null;
    }

    mkdirSync(destPath, { recursive: true });
    for (const a of selection.ancestors) dest.ensureFolder(dest.targetOf(a.entry));
    const progress = new ProgressTracker('open', totals.bytes, totals.files, opts.onProgress);
    const flush = restoreFlush(destPath, process.platform, syncFileSystem, totals.files);
    // Links and folders: a link is created, and a folder's mode and times set, once every file
    // before it in the index is restored; the index lists a folder after everything below it,
    // so nothing is written through a link and restoring files does not change a folder's times.
    const finishEntry = (e: IndexEntry, target: Buffer) => {
      if (e.type === 'symlink') {
        dest.ensureFolder(parentOf(target));
        if (overwrite && pathExists(target)) rmSync(target, { force: true });
        placeLinkExclusively(entryLinkBytes(e), target);
      } else if (e.type === 'directory') {
        chmodSync(target, restoredMode(e.mode, keepModes) | 0o700);
        utimesSync(target, e.mtime / 1000, e.mtime / 1000);
      }
    };
    function* restoreItems(): Generator<RestoreItem> {
      for (const e of selectedEntries(index, selection)) {
        if (e.type === 'file' && absent.needsAbsent(e)) continue;
        const target = dest.targetOf(e);
        if (e.type === 'file') {
          dest.ensureFolder(parentOf(target));
          yield { entry: e, target };
          continue;
        }
        if (e.type === 'directory') dest.ensureFolder(target);
        yield { after: () => finishEntry(e, target) };
      }
    }
    // Several files: each worker restores whole files (all cores busy). A few files, one of
    // them holding most of the bytes: decryption runs ahead on a worker while this thread
    // hashes and writes.
    if (restoreWorkersAvailable() && worthWorkers(totals)) {
      crew ??= new RestoreCrew(settings);
      await crew.run(restoreItems(), { signal: opts.signal, onProgress: (b, f) => progress.add(b, f) });
    } else {
      // Fewer than PARALLEL_MIN_FILES files here: their ranges are known before decrypting ahead.
      const ranges: IndexEntry[] = [];
      for (const e of selectedEntries(index, selection)) if (e.type === 'file' && !absent.needsAbsent(e)) ranges.push(e);
      prefetchFor(reader, opened.description, ranges);
      const ctx: RestoreContext = { overwrite, keepModes, umask, fsyncEachFile, checkCancelled: () => throwIfCancelled(opts.signal), onBytes: (n) => progress.add(n) };
      let n = 0;
      for (const item of restoreItems()) {
        throwIfCancelled(opts.signal);
        if ('after' in item) {
          item.after();
          if (++n % 4096 === 0) await breathe();
          continue;
        }
        if (item.entry.size <= SMALL_FILE) {
          await reader.ensure(item.entry.offset, item.entry.size);
          restoreSmallFile(reader, item, ctx);
          progress.add(item.entry.size);
        } else {
          await restoreLargeFile(reader, item, ctx);
          await breathe(); // a turn of the event loop (cancellation, messages) after each large file
        }
        progress.add(0, 1);
      }
    }
    // The folders leading to chosen entries, deepest first.
    for (const a of [...selection.ancestors].reverse()) finishEntry(a.entry, dest.targetOf(a.entry));

    // Nothing is reported done before it is durable: every file and folder is flushed here.
    function* restoredFiles(): Generator<Buffer> {
      for (const e of selectedEntries(index, selection)) if (e.type === 'file' && !absent.needsAbsent(e)) yield dest.targetOf(e);
    }
    function* restoredFolders(): Generator<Buffer> {
      yield dest.bytes;
      for (const a of selection.ancestors) yield dest.targetOf(a.entry);
      for (const e of selectedEntries(index, selection)) if (e.type === 'directory') yield dest.targetOf(e);
    }
    flush.finish(restoredFiles(), restoredFolders());
    progress.flush();
    return {
      driveId: drive.manifest.driveId,
      customerKey: deriveCustomerKey(drive.dataKey, drive.manifest.driveId),
      files: totals.files,
      bytes: totals.bytes,
      verified: true,
      renamed: dest.renamed,
      outwardLinks,
      ...(opened.set
        ? {
            set: absent.report(opened.set),
            members: opened.drives.map((d) => ({ driveId: d.manifest.driveId, driveDir: d.driveDir, customerKey: deriveCustomerKey(d.dataKey, d.manifest.driveId) })),
          }
        : {}),
    };
  } finally {
    await crew?.stop();
    reader.close();
    closeDrives(opened);
  }
}

/** Paths named per absent member, at most. */
const NAMED_PER_MEMBER = 50;

/**
 * Which files of a set need a member not attached (none for a drive sealed alone), and the
 * tally of them per absent member, counted once (in the plan pass).
 */
class Availability {
  private readonly tally = new Map<number, AbsentMemberReport>();

  constructor(private readonly set: SetView | null) {
    for (const a of set?.absent ?? []) this.tally.set(a.position, { ...a, files: 0, bytes: 0, paths: [] });
  }

  /** True when the file's bytes are (partly) on an absent member. */
  needsAbsent(e: IndexEntry): boolean {
    return this.set !== null && this.set.absent.length > 0 && absentMembersFor(this.set, e).length > 0;
  }

  /** As needsAbsent, counting the file for each absent member it needs (call once per file). */
  skip(e: IndexEntry): boolean {
    const needs = absentMembersFor(this.set, e);
    for (const a of needs) {
      const t = this.tally.get(a.position)!;
      t.files++;
      t.bytes += e.size;
      if (t.paths.length < NAMED_PER_MEMBER) t.paths.push(e.path);
    }
    return needs.length > 0;
  }

  report(set: SetView): SetAvailability {
    return { id: set.id, members: set.members, present: set.present, absent: [...this.tally.values()], notListed: set.totals.entries - set.listed };
  }
}
