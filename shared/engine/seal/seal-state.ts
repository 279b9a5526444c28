/**
 * The state file of an unfinished seal (`.seal-state.json` in the drive folder). It lets a
 * seal interrupted by a pulled cable or a killed process resume without redoing finished
 * parts. It holds no key in clear: the data key is wrapped to an X25519 key derived from
 * the station's secret key, so only the same station can resume.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ScelleError } from '../../errors/scelle-error.js';
import { keyslotSchema, type X25519Keyslot } from '../../format/keyslot.js';
import { SEAL_STATE_FILE } from '../drive-layout.js';
import { writeFileDurable } from '../durable-fs.js';
import type { PartInfo } from '../payload/payload-writer.js';

/** What a resume needs. */
export interface SealState {
  format: 'scelle/1-seal-state';
  driveId: string;
  createdAt: string;
  sources: string[];
  fingerprint: string;
  partPlaintextSize: number;
  stationId: string;
  /** The data key wrapped to the station's resume key. */
  resumeSlot: X25519Keyslot;
  parts: PartInfo[];
}

const partSchema = z.object({ index: z.number().int().min(0), file: z.string(), size: z.number().int().min(0), plaintextSize: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const stateSchema = z.object({
  format: z.literal('scelle/1-seal-state'),
  driveId: z.string(),
  createdAt: z.string(),
  sources: z.array(z.string()),
  fingerprint: z.string(),
  partPlaintextSize: z.number().int().positive(),
  stationId: z.string(),
  resumeSlot: keyslotSchema,
  parts: z.array(partSchema),
});

/** The X25519 key pair a station uses to wrap resume state, derived from its Ed25519 seed. */
export function stationResumeKey(stationSecretKey: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = hkdf(sha256, stationSecretKey, new Uint8Array(0), new TextEncoder().encode('scelle/1 seal-resume'), 32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** Writes the state durably (atomic replace). Throws E_TARGET_*. */
export function writeSealState(driveDir: string, state: SealState): void {
  writeFileDurable(join(driveDir, SEAL_STATE_FILE), JSON.stringify(state));
}

/** Reads and validates the state. Throws E_RESUME_MISMATCH when it is unreadable. */
export function readSealState(driveDir: string): SealState {
  try {
    const parsed = stateSchema.parse(JSON.parse(readFileSync(join(driveDir, SEAL_STATE_FILE), 'utf8')));
    return { ...parsed, resumeSlot: parsed.resumeSlot as X25519Keyslot };
  } catch (e) {
    throw new ScelleError('E_RESUME_MISMATCH', `the unfinished seal in ${driveDir} cannot be resumed: its state file is damaged; delete the folder and seal again`, { path: driveDir }, { cause: e });
  }
}
