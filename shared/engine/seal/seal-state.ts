/**
 * The state file of an unfinished seal (`.seal-state.json` in the drive folder). It lets a
 * seal interrupted by a pulled cable or a killed process resume without redoing finished
 * parts. It holds no key in clear: the data key is wrapped to an X25519 key derived from
 * the station's secret key, so only the same station can resume.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { x25519PublicKey } from '../../format/curves-native.js';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ScelleError, isScelleError } from '../../errors/scelle-error.js';
import { DRIVE_ID_PATTERN } from '../../format/drive-id.js';
import { keyslotSchema, type X25519Keyslot } from '../../format/keyslot.js';
import { partFileName } from '../../format/layout.js';
import { FORMAT_LIMITS } from '../../format/limits.js';
import { readDriveFile } from '../drive-files.js';
import { DRIVE_DIR_PREFIX, SEAL_STATE_FILE } from '../drive-layout.js';
import { writeFileDurable } from '../durable-fs.js';
import type { PartInfo } from '../payload/payload-writer.js';
import { trailerSetSchema, type TrailerSet } from '../../format/set.js';

/** What a resume needs. */
export interface SealState {
  format: 'scelle/1-seal-state';
  driveId: string;
  createdAt: string;
  sources: string[];
  fingerprint: string;
  partPlaintextSize: number;
  /** How many parts the seal makes in all (absent in states written before it was recorded). */
  partCount?: number;
  stationId: string;
  /** The data key wrapped to the station's resume key. */
  resumeSlot: X25519Keyslot;
  parts: PartInfo[];
  /** A member of a set (docs/FORMAT.md §11): the set's plan and this member's position. */
  set?: TrailerSet;
  /**
   * A member of a set: false while a member before it is still being written (all the drives were
   * attached at once; those members are sealed at the end), so a resume needs their drives too;
   * true (or absent) when every member before it was sealed and may have been detached.
   */
  predecessorsSealed?: boolean;
  /**
   * A set sealed with an unlock code: the code (canonical, padded to 32 bytes) wrapped to the
   * station's resume key like the data key, so that a resume gives the members left the same code.
   */
  unlockCodeSlot?: X25519Keyslot;
}

const partSchema = z.object({
  index: z.number().int().min(0),
  file: z.string(),
  size: z.number().int().min(0),
  plaintextSize: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const stateSchema = z
  .object({
    format: z.literal('scelle/1-seal-state'),
    driveId: z.string().regex(DRIVE_ID_PATTERN),
    createdAt: z.string(),
    sources: z.array(z.string()),
    fingerprint: z.string(),
    partPlaintextSize: z.number().int().positive(),
    partCount: z.number().int().min(1).max(FORMAT_LIMITS.parts).optional(),
    stationId: z.string(),
    resumeSlot: keyslotSchema,
    parts: z.array(partSchema).max(FORMAT_LIMITS.parts),
    set: trailerSetSchema.optional(),
    predecessorsSealed: z.boolean().optional(),
    unlockCodeSlot: keyslotSchema.optional(),
  })
  .superRefine((st, ctx) => {
    if (st.set && st.set.driveIds[st.set.position - 1] !== st.driveId) ctx.addIssue({ code: 'custom', path: ['set'], message: 'does not name this drive at its position' });
    // The finished parts are parts 0…k−1, in order, under the names a seal gives them.
    st.parts.forEach((p, n) => {
      if (p.index !== n || p.file !== partFileName(n)) ctx.addIssue({ code: 'custom', path: ['parts', n], message: 'not the expected part' });
    });
  });

/** The X25519 key pair a station uses to wrap resume state, derived from its Ed25519 seed. */
export function stationResumeKey(stationSecretKey: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = hkdf(sha256, stationSecretKey, new Uint8Array(0), new TextEncoder().encode('scelle/1 seal-resume'), 32);
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/** Writes the state durably (atomic replace). Throws E_TARGET_*. */
export function writeSealState(driveDir: string, state: SealState): void {
  writeFileDurable(join(driveDir, SEAL_STATE_FILE), JSON.stringify(state));
}

/**
 * Reads and validates the state of the unfinished seal in `driveDir` (hostile input: a regular
 * file of bounded size, never through a link; its drive id must be the folder's).
 * @throws ScelleError E_RESUME_MISMATCH when it is unreadable or damaged; E_FORMAT_UNSAFE_ENTRY
 *   when it is a link or not a regular file; E_FORMAT_LIMIT when it is oversized.
 */
export function readSealState(driveDir: string): SealState {
  try {
    const state = parseSealState(readDriveFile(driveDir, SEAL_STATE_FILE, FORMAT_LIMITS.sealStateBytes).toString('utf8'));
    if (basename(driveDir) !== `${DRIVE_DIR_PREFIX}${state.driveId}`) throw new Error('the state names another drive than its folder');
    return state;
  } catch (e) {
    if (isScelleError(e, 'E_FORMAT_UNSAFE_ENTRY') || isScelleError(e, 'E_FORMAT_LIMIT')) throw e;
    throw new ScelleError(
      'E_RESUME_MISMATCH',
      `the unfinished seal in ${driveDir} cannot be resumed: its state file is damaged; delete the folder and seal again`,
      { path: driveDir },
      { cause: e },
    );
  }
}

/**
 * A seal state from its JSON text, checked against the schema.
 * @throws Error (zod's or JSON's) when the text is not a valid state.
 */
export function parseSealState(text: string): SealState {
  const parsed = stateSchema.parse(JSON.parse(text));
  const { partCount, set, predecessorsSealed, unlockCodeSlot, ...rest } = parsed;
  return {
    ...rest,
    ...(partCount !== undefined ? { partCount } : {}),
    ...(set !== undefined ? { set } : {}),
    ...(predecessorsSealed !== undefined ? { predecessorsSealed } : {}),
    ...(unlockCodeSlot !== undefined ? { unlockCodeSlot: unlockCodeSlot as X25519Keyslot } : {}),
    resumeSlot: parsed.resumeSlot as X25519Keyslot,
  };
}
