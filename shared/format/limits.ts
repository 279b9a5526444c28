/**
 * Bounds on what a drive may make a reader do. A drive is hostile input: without bounds, a
 * forged manifest could list a thousand keyslots each asking for a 1 GiB Argon2id, or a
 * multi-gigabyte manifest to be read whole. Each bound is far above what Scellé writes
 * (docs/FORMAT.md §8 lists them); beyond it the reader stops with E_FORMAT_LIMIT.
 */
import { ScelleError } from '../errors/scelle-error.js';
import { ARGON2ID_BOUNDS } from './keyslot.js';

/** The bounds (see module doc). */
export const FORMAT_LIMITS = Object.freeze({
  /** manifest.json, read whole (100,000 parts take about 15 MB). */
  manifestBytes: 32 << 20,
  /** manifest.sig (a base64 signature is 88 bytes). */
  signatureBytes: 4096,
  /** Keyslots of any type (Scellé writes one per recipient: an unlock code, escrow, a customer key). */
  keyslots: 16,
  /** unlock-code keyslots, each of which costs one Argon2id run to try. */
  unlockCodeKeyslots: 4,
  /** Payload parts (100 TiB at the default 1 GiB part size). */
  parts: 100_000,
  /** An unfinished seal's .seal-state.json, read whole. */
  sealStateBytes: 32 << 20,
  /** One line of the index (an entry line with two 64 KiB names stays far below; unknown fields may lengthen it). */
  indexLineBytes: 4 << 20,
});

function limitError(what: string, value: number, max: number): ScelleError {
  return new ScelleError('E_FORMAT_LIMIT', `${what} is ${value}, more than the ${max} a reader accepts: the drive is damaged or forged`, { what, value, max });
}

/**
 * Checks the counts and KDF parameters of a parsed (not yet validated) manifest before anything
 * else looks at them. Anything that is not the expected shape is left to the schema.
 * @throws ScelleError E_FORMAT_LIMIT naming the bound exceeded (`what`, `value`, `max`).
 */
export function checkManifestLimits(raw: Record<string, unknown>): void {
  const keyslots = raw.keyslots;
  if (Array.isArray(keyslots)) {
    if (keyslots.length > FORMAT_LIMITS.keyslots) throw limitError('keyslots', keyslots.length, FORMAT_LIMITS.keyslots);
    const unlock = keyslots.filter((k) => (k as { type?: unknown } | null)?.type === 'unlock-code');
    if (unlock.length > FORMAT_LIMITS.unlockCodeKeyslots) throw limitError('unlock-code keyslots', unlock.length, FORMAT_LIMITS.unlockCodeKeyslots);
    for (const slot of unlock) {
      const kdf = (slot as { kdf?: unknown }).kdf;
      if (typeof kdf !== 'object' || kdf === null) continue;
      for (const param of ['m', 't', 'p'] as const) {
        const v = (kdf as Record<string, unknown>)[param];
        const max = ARGON2ID_BOUNDS[param].max;
        if (typeof v === 'number' && v > max) throw limitError(`argon2id ${param}`, v, max);
      }
    }
  }
  const parts = (raw.payload as { parts?: unknown } | null | undefined)?.parts;
  if (Array.isArray(parts) && parts.length > FORMAT_LIMITS.parts) throw limitError('parts', parts.length, FORMAT_LIMITS.parts);
}

/**
 * Checks a size or count read from a drive against its bound.
 * @throws ScelleError E_FORMAT_LIMIT.
 */
export function checkLimit(what: string, value: number, max: number): void {
  if (value > max) throw limitError(what, value, max);
}
