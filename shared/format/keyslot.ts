/**
 * Keyslots of scelle/1 (DESIGN §3): the 32-byte data key wrapped once per recipient with
 * AES-256-GCM-SIV (RFC 8452, random 12-byte nonce, 48-byte output).
 *
 * - `unlock-code`: KEK = Argon2id(password = canonical unlock code as UTF-8, salt = 16 random
 *   bytes, m = 65536 KiB, t = 3, p = 1, 32 bytes); AAD = `scelle/1 keyslot unlock-code <driveId>`.
 * - `x25519`: shared = X25519(ephemeral secret, recipient public); KEK = HKDF-SHA256(ikm = shared,
 *   salt = ephemeral public || recipient public, info = `scelle/1 keyslot x25519 <driveId>`, 32);
 *   AAD = the same info string. An all-zero shared secret (low-order point) is rejected.
 *
 * The JSON shapes here are those of `manifest.json` (base64 = RFC 4648 standard with padding).
 */
import { gcmsiv } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdfSync } from 'node:crypto';
import { x25519PublicKey, x25519SharedSecret } from './curves-native.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { argon2id } from './argon2id.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { isValidDriveId } from './drive-id.js';
import { base64Bytes, describeIssues, printableId } from './json-schemas.js';
import { canonicalizeUnlockCode } from './unlock-code.js';

/** Argon2id parameters written by this version (DESIGN §3). */
export const ARGON2ID_PARAMS = Object.freeze({ m: 65536, t: 3, p: 1 });

/**
 * Accepted Argon2id parameters when reading a keyslot: never weaker than what we write, never so
 * large that a forged manifest could make us allocate more than 1 GiB or run for minutes.
 */
export const ARGON2ID_BOUNDS = Object.freeze({
  m: { min: 65536, max: 1048576 },
  t: { min: 3, max: 16 },
  p: { min: 1, max: 8 },
});

/** An `unlock-code` keyslot as stored in manifest.json. */
export interface UnlockCodeKeyslot {
  type: 'unlock-code';
  kdf: { alg: 'argon2id'; m: number; t: number; p: number; salt: string };
  nonce: string;
  wrapped: string;
}

/** An `x25519` keyslot as stored in manifest.json. `label` is public: never personal data. */
export interface X25519Keyslot {
  type: 'x25519';
  label: string;
  recipient: string;
  ephemeral: string;
  nonce: string;
  wrapped: string;
}

/** Any keyslot of scelle/1. */
export type Keyslot = UnlockCodeKeyslot | X25519Keyslot;

/** The keyslot types this version understands. */
export const KEYSLOT_TYPES: readonly Keyslot['type'][] = ['unlock-code', 'x25519'];

/** A secret that may open a keyslot (same shape as DriveSecret in shared/engine/api.ts). */
export type KeyslotSecret = { kind: 'unlock-code'; code: string } | { kind: 'x25519'; secretKey: Uint8Array };

const boundedInt = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

/** Zod schema of {@link UnlockCodeKeyslot}, including {@link ARGON2ID_BOUNDS}. */
export const unlockCodeKeyslotSchema = z.object({
  type: z.literal('unlock-code'),
  kdf: z.object({
    alg: z.literal('argon2id'),
    m: boundedInt(ARGON2ID_BOUNDS.m),
    t: boundedInt(ARGON2ID_BOUNDS.t),
    p: boundedInt(ARGON2ID_BOUNDS.p),
    salt: base64Bytes(16),
  }),
  nonce: base64Bytes(12),
  wrapped: base64Bytes(48),
});

/** Zod schema of {@link X25519Keyslot}. */
export const x25519KeyslotSchema = z.object({
  type: z.literal('x25519'),
  label: printableId,
  recipient: base64Bytes(32),
  ephemeral: base64Bytes(32),
  nonce: base64Bytes(12),
  wrapped: base64Bytes(48),
});

/** Zod schema of {@link Keyslot}, discriminated by `type`. */
export const keyslotSchema = z.discriminatedUnion('type', [unlockCodeKeyslotSchema, x25519KeyslotSchema]);

/** GCM-SIV associated data of an unlock-code keyslot. */
export function unlockCodeKeyslotAad(driveId: string): string {
  return `scelle/1 keyslot unlock-code ${driveId}`;
}

/** HKDF info and GCM-SIV associated data of an x25519 keyslot. */
export function x25519KeyslotInfo(driveId: string): string {
  return `scelle/1 keyslot x25519 ${driveId}`;
}

const utf8 = new TextEncoder();

function requireDriveId(driveId: string): void {
  if (!isValidDriveId(driveId)) throw new ScelleError('E_INTERNAL', 'Invalid drive id given to the keyslot code.');
}

function requireDataKey(dataKey: Uint8Array): void {
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== 32) {
    throw new ScelleError('E_INTERNAL', 'The data key must be 32 bytes.');
  }
}

function requireKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new ScelleError('E_KEY_INVALID', `The ${what} must be 32 bytes.`, { length: key instanceof Uint8Array ? key.length : -1 });
  }
}

