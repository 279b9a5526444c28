/**
 * Interrupted seals on the attached drives: `SCELLE-<id>/` folders with a `.seal-state.json`
 * and no `manifest.json`, as the technicians' dashboard lists them. The state file is hostile
 * input (the drive was out of the station's hands): it is read by the engine's reader
 * (regular file only, never through a link, bounded size, its drive id must be its folder's),
 * and a state it refuses is listed with the refusal's code, never trusted. Holds no secret:
 * the wrapped resume key is not returned.
 */
import { lstatSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { findUnfinishedSeals } from '../shared/engine/seal/seal.js';
import { readSealState, type SealState } from '../shared/engine/seal/seal-state.js';
import { ScelleError, isScelleError } from '../shared/errors/scelle-error.js';

/** One interrupted seal as the dashboard shows it. */
export interface InterruptedSeal {
  /** The attached drive (volume) it is on, as `drives.list` names it. */
  volumeId: string;
  /** The unfinished `SCELLE-<id>/` folder. */
  driveDir: string;
  /** The drive id from the state, or null when the state was refused. */
  driveId: string | null;
  /** The sources the seal started with (a resume seals exactly these). */
  sources: string[];
  startedAt: string | null;
  partsDone: number;
  /** How many parts the seal makes in all; null when the state does not say. */
  partsTotal: number | null;
  /** Plaintext bytes in the finished parts. */
  bytesDone: number;
  /** Why the state cannot be resumed (E_RESUME_MISMATCH, E_FORMAT_UNSAFE_ENTRY, E_FORMAT_LIMIT), or null. */
  problem: string | null;
}

/** One attached volume to look on. */
export interface VolumeRef {
  id: string;
  mountpoint: string;
}

/**
 * Lists the interrupted seals on `volumes`, in volume order then folder order. Never throws
 * for a bad drive: an unreadable, linked, oversized or damaged state gives a row with `problem`
 * set and nothing read from it. Other errors than ScelleErrors are rethrown.
 */
export function findInterruptedSeals(volumes: readonly VolumeRef[]): InterruptedSeal[] {
  const out: InterruptedSeal[] = [];
  for (const v of volumes) {
    for (const driveDir of findUnfinishedSeals(v.mountpoint).sort()) {
      let state: SealState;
      try {
        state = readSealState(driveDir);
      } catch (e) {
        if (!isScelleError(e)) throw e;
        out.push({ volumeId: v.id, driveDir, driveId: null, sources: [], startedAt: null, partsDone: 0, partsTotal: null, bytesDone: 0, problem: e.code });
        continue;
      }
      out.push({
        volumeId: v.id, driveDir, driveId: state.driveId, sources: [...state.sources], startedAt: state.createdAt,
        partsDone: state.parts.length, partsTotal: state.partCount ?? null,
        bytesDone: state.parts.reduce((n, p) => n + p.plaintextSize, 0), problem: null,
      });
    }
  }
  return out;
}

/**
 * The one interrupted seal on a volume that a resume would continue, read again now (the
 * drive may have changed since it was listed).
 * @throws ScelleError E_RESUME_MISMATCH when the volume holds none or several, or the state's
 *   own refusal (E_RESUME_MISMATCH, E_FORMAT_UNSAFE_ENTRY, E_FORMAT_LIMIT).
 */
export function resumableSealOn(volume: VolumeRef): SealState {
  const found = findUnfinishedSeals(volume.mountpoint);
  if (found.length !== 1) {
    throw new ScelleError('E_RESUME_MISMATCH', found.length === 0 ? 'there is no interrupted seal on this drive to resume; list the drives again' : `${found.length} interrupted seals are on this drive; keep only the one to resume`, { count: found.length });
  }
  return readSealState(found[0]!);
}

/**
 * The sources a resume seals: exactly those the state recorded, each an absolute path that is
 * still there (not followed if it is a link: the engine stores links as links). They go to the
 * engine from the main side; the renderer is granted none of them.
 * @throws ScelleError E_RESUME_MISMATCH when a source is not an absolute path or is gone.
 */
export function recordedSources(state: SealState): string[] {
  for (const source of state.sources) {
    let there = isAbsolute(source);
    if (there) {
      try {
        lstatSync(source);
      } catch {
        there = false;
      }
    }
    if (!there) throw new ScelleError('E_RESUME_MISMATCH', `a source of the interrupted seal is no longer at ${source}; put it back or delete the unfinished folder and seal again`, { path: source });
  }
  return [...state.sources];
}
