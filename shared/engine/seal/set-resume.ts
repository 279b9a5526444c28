/**
 * Finding what an interrupted set seal left (docs/FORMAT.md §9, §11): the members' state files in
 * the targets given (each a hostile input, read as seal-state.ts reads them), the members already
 * sealed there, and from these the set's plan and where the seal resumes: the first member that
 * is neither sealed nor holding all its parts. Members sealed and already detached (a seal that
 * asked for the next drive) are not needed: they are complete drives. A set stopped at the
 * question for the next drive left no member to resume: the station's record of it
 * (set-continuation.ts) says where it continues.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { sameLayout, setPartCountFor, type TrailerSet } from '../../format/set.js';
import { driveEntryKind } from '../drive-files.js';
import { MANIFEST_FILE, driveDirFor } from '../drive-layout.js';
import { readSealState, type SealState } from './seal-state.js';
import { checkResumable, findUnfinishedSeals } from './unfinished-seals.js';

/** An unfinished member found in a target. */
export interface UnfinishedMember {
  state: SealState;
  target: string;
  driveDir: string;
}

/** What a set seal left in the targets given. */
export interface SetLeftovers {
  /** The set's plan (every member's position aside). */
  plan: Omit<TrailerSet, 'position'>;
  /** Unfinished members by position. */
  unfinished: Map<number, UnfinishedMember>;
  /** Positions of members already sealed in the targets given, with their target. */
  sealed: Map<number, string>;
  /** The first position to write: its parts are resumed (or started) from there. */
  resumeAt: number;
  /** The station's record the set continues from, when no target holds an unfinished member (the state member `resumeAt` starts with). */
  continuation: SealState | null;
}

/**
 * Reads the unfinished set seal in `targets` made by station `stationId`; when they hold none,
 * the set stopped at the next-drive question that `continuation` (the station's record, see
 * set-continuation.ts) describes.
 * @throws ScelleError E_RESUME_MISMATCH (none, several sets, another station, a member twice, two members in one target,
 *   a plan that does not hold together, nothing left to write), E_FORMAT_UNSAFE_ENTRY (a link, FIFO or folder where the seal writes in an
 *   unfinished member), and what readSealState throws.
 */
