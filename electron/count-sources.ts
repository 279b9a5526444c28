/**
 * Counts files, folders and bytes under the chosen sources without following symbolic links,
 * reporting as it goes (the "live counting" of the Technicien workspace).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ScelleError } from '../shared/errors/scelle-error.js';

/** Totals of a count. */
export interface SourceCount {
  files: number;
  directories: number;
  bytes: number;
}

/**
 * Walks `paths`; calls `onCount` at most every `intervalMs`. Errors: E_SOURCE_NOT_FOUND for a
 * missing source, E_SOURCE_UNREADABLE for an unreadable folder, E_CANCELLED when aborted.
 */
export async function countSources(paths: readonly string[], opts: { signal?: AbortSignal; onCount?: (c: SourceCount) => void; intervalMs?: number } = {}): Promise<SourceCount> {
  const c: SourceCount = { files: 0, directories: 0, bytes: 0 };
  let last = 0;
  const tick = () => {
    if (opts.signal?.aborted) throw new ScelleError('E_CANCELLED', 'counting was cancelled');
    const now = Date.now();
    if (opts.onCount && now - last >= (opts.intervalMs ?? 100)) {
      last = now;
      opts.onCount({ ...c });
    }
  };
  const walk = async (p: string, top: boolean): Promise<void> => {
    tick();
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      if (top) throw new ScelleError('E_SOURCE_NOT_FOUND', 'a source does not exist', { path: p }, { cause: e });
      return;
    }
    if (st.isDirectory()) {
      c.directories++;
      let names: string[];
      try {
        names = await readdir(p);
      } catch (e) {
        throw new ScelleError('E_SOURCE_UNREADABLE', 'a folder cannot be read', { path: p }, { cause: e });
      }
      for (const n of names) await walk(join(p, n), false);
    } else if (st.isFile()) {
      c.files++;
      c.bytes += st.size;
    } else if (st.isSymbolicLink()) {
      c.files++;
    }
  };
  for (const p of paths) await walk(p, true);
  opts.onCount?.({ ...c });
  return c;
}
