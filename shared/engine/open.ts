/**
 * open: restores everything, or chosen paths, from a drive into a folder. Only the segments
 * holding the chosen files are decrypted. A file never appears under its name before its
 * last byte authenticated and its SHA-256 matched the index (restore-file.ts). Nothing
 * existing is overwritten unless asked, and every path is checked to stay inside `dest`
 * before anything is written. Symbolic links are created last, so no write goes through one.
 * Many files are restored by several worker threads at once (restore-pool.ts).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry, OpenOptions, OpenResult } from './api.js';
import { throwIfCancelled } from './abort.js';
import { loadDrive, payloadReader, readerDescription, unlockDrive } from './drive.js';
import { prefetchFor } from './segment-prefetcher.js';
import { isFolder, pathExists, restoreLargeFile, restoreSmallFile, SMALL_FILE, type RestoreContext, type RestoreJob } from './restore-file.js';
import { restoreInParallel, restoreWorkersAvailable } from './restore-pool.js';
import { entryLinkBytes, entryPathBytes } from './entry-path.js';
import { ProgressTracker } from './progress.js';
import { checkSafePath, localName, safeComponents } from './restore-paths.js';
import { restoreFlush } from './restore-flush.js';
import { deriveCustomerKey } from '../custody/customer-key.js';

/** Open options plus the pinned roots used to judge the station. */
export interface OpenDriveOptions extends OpenOptions {
  pinnedRoots: readonly Uint8Array[];
}

/** What open did, beyond the counts. */
export interface OpenReport extends OpenResult {
  driveId: string;
  /** Entries restored under another name because this system cannot hold theirs. */
  renamed: { from: string; to: string }[];
}

/** Below this many bytes (and files), starting restore workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 16 << 20;
const PARALLEL_MIN_FILES = 1000;

/**
 * Before anything is written into a folder that already holds files: with overwrite, a folder
 * where a file must go is refused; without, any existing file is. Throws E_RESTORE_EXISTS.
 */
function refuseClashes(plan: { entry: IndexEntry; target: Buffer }[], dest: string, overwrite: boolean): void {
  if (overwrite) {
    const folders = plan.filter((p) => p.entry.type !== 'directory' && isFolder(p.target));
    if (folders.length > 0) throw new ScelleError('E_RESTORE_EXISTS', `${folders[0]!.target.toString()} is a folder; it cannot be replaced by a file`, { count: folders.length, path: folders[0]!.target.toString() });
    return;
  }
  const clashes = plan.filter((p) => p.entry.type !== 'directory' && pathExists(p.target));
  if (clashes.length > 0) {
    throw new ScelleError('E_RESTORE_EXISTS', `${clashes.length} file(s) already exist in ${dest}, e.g. ${clashes[0]!.target.toString()}; choose an empty folder or allow overwriting`, { count: clashes.length, path: clashes[0]!.target.toString() });
  }
}

/** Selects the entries under the chosen paths (NFC-insensitive); all when none given. */
export function selectEntries(entries: IndexEntry[], paths: string[] | undefined): IndexEntry[] {
  if (!paths || paths.length === 0) return entries;
  const wanted = paths.map((p) => p.replace(/\/+$/, '').normalize('NFC'));
  const hits = new Set<string>();
  const selected = entries.filter((e) => {
    const name = e.path.normalize('NFC');
    const w = wanted.find((p) => name === p || name.startsWith(p + '/'));
    if (w !== undefined) hits.add(w);
    return w !== undefined;
  });
  const missing = wanted.filter((w) => !hits.has(w));
  if (missing.length > 0) throw new ScelleError('E_RESTORE_NOT_IN_INDEX', `not on this drive: ${missing.join(', ')}`, { path: missing[0]!, count: missing.length });
  // Also restore the folders that lead to the chosen entries.
  const parents = new Set<string>();
  for (const e of selected) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) parents.add(parts.slice(0, i).join('/'));
  }
  return entries.filter((e) => selected.includes(e) || (e.type === 'directory' && parents.has(e.path)));
}

/**
 * Restores the drive (see module doc). Errors: E_KEY_* (before anything is written),
 * E_RESTORE_NOT_IN_INDEX, E_RESTORE_UNSAFE_PATH, E_RESTORE_EXISTS (nothing written),
 * E_FORMAT_* (the file being written is removed; files already restored were verified),
 * E_CANCELLED.
 */