function cancelledError(): ScelleError {
  return new ScelleError('E_CANCELLED', 'the operation was cancelled');
}

/**
 * Native Argon2id where the runtime has it, else @noble/hashes (argon2id.ts); neither blocks
 * the event loop for long, so the UI and progress timers keep running during the derivation.
 * A cancellation rejects at once with E_CANCELLED; the derivation under way (≈ 0.4–1.5 s)
 * finishes in the background and its key is wiped.
 */
function deriveUnlockCodeKek(canonical: string, salt: Uint8Array, p: { m: number; t: number; p: number }, signal?: AbortSignal): Promise<Uint8Array> {
  if (signal?.aborted) return Promise.reject(cancelledError());
  const derivation = argon2id(utf8.encode(canonical), salt, { m: p.m, t: p.t, p: p.p, dkLen: 32 });
  if (!signal) return derivation;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(cancelledError());
      derivation.then(
        (k) => k.fill(0),
        () => undefined,
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    derivation.then(
      (k) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) k.fill(0);
        else resolve(k);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** X25519 + HKDF; null when the shared secret is unusable (low-order point, all-zero). */
function deriveX25519Kek(secret: Uint8Array, peerPublic: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, driveId: string): Uint8Array | null {
  let shared: Uint8Array;
  try {
    shared = x25519SharedSecret(secret, peerPublic);
  } catch {
    return null; // a low-order point (all-zero secret) is rejected
  }
  if (shared.every((b) => b === 0)) return null;
  const salt = new Uint8Array(64);
  salt.set(ephemeralPublic, 0);
  salt.set(recipientPublic, 32);
  const kek = new Uint8Array(hkdfSync('sha256', shared, salt, utf8.encode(x25519KeyslotInfo(driveId)), 32));
  shared.fill(0);
  return kek;
}

function seal(kek: Uint8Array, aad: string, dataKey: Uint8Array): { nonce: Uint8Array; wrapped: Uint8Array } {
  const nonce = randomBytes(12);
  const wrapped = gcmsiv(kek, nonce, utf8.encode(aad)).encrypt(dataKey);
  kek.fill(0);
  return { nonce, wrapped };
}

/** GCM-SIV open; null when authentication fails. Always wipes the KEK. */
function open(kek: Uint8Array, nonce: Uint8Array, aad: string, wrapped: Uint8Array): Uint8Array | null {
  try {
    return gcmsiv(kek, nonce, utf8.encode(aad)).decrypt(wrapped);
  } catch {
    return null;
  } finally {
    kek.fill(0);
  }
}

/**
 * Wraps the data key for an unlock code (Argon2id with {@link ARGON2ID_PARAMS}, fresh salt and
 * nonce). Takes about half a second (native Argon2id) to a second (@noble/hashes); yields to the
 * event loop meanwhile.
 * @param canonicalCode the unlock code; canonicalized again here, so the display form works too.
 * @throws ScelleError E_KEY_UNLOCK_CODE_FORMAT / E_KEY_UNLOCK_CODE_TYPO for a bad code;
 *   E_INTERNAL for a data key that is not 32 bytes or an invalid drive id.
 */
export async function wrapForUnlockCode(dataKey: Uint8Array, canonicalCode: string, driveId: string): Promise<UnlockCodeKeyslot> {
  requireDataKey(dataKey);
  requireDriveId(driveId);
  const derived = await deriveUnlockCodeKey(canonicalCode);
  try {
    return wrapWithUnlockCodeKey(dataKey, derived, driveId);
  } finally {
    derived.kek.fill(0);
  }
}

/** The slow half of an unlock-code keyslot: Argon2id of the code under a fresh salt (needs neither the data key nor the drive). */
export async function deriveUnlockCodeKey(canonicalCode: string): Promise<{ kek: Uint8Array; salt: Uint8Array }> {
  const canonical = canonicalizeUnlockCode(canonicalCode);
  const salt = randomBytes(16);
  return { kek: await deriveUnlockCodeKek(canonical, salt, ARGON2ID_PARAMS), salt };
}

/** The fast half: wraps `dataKey` with a key from {@link deriveUnlockCodeKey}, bound to `driveId`. */
export function wrapWithUnlockCodeKey(dataKey: Uint8Array, derived: { kek: Uint8Array; salt: Uint8Array }, driveId: string): UnlockCodeKeyslot {
  requireDataKey(dataKey);
  requireDriveId(driveId);
  const { nonce, wrapped } = seal(derived.kek, unlockCodeKeyslotAad(driveId), dataKey);
  return {
    type: 'unlock-code',
    kdf: { alg: 'argon2id', ...ARGON2ID_PARAMS, salt: encodeBase64(derived.salt) },
    nonce: encodeBase64(nonce),
    wrapped: encodeBase64(wrapped),
  };
}

/**
 * Wraps the data key for an X25519 recipient (provider escrow, customer key) with a fresh
 * ephemeral key pair.
 * @param label public name of the recipient (e.g. "escrow"); never personal data.
 * @throws ScelleError E_KEY_INVALID when the public key is not 32 bytes or is a low-order point;
 *   E_INTERNAL for a bad data key, drive id or label.
 */
export function wrapForX25519(dataKey: Uint8Array, recipientPublicKey: Uint8Array, driveId: string, label: string): X25519Keyslot {
  requireDataKey(dataKey);
  requireDriveId(driveId);
  requireKey(recipientPublicKey, 'recipient public key');
  if (!printableId.safeParse(label).success) throw new ScelleError('E_INTERNAL', 'Keyslot label must be 1 to 128 printable characters.');
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519PublicKey(ephemeralSecret);
  const kek = deriveX25519Kek(ephemeralSecret, recipientPublicKey, ephemeralPublic, recipientPublicKey, driveId);
  ephemeralSecret.fill(0);
  if (kek === null) throw new ScelleError('E_KEY_INVALID', 'The recipient public key is not a usable X25519 key (low-order point).');
  const { nonce, wrapped } = seal(kek, x25519KeyslotInfo(driveId), dataKey);
  return {
    type: 'x25519',
    label,
    recipient: encodeBase64(recipientPublicKey),
    ephemeral: encodeBase64(ephemeralPublic),
    nonce: encodeBase64(nonce),
    wrapped: encodeBase64(wrapped),
  };
}

function validSlot<T extends Keyslot>(schema: z.ZodType<T>, slot: unknown, index: number): T {
  const r = schema.safeParse(slot);
  if (!r.success) throw new ScelleError('E_FORMAT_MANIFEST', `Keyslot ${index} is malformed: ${describeIssues(r.error)}.`, { keyslot: index });
  return r.data;
}

function b64(text: string, length: number): Uint8Array {
  const bytes = decodeBase64(text, length);
  if (bytes === null) throw new ScelleError('E_FORMAT_MANIFEST', 'Keyslot field is not valid base64.'); // unreachable after schema validation
  return bytes;
}

/**
 * Recovers the data key from the first keyslot that `secret` opens. Only slots of the secret's
 * kind are tried, and an x25519 slot only when its recipient equals the secret's public key. Every
 * candidate slot is validated (shape, base64 lengths, Argon2id bounds) before any KDF runs.
 * An unlock code is canonicalized first, so a typo fails in microseconds, not after Argon2id.
 * @returns the 32-byte data key.
 * @throws ScelleError E_KEY_UNLOCK_CODE_FORMAT / E_KEY_UNLOCK_CODE_TYPO for a malformed code;
 *   E_FORMAT_MANIFEST for a malformed candidate slot or KDF parameters out of bounds;
 *   E_KEY_INVALID for an x25519 secret key that is not 32 bytes; E_KEY_WRONG when no slot opens
 *   (wrong secret, no slot for this secret, tampered slot or wrong drive id);
 *   E_INTERNAL for an invalid drive id; E_CANCELLED when `signal` aborts (checked before each
 *   slot and between Argon2id blocks, so a drive with slow slots never holds the unlock hostage).
 */
export async function unwrapKeyslots(slots: readonly Keyslot[], secret: KeyslotSecret, driveId: string, signal?: AbortSignal): Promise<Uint8Array> {
  requireDriveId(driveId);
  if (signal?.aborted) throw cancelledError();
  if (secret.kind === 'unlock-code') {
    const canonical = canonicalizeUnlockCode(secret.code);
    const candidates = slots.flatMap((slot, i) => (slot.type === 'unlock-code' ? [validSlot(unlockCodeKeyslotSchema, slot, i)] : []));
    for (const slot of candidates) {
      // A cancellation between slots stops here: the derivation checks the signal before it starts.
      const kek = await deriveUnlockCodeKek(canonical, b64(slot.kdf.salt, 16), slot.kdf, signal);
      const key = open(kek, b64(slot.nonce, 12), unlockCodeKeyslotAad(driveId), b64(slot.wrapped, 48));
      if (key) return key;
    }
    throw new ScelleError('E_KEY_WRONG', candidates.length === 0 ? 'This drive has no unlock-code keyslot.' : 'The unlock code does not open this drive.', {
      tried: candidates.length,
    });
  }
  requireKey(secret.secretKey, 'X25519 secret key');
  const publicKey = x25519PublicKey(secret.secretKey);
  const publicB64 = encodeBase64(publicKey);
  const candidates = slots.flatMap((slot, i) => (slot.type === 'x25519' ? [validSlot(x25519KeyslotSchema, slot, i)] : [])).filter((s) => s.recipient === publicB64);
  for (const slot of candidates) {
    const ephemeral = b64(slot.ephemeral, 32);
    const kek = deriveX25519Kek(secret.secretKey, ephemeral, ephemeral, publicKey, driveId);
    if (kek === null) continue;
    const key = open(kek, b64(slot.nonce, 12), x25519KeyslotInfo(driveId), b64(slot.wrapped, 48));
    if (key) return key;
  }
  throw new ScelleError('E_KEY_WRONG', candidates.length === 0 ? 'No keyslot of this drive is for this key.' : 'The key does not open this drive.', { tried: candidates.length });
}
