/**
 * What a resume from the dashboard seals: the one interrupted seal on the chosen drive (as the
 * engine just listed it, interrupted-seals.ts), or a set this station stopped at the question for
 * the next drive (its record, set-continuation.ts), and the sources recorded there, checked to be
 * still there. Main-process side: reads no drive file, grants no path to the renderer.
 */
import { lstatSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ERROR_CODES, ScelleError, type ScelleErrorCode } from '../shared/errors/scelle-error.js';
import type { AttachedDrive } from '../shared/drives/index.js';
import type { SetContinuationInfo } from '../shared/engine/seal/set-continuation.js';
import type { InterruptedSeal } from './interrupted-seals.js';

/**
 * The one interrupted seal on a volume that a resume would continue, from that volume's listing
 * (findInterruptedSeals, run again in the engine just before: the drive may have changed).
 * @throws ScelleError E_RESUME_MISMATCH when the volume holds none or several; the state's own
 *   refusal code (E_RESUME_MISMATCH, E_FORMAT_UNSAFE_ENTRY, E_FORMAT_LIMIT) when it was refused.
 */
export function resumableSeal(found: readonly InterruptedSeal[]): InterruptedSeal {
  if (found.length !== 1) {
    throw new ScelleError(
      'E_RESUME_MISMATCH',
      found.length === 0
        ? 'there is no interrupted seal on this drive to resume; list the drives again'
        : `${found.length} interrupted seals are on this drive; keep only the one to resume`,
      { count: found.length },
    );
  }
  const seal = found[0]!;
  if (seal.problem !== null) {
    const code = (ERROR_CODES as readonly string[]).includes(seal.problem) ? (seal.problem as ScelleErrorCode) : 'E_RESUME_MISMATCH';
    throw new ScelleError(code, `the interrupted seal in ${seal.driveDir} cannot be resumed: its state file was refused; delete the folder and seal again`, {
      path: seal.driveDir,
    });
  }
  return seal;
}

/**
 * The sources a resume seals: exactly those the state recorded, each an absolute path that is
 * still there (not followed if it is a link: the engine stores links as links). They go to the
 * engine from the main side; the renderer is granted none of them.
 * @throws ScelleError E_RESUME_MISMATCH when a source is not an absolute path or is gone.
 */
export function recordedSources(state: Pick<InterruptedSeal, 'sources'>): string[] {
  for (const source of state.sources) {
    let there = isAbsolute(source);
    if (there) {
      try {
        lstatSync(source);
      } catch {
        there = false;
      }
    }
    if (!there)
      throw new ScelleError('E_RESUME_MISMATCH', `a source of the interrupted seal is no longer at ${source}; put it back or delete the unfinished folder and seal again`, {
        path: source,
      });
  }
  return [...state.sources];
}

/** What planResume reads: the listings made in the engine (drives and records are untrusted input) and the drives last listed. */
export interface ResumeLookup {
  interruptedOn(volumes: readonly AttachedDrive[]): Promise<InterruptedSeal[]>;
  stoppedSets(): Promise<SetContinuationInfo[]>;
  /** The drive ids of the sealed folders on `drive` (their names; nothing read inside). */
  sealedOn(drive: AttachedDrive): Promise<string[]>;
  drives: readonly AttachedDrive[];
}

/** What a resume seals onto its drive: the recorded sources and, for a set, the set and the other attached drives it goes on with. */
export interface ResumePlan {
  sources: string[];
  /**
   * A set resumed: its id, the other attached drives holding its unfinished members (position
   * order), and for a set stopped at the next-drive question the attached drives already holding
   * one of its members (they cannot take another); null for a drive sealed alone.
   */
  set: { id: string; more: AttachedDrive[]; holding: AttachedDrive[] } | null;
}

/** The error code a listed problem stands for (its own when it is one of ours). */
function problemCode(problem: string): ScelleErrorCode {
  return (ERROR_CODES as readonly string[]).includes(problem) ? (problem as ScelleErrorCode) : 'E_RESUME_MISMATCH';
}

/**
 * Plans the resume onto `drive`: with `continueSet`, the set of that id this station stopped at
 * the question for the next drive, continued onto `drive` (checked as a drive offered for a new
 * member: no unfinished seal on it, room for the member's parts as listed); without it, the one
 * interrupted seal on `drive` and, when it is a member of a set, the other attached drives
 * holding unfinished members of that set.
 * @throws ScelleError E_RESUME_MISMATCH (no such stopped set, nothing to resume, a source gone),
 *   a damaged record's or state's own code, E_USAGE (the drive holds a member of the set already),
 *   E_TARGET_NOT_EMPTY, E_TARGET_TOO_SMALL (details `needed`, `free`).
 */
export async function planResume(lookup: ResumeLookup, drive: AttachedDrive, continueSet?: string): Promise<ResumePlan> {
  if (continueSet !== undefined) {
    const record = (await lookup.stoppedSets()).find((s) => s.setId === continueSet);
    if (!record) throw new ScelleError('E_RESUME_MISMATCH', 'this station has no stopped set of this id; list the drives again', {});
    if (record.problem !== null)
      throw new ScelleError(problemCode(record.problem), 'the record of this stopped set was refused (damaged); it cannot be continued: seal the data again', {});
    const members = new Set(record.driveIds);
    const holding: AttachedDrive[] = [];
    for (const d of lookup.drives) if ((await lookup.sealedOn(d)).some((id) => members.has(id))) holding.push(d);
    if ((await lookup.sealedOn(drive)).some((id) => members.has(id)))
      throw new ScelleError('E_USAGE', 'this drive already holds a member of the set; attach another drive', { reason: 'set-member' });
    if ((await lookup.interruptedOn([drive])).length > 0)
      throw new ScelleError('E_TARGET_NOT_EMPTY', 'an unfinished seal is already on this drive; resume it or choose another drive', {});
    if (drive.freeBytes !== null && drive.freeBytes < record.plaintextBytes)
      throw new ScelleError('E_TARGET_TOO_SMALL', 'the drive has less free space than the member needs', { needed: record.plaintextBytes, free: drive.freeBytes });
    return { sources: recordedSources(record), set: { id: record.setId!, more: [], holding } };
  }
  const seal = resumableSeal(await lookup.interruptedOn([drive]));
  const sources = recordedSources(seal);
  if (!seal.set) return { sources, set: null };
  const setId = seal.set.id;
  const others = (await lookup.interruptedOn(lookup.drives.filter((d) => d.id !== drive.id)))
    .filter((s) => s.problem === null && s.set?.id === setId)
    .sort((a, b) => a.set!.position - b.set!.position);
  const more: AttachedDrive[] = [];
  for (const o of others) {
    const d = lookup.drives.find((x) => x.id === o.volumeId);
    if (d && !more.includes(d)) more.push(d);
  }
  return { sources, set: { id: setId, more, holding: [] } };
}