export async function open(opts: OpenDriveOptions): Promise<OpenReport> {
  const drive = await unlockDrive(loadDrive(opts.driveDir, opts.pinnedRoots), opts.secret);
  const reader = payloadReader(drive);
  try {
    const selected = selectEntries(drive.entries, opts.paths);
    const dest = resolve(opts.dest);
    const destBytes = Buffer.from(dest);
    const renamed: { from: string; to: string }[] = [];

    // Plan every destination path before writing anything.
    const destSlash = Buffer.concat([destBytes, Buffer.from('/')]);
    const plan = selected.map((e) => {
      const bytes = entryPathBytes(e);
      // POSIX keeps every name as it is: one check, one buffer.
      if (process.platform !== 'win32') {
        checkSafePath(bytes);
        return { entry: e, target: Buffer.concat([destSlash, bytes]) };
      }
      const parts = safeComponents(bytes).map((c) => localName(c));
      const local = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p.name] : [Buffer.from('/'), p.name])));
      if (parts.some((p) => p.renamed)) renamed.push({ from: e.path, to: local.toString('utf8') });
      return { entry: e, target: Buffer.concat([destBytes, Buffer.from('/'), local]) };
    });
    // An entry below a file or a link of the drive could only be written through it: refuse.
    const leaves = new Set(selected.filter((e) => e.type !== 'directory').map((e) => entryPathBytes(e).toString('latin1')));
    for (const e of selected) {
      const bytes = entryPathBytes(e);
      for (let i = bytes.indexOf(0x2f); i >= 0; i = bytes.indexOf(0x2f, i + 1)) {
        if (leaves.has(bytes.subarray(0, i).toString('latin1'))) {
          throw new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to restore "${e.path}": it lies below a file or link of the drive`, { path: e.path });
        }
      }
    }
    const seen = new Set<string>();
    for (const p of plan) {
      const key = p.target.toString('latin1');
      if (seen.has(key)) throw new ScelleError('E_RESTORE_UNSAFE_PATH', `two entries restore to the same name ${p.target.toString()}`, { path: p.entry.path });
      seen.add(key);
    }
    const destEmpty = !existsSync(dest) || readdirSync(dest).length === 0;
    // Nothing can clash in a new or empty folder (files that appear meanwhile are caught by O_EXCL).
    if (!destEmpty) refuseClashes(plan, dest, opts.overwrite === 'always');

    mkdirSync(dest, { recursive: true });
    const files = plan.filter((p) => p.entry.type === 'file');
    const bytesTotal = files.reduce((a, p) => a + p.entry.size, 0);
    const progress = new ProgressTracker('open', bytesTotal, files.length, opts.onProgress);
    const knownDirs = new Set<string>();
    const ensureDir = (dir: Buffer) => {
      // Create each component, refusing to pass through a symbolic link.
      const rel = dir.subarray(destBytes.length + 1);
      let cur = destBytes;
      if (rel.length === 0 || knownDirs.has(dir.toString('latin1'))) return;
      for (const c of rel.toString('latin1').split('/')) {
        cur = Buffer.concat([cur, Buffer.from('/'), Buffer.from(c, 'latin1')]);
        if (knownDirs.has(cur.toString('latin1'))) continue;
        knownDirs.add(cur.toString('latin1'));
        let st;
        try {
          st = lstatSync(cur);
        } catch {
          mkdirSync(cur, { mode: 0o700 });
          continue;
        }
        if (st.isSymbolicLink()) throw new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to write through the symbolic link ${cur.toString()}`, { path: cur.toString() });
        if (!st.isDirectory()) throw new ScelleError('E_RESTORE_EXISTS', `${cur.toString()} exists and is not a folder`, { path: cur.toString() });
      }
    };
    const parentOf = (p: Buffer) => p.subarray(0, p.lastIndexOf(0x2f));

    for (const p of plan) if (p.entry.type === 'directory') ensureDir(p.target);
    for (const p of files) ensureDir(parentOf(p.target));

    const jobs: RestoreJob[] = files.sort((a, b) => a.entry.offset - b.entry.offset);
    const overwrite = opts.overwrite === 'always';
    const umask = process.umask();
    const flush = restoreFlush(dest);
    const fsyncEachFile = flush.fsyncEachFile;
    const largest = jobs.reduce((m, j) => Math.max(m, j.entry.size), 0);
    // Several files: each worker restores whole files (all cores busy). One file holding most of
    // the bytes: decryption runs ahead on a worker while this thread hashes and writes.
    const parallel = restoreWorkersAvailable() && (bytesTotal >= PARALLEL_MIN_BYTES || jobs.length >= PARALLEL_MIN_FILES) && largest <= bytesTotal / 2;
    if (parallel) {
      await restoreInParallel(jobs, { description: readerDescription(drive), overwrite, umask, fsyncEachFile, signal: opts.signal, onProgress: (b, f) => progress.add(b, f) });
    } else {
      prefetchFor(reader, readerDescription(drive), jobs.map((j) => j.entry));
      const ctx: RestoreContext = { overwrite, umask, fsyncEachFile, checkCancelled: () => throwIfCancelled(opts.signal), onBytes: (n) => progress.add(n) };
      for (const job of jobs) {
        throwIfCancelled(opts.signal);
        if (job.entry.size <= SMALL_FILE) {
          await reader.ensure(job.entry.offset, job.entry.size);
          restoreSmallFile(reader, job, ctx);
          progress.add(job.entry.size);
        } else {
          await restoreLargeFile(reader, job, ctx);
        }
        progress.add(0, 1);
      }
    }

    for (const p of plan) {
      if (p.entry.type !== 'symlink') continue;
      ensureDir(parentOf(p.target));
      if (opts.overwrite === 'always' && pathExists(p.target)) rmSync(p.target, { force: true });
      symlinkSync(entryLinkBytes(p.entry), p.target);
    }
    // Folder modes and times last, deepest first, so restoring files did not change them.
    const dirs = plan.filter((p) => p.entry.type === 'directory').reverse();
    for (const p of dirs) {
      chmodSync(p.target, p.entry.mode & 0o7777 | 0o700);
      utimesSync(p.target, p.entry.mtime / 1000, p.entry.mtime / 1000);
    }
    // Nothing is reported done before it is durable: every file and folder is flushed here.
    const folders = [...new Set(plan.map((p) => parentOf(p.target).toString('latin1')))].map((d) => Buffer.from(d, 'latin1'));
    flush.finish(files.map((p) => p.target), folders);
    progress.flush();
    return { driveId: drive.manifest.driveId, customerKey: deriveCustomerKey(drive.dataKey, drive.manifest.driveId), files: files.length, bytes: bytesTotal, verified: true, renamed };
  } finally {
    reader.close();
    drive.dataKey.fill(0);
  }
}
