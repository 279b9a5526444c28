/**
 * How a restore makes its files durable before it reports them done. An fsync per file costs a
 * journal commit each on most file systems (measured here on ext4: 5,000 small files take
 * 1.2–1.7 s with an fsync each, 0.2 s written first and flushed once). So on Linux the files are
 * written without fsync and the destination's file system is flushed once at the end
 * (`sync -f`, i.e. syncfs(2)); where that is not available, or when the restore writes only a
 * few files (starting `sync` costs more than their fsyncs: ≈ 20 ms of CPU for one file), the
 * restored files are fsync'd one by one at the end. Elsewhere (macOS, Windows) each file is
 * fsync'd as it is written. Either way every restored file and folder is durable before `finish` returns.
 */
import type * as ChildProcess from 'node:child_process';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { fsyncDir } from '../durable-fs.js';

/** The durability plan of one restore (whether files are fsync'd as written: {@link fsyncsEachFile}). */
export interface RestoreFlush {
  /** Makes every restored file and folder durable. Throws the fs error of a file that cannot be synced. */
  finish(files: Iterable<Buffer>, folders: Iterable<Buffer>): void;
}

/** Flushes the whole file system holding `path` (Linux `sync -f`); false when that is not available. */
export function syncFileSystem(path: string): boolean {
  try {
    // Loaded on first use: most restores of a few files never start a process.
    const { execFileSync } = process.getBuiltinModule('node:child_process') as typeof ChildProcess;
    execFileSync('sync', ['-f', path], { stdio: 'ignore', timeout: 10 * 60_000 });
    return true;
  } catch {
    return false;
  }
}

function fsyncEach(files: Iterable<Buffer>): void {
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** True where a restore fsyncs each file as it writes it (not Linux: see module doc). */
export function fsyncsEachFile(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'linux';
}

/** Up to this many files, a Linux restore fsyncs them (and its folders) rather than flushing the file system. */
export const FEW_FILES = 16;

/**
 * The plan for restoring into `dest` on `platform`; `syncFs` is replaceable for tests. `files`:
 * how many files the restore writes, when known (see module doc).
 */
export function restoreFlush(
  dest: string,
  platform: NodeJS.Platform = process.platform,
  syncFs: (path: string) => boolean = syncFileSystem,
  files: number = Number.POSITIVE_INFINITY,
): RestoreFlush {
  if (fsyncsEachFile(platform)) {
    return {
      finish: (_files, folders) => {
        for (const d of folders) fsyncDir(d);
      },
    };
  }
  return {
    finish(restored, folders) {
      if (files > FEW_FILES && syncFs(dest)) return;
      fsyncEach(restored);
      for (const d of folders) fsyncDir(d);
    },
  };
}
