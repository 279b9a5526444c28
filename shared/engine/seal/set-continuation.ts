/**
 * A set seal stopped between two members (docs/FORMAT.md §11): the technician was asked for the
 * next drive and cancelled (no drive at hand, end of the day). The members sealed so far are whole
 * drives and may be detached; the next member was never started, so no drive holds the set's plan
 * and keys. The station keeps them in a folder of its own (the CLI's home, the app's data folder)
 * as the seal state the next member starts from: the plan, the sources' fingerprint, and the data
 * key (and unlock code) wrapped to the station's resume key, as in a member's state file. A resume
 * (`seal --resume` with the next drive) continues from it with the same key and code; it is
 * removed once a member after it holds its own state, or the set is sealed.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError, isScelleError } from '../../errors/scelle-error.js';
import { FORMAT_LIMITS } from '../../format/limits.js';
import { DRIVE_ID_PATTERN } from '../../format/drive-id.js';
import { readDriveFile } from '../drive-files.js';
import { fsyncDir, writeFileDurable } from '../durable-fs.js';
import { parseSealState, type SealState } from './seal-state.js';

const SUFFIX = '.set-continuation.json';

/** The file of set `setId`'s continuation in `dir`. */
function fileOf(setId: string): string {
  return `${setId}${SUFFIX}`;
}

/**
 * Records where set `state.set.id` continues: `state` is the seal state of its next member
 * (position `state.set.position`, no parts yet). Replaces an earlier record of the same set.
 * @throws ScelleError E_TARGET_IO when the folder cannot be written.
 */
export function writeSetContinuation(dir: string, state: SealState): void {
  if (!state.set) throw new ScelleError('E_INTERNAL', 'a set continuation needs the set plan');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileDurable(join(dir, fileOf(state.set.id)), JSON.stringify(state));
  } catch (e) {
    if (e instanceof ScelleError) throw e;
    throw new ScelleError('E_TARGET_IO', `cannot record where the set seal continues in ${dir}: ${(e as Error).message}`, { path: dir }, { cause: e });
  }
}

/** Forgets set `setId`'s continuation (nothing when there is none). */
export function removeSetContinuation(dir: string, setId: string): void {
  if (!DRIVE_ID_PATTERN.test(setId)) return;
  rmSync(join(dir, fileOf(setId)), { force: true });
  try {
    fsyncDir(dir);
  } catch {
    /* the folder is gone: nothing to make durable */
  }
}

/**
 * The continuation of a set seal of `sources` started by station `stationId`, or null when there
 * is none. Each record is read as untrusted input (a regular file of bounded size, never through a
 * link, checked against the seal state's schema).
 * @throws ScelleError E_RESUME_MISMATCH when a record is damaged or two sets of these sources
 *   were stopped (the message names them: seal again, or remove one).
 */
export function findSetContinuation(dir: string, stationId: string, sources: readonly string[]): SealState | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const found: SealState[] = [];
  for (const name of names.sort()) {
    let state: SealState;
    try {
      state = parseSealState(readDriveFile(dir, name, FORMAT_LIMITS.sealStateBytes).toString('utf8'));
      if (!state.set || name !== fileOf(state.set.id) || state.parts.length !== 0) throw new Error('not the record of a set continuation');
    } catch (e) {
      if (isScelleError(e, 'E_FORMAT_UNSAFE_ENTRY') || isScelleError(e, 'E_FORMAT_LIMIT')) throw e;
      throw new ScelleError(
        'E_RESUME_MISMATCH',
        `the record of a stopped set seal (${join(dir, name)}) is damaged; delete it and seal again`,
        { path: join(dir, name) },
        { cause: e },
      );
    }
    if (state.stationId === stationId && JSON.stringify(state.sources) === JSON.stringify(sources)) found.push(state);
  }
  if (found.length > 1) {
    throw new ScelleError(
      'E_RESUME_MISMATCH',
      `two set seals of these sources were stopped (${found.map((s) => s.set!.id).join(', ')}); delete the record of the one to abandon in ${dir}`,
      { path: dir },
    );
  }
  return found[0] ?? null;
}