export function findSetLeftovers(targets: readonly string[], stationId: string, continuation: SealState | null = null): SetLeftovers {
  const unfinished = new Map<number, UnfinishedMember>();
  let plan: Omit<TrailerSet, 'position'> | null = null;
  let first: SealState | null = null;
  for (const target of targets) {
    for (const driveDir of findUnfinishedSeals(target)) {
      const state = readSealState(driveDir);
      if (!state.set) throw new ScelleError('E_RESUME_MISMATCH', `${driveDir} is an unfinished seal of one drive, not of a set; resume it alone`, { path: driveDir });
      if (state.stationId !== stationId)
        throw new ScelleError('E_RESUME_MISMATCH', `the unfinished seal was started by station ${state.stationId}; only that station can resume it`);
      const { position, ...rest } = state.set;
      if (plan && plan.id !== rest.id)
        throw new ScelleError('E_RESUME_MISMATCH', `the targets hold unfinished members of two sets (${plan.id}, ${rest.id}); give the members of one`);
      if (unfinished.has(position)) throw new ScelleError('E_RESUME_MISMATCH', `member ${position} of set ${rest.id} is unfinished in two targets; keep one`, { path: driveDir });
      checkPlan(state, driveDir, first);
      // Every unfinished member is checked before anything is written: a member whose parts are all
      // finished is only closed (its index and manifest written), never opened as a sink that checks it.
      checkResumable(driveDir, state.set.partCounts[position - 1]!);
      plan ??= rest;
      first ??= state;
      unfinished.set(position, { state, target, driveDir });
    }
  }
  const resumedFrom = plan === null && continuation?.set ? continuation : null;
  if (resumedFrom) {
    checkPlan(resumedFrom, `the station's record of set ${resumedFrom.set!.id}`, null);
    const { position: _position, ...rest } = resumedFrom.set!;
    plan = rest;
  }
  if (!plan)
    throw new ScelleError('E_RESUME_MISMATCH', `there is no unfinished set seal in ${targets.join(', ')}, nor a set of these sources stopped at the next drive, to resume`, {
      path: targets[0] ?? '',
    });
  const sealed = new Map<number, string>();
  for (const target of targets) {
    plan.driveIds.forEach((driveId, i) => {
      if (driveEntryKind(driveDirFor(target, driveId), MANIFEST_FILE) === 'file') sealed.set(i + 1, target);
    });
  }
  // Each member has its own drive: two in one target were copied there (the seal gives each target one member).
  const where = new Map<string, number>();
  for (const [position, target] of [...[...unfinished].map(([p, u]) => [p, u.target] as const), ...sealed]) {
    const other = where.get(target);
    if (other !== undefined && other !== position)
      throw new ScelleError('E_RESUME_MISMATCH', `members ${other} and ${position} of set ${plan.id} are both in ${target}; each member is on a drive of its own`, {
        path: target,
      });
    where.set(target, position);
  }
  if (resumedFrom) return { plan, unfinished, sealed, resumeAt: resumedFrom.set!.position, continuation: resumedFrom };
  // A member neither sealed in the targets nor unfinished there was detached: fine once sealed, but
  // a member still being written when a later one started (drives attached at once) must be given.
  for (const [position, u] of unfinished) {
    if (u.state.predecessorsSealed !== false) continue;
    for (let p = 1; p < position; p++) {
      if (!unfinished.has(p) && !sealed.has(p))
        throw new ScelleError(
          'E_RESUME_MISMATCH',
          `member ${p} of set ${plan.id} (drive ${plan.driveIds[p - 1]}) was still being written when member ${position} started; attach its drive and give it too (--to)`,
          { path: u.driveDir, position: p },
        );
    }
  }
  let resumeAt = 0;
  for (let p = 1; p <= plan.members; p++) {
    const u = unfinished.get(p);
    if (sealed.has(p) || (u && u.state.parts.length === plan.partCounts[p - 1])) continue;
    if (!u && p < Math.max(...unfinished.keys())) continue; // sealed and detached
    resumeAt = p;
    break;
  }
  if (resumeAt === 0) resumeAt = plan.members + 1;
  return { plan, unfinished, sealed, resumeAt, continuation: null };
}

/**
 * A state file is not authenticated (only its keys are wrapped): the set's plan it carries must
 * make the set it names — part counts that cut the stream into its parts, this member's finished
 * parts within its count — and be the plan, sources and part size of the other unfinished members
 * (`first`), or the resume would write a layout no reader accepts.
 * @throws ScelleError E_RESUME_MISMATCH.
 */
function checkPlan(state: SealState, driveDir: string, first: SealState | null): void {
  const set = state.set!;
  const own = set.partCounts[set.position - 1]!;
  const problem =
    set.partCounts.reduce((a, b) => a + b, 0) !== setPartCountFor(set.totalSize, state.partPlaintextSize)
      ? `its set's part counts do not make ${set.totalSize} bytes in parts of ${state.partPlaintextSize}`
      : (state.partCount !== undefined && state.partCount !== own) || state.parts.length > own
        ? `member ${set.position} has ${state.parts.length} finished parts of ${state.partCount ?? own}, where the set's plan gives it ${own}`
        : first &&
            (!sameLayout(first.set!, set) ||
              first.partPlaintextSize !== state.partPlaintextSize ||
              first.fingerprint !== state.fingerprint ||
              JSON.stringify(first.sources) !== JSON.stringify(state.sources))
          ? `its plan differs from that of member ${first.set!.position}`
          : null;
  if (problem)
    throw new ScelleError('E_RESUME_MISMATCH', `the unfinished seal in ${driveDir} cannot be resumed: ${problem}; delete the set's unfinished folders and seal again`, {
      path: driveDir,
    });
}
