/**
 * Interrupted seals on the attached drives: `SCELLE-<id>/` folders with a `.seal-state.json`
 * and no `manifest.json`, as the technicians' dashboard lists them. The state file is hostile
 * input (the drive was out of the station's hands): it is read by the engine's reader
 * (regular file only, never through a link, bounded size, its drive id must be its folder's),
 * and a state it refuses is listed with the refusal's code, never trusted. Holds no secret:
 * the wrapped resume key is not returned. The listing reads the drive, so it runs in the engine
 * (the `interrupted` call of engine-protocol.ts), never on the main process.
 */
import { findUnfinishedSeals } from '../shared/engine/seal/unfinished-seals.js';
import { readSealState, type SealState } from '../shared/engine/seal/seal-state.js';
import { isScelleError } from '../shared/errors/scelle-error.js';

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
  /** A member of a sealed set: the set's id, this member's position and the set's size; null for a drive sealed alone (or a refused state). */
  set: { id: string; position: number; members: number } | null;
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
        out.push({ volumeId: v.id, driveDir, driveId: null, sources: [], startedAt: null, partsDone: 0, partsTotal: null, bytesDone: 0, problem: e.code, set: null });
        continue;
      }
      out.push({
        volumeId: v.id,
        driveDir,
        driveId: state.driveId,
        sources: [...state.sources],
        startedAt: state.createdAt,
        partsDone: state.parts.length,
        partsTotal: state.partCount ?? null,
        bytesDone: state.parts.reduce((n, p) => n + p.plaintextSize, 0),
        problem: null,
        set: state.set ? { id: state.set.id, position: state.set.position, members: state.set.members } : null,
      });
    }
  }
  return out;
}
