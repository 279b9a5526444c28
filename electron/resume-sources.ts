/**
 * What a resume from the dashboard seals: the one interrupted seal on the chosen drive (as the
 * engine just listed it, interrupted-seals.ts) and the sources its state recorded, checked to be
 * still there. Main-process side: reads no drive file, grants no path to the renderer.
 */
import { lstatSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ERROR_CODES, ScelleError, type ScelleErrorCode } from '../shared/errors/scelle-error.js';
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
