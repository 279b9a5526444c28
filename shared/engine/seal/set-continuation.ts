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
 * link, checked against the seal state's schema). A damaged record is passed over, never trusted:
 * it cannot say whose sources it holds, and it must not stop the resume of another set (the
 * station lists it with its problem, listSetContinuations).
 * @throws ScelleError E_RESUME_MISMATCH when two sets of these sources were stopped (the message
 *   names them: seal again, or remove one).
 */
export function findSetContinuation(dir: string, stationId: string, sources: readonly string[]): SealState | null {
  const found: SealState[] = [];
  for (const { read } of readRecords(dir)) {
    if (read.problem === null && read.state.stationId === stationId && JSON.stringify(read.state.sources) === JSON.stringify(sources)) found.push(read.state);
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

/** Every record in `dir` in file name order, each read (see readRecord); none when `dir` does not exist. */
function readRecords(dir: string): { name: string; read: ReturnType<typeof readRecord> }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.sort().map((name) => ({ name, read: readRecord(dir, name) }));
}

/** Record `name` in `dir`, read as untrusted input: its state, or why it was refused (an error code). */
function readRecord(dir: string, name: string): { state: SealState; problem: null } | { state: null; problem: string } {
  try {
    const state = parseSealState(readDriveFile(dir, name, FORMAT_LIMITS.sealStateBytes).toString('utf8'));
    if (!state.set || name !== fileOf(state.set.id) || state.parts.length !== 0) return { state: null, problem: 'E_RESUME_MISMATCH' };
    return { state, problem: null };
  } catch (e) {
    return { state: null, problem: isScelleError(e, 'E_FORMAT_UNSAFE_ENTRY') || isScelleError(e, 'E_FORMAT_LIMIT') ? e.code : 'E_RESUME_MISMATCH' };
  }
}

/** A stopped set seal as a station lists it (no key, no wrapped slot). */
export interface SetContinuationInfo {
  /** The set's id; from the record's file name when the record is damaged (null when even that is not a set id). */
  setId: string | null;
  /** The member the set continues with, and how many members it has (0 when damaged). */
  position: number;
  members: number;
  /** Every member's drive id by position (public: each member's manifest names them); empty when damaged. */
  driveIds: string[];
  /** The sources the set seals (a continuation seals exactly these); empty when damaged. */
  sources: string[];
  /** When the set seal started, or null when damaged. */
  createdAt: string | null;
  /** Plaintext bytes the next member holds (its parts; the drive needs at least this free), 0 when damaged. */
  plaintextBytes: number;
  /** Why the record cannot be continued (an error code, e.g. E_RESUME_MISMATCH), or null. */
  problem: string | null;
}

/**
 * The set seals station `stationId` stopped at the question for the next drive, from the records
 * in `dir`, in file name order; [] when `dir` does not exist. Each record is read as untrusted
 * input (as findSetContinuation reads it); a damaged record is listed with `problem` set and
 * nothing read from it, never thrown; records of other stations are left out.
 * @throws only errors that are not about a record (e.g. EACCES on the folder itself).
 */
export function listSetContinuations(dir: string, stationId: string): SetContinuationInfo[] {
  const out: SetContinuationInfo[] = [];
  for (const { name, read } of readRecords(dir)) {
    const fromName = name.slice(0, -SUFFIX.length);
    if (read.problem !== null) {
      out.push({
        setId: DRIVE_ID_PATTERN.test(fromName) ? fromName : null,
        position: 0,
        members: 0,
        driveIds: [],
        sources: [],
        createdAt: null,
        plaintextBytes: 0,
        problem: read.problem,
      });
      continue;
    }
    const state = read.state;
    if (state.stationId !== stationId) continue;
    const set = state.set!;
    out.push({
      setId: set.id,
      position: set.position,
      members: set.members,
      driveIds: [...set.driveIds],
      sources: [...state.sources],
      createdAt: state.createdAt,
      plaintextBytes: (set.partCounts[set.position - 1] ?? 0) * state.partPlaintextSize,
      problem: null,
    });
  }
  return out;
}
