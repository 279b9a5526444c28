/**
 * The custody service's signed statements as the client sees them: receipts (one per stored
 * event) and checkpoints (signed Merkle tree heads). Wire format: docs/CUSTODY.md §5.
 */
import { ed25519Sign, ed25519Verify } from '../format/curves-native.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { canonicalBytes, decodeBase64Strict, UUID_V7_RE } from './event.js';
import { HEX_SHA256_RE, rfc3339Utc } from './event-data.js';

const hex64 = z.string().regex(HEX_SHA256_RE, 'expected lowercase hex SHA-256');
const keyId = z.string().regex(/^[0-9a-f]{16}$/, 'expected a 16-hex service key id');
const signature = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected base64 of a 64-byte signature');
const index = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * A receipt. Loose: fields the service adds later are kept, because the signature covers
 * every field but `signature`.
 */
export const receiptSchema = z.looseObject({
  eventId: z.string().regex(UUID_V7_RE, 'expected a lowercase UUIDv7'),
  eventHash: hex64,
  receivedAt: rfc3339Utc,
  leafIndex: index,
  serviceKeyId: keyId,
  signature,
});
/** A signed receipt for one stored event. */
export type Receipt = z.output<typeof receiptSchema>;

/** A signed checkpoint (tree head). Loose, for the same reason as receipts. */
export const checkpointSchema = z.looseObject({
  treeSize: index,
  rootHash: hex64,
  timestamp: rfc3339Utc,
  serviceKeyId: keyId.optional(),
  signature,
});
/** A signed checkpoint of the service's Merkle tree over all event hashes. */
export type Checkpoint = z.output<typeof checkpointSchema>;

/** Key id of a service public key: first 16 hex characters of SHA-256 of the raw 32 bytes. */
export function serviceKeyIdOf(publicKeyB64: string): string {
  const raw = decodeBase64Strict(publicKeyB64, 32);
  if (!raw) throw new ScelleError('E_USAGE', 'service public key must be base64 of 32 bytes');
  return Buffer.from(sha256(raw)).toString('hex').slice(0, 16);
}

function parseWith<T>(schema: z.ZodType<T>, what: string, json: unknown): T {
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw new ScelleError('E_CUSTODY_SYNC', `malformed ${what} at ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  return r.data;
}

/** Parses a receipt. @throws ScelleError E_CUSTODY_SYNC when malformed. */
export function parseReceipt(json: unknown): Receipt {
  return parseWith(receiptSchema, 'receipt', json);
}

/** Parses a checkpoint. @throws ScelleError E_CUSTODY_SYNC when malformed. */
export function parseCheckpoint(json: unknown): Checkpoint {
  return parseWith(checkpointSchema, 'checkpoint', json);
}

/**
 * True when `obj.signature` is a valid Ed25519 signature (strict RFC 8032) over the JCS of
 * `obj` without `signature`, by one of `serviceKeys` (base64). When `obj.serviceKeyId` is
 * present only the key with that id is tried. Never throws.
 */
export function verifyServiceSignature(obj: { signature: string; serviceKeyId?: string | undefined }, serviceKeys: readonly string[]): boolean {
  try {
    const sig = decodeBase64Strict(obj.signature, 64);
    if (!sig) return false;
    const { signature: _s, ...payload } = obj;
    const msg = canonicalBytes(payload);
    for (const k of serviceKeys) {
      if (obj.serviceKeyId !== undefined && serviceKeyIdOf(k) !== obj.serviceKeyId) continue;
      const pub = decodeBase64Strict(k, 32);
      if (pub && ed25519Verify(sig, msg, pub)) return true;
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * Signs `payload` as the service does (TEST and tooling use; the server has its own fast
 * signer): returns `{ ...payload, signature }`.
 * @throws ScelleError E_USAGE when the secret key is not 32 bytes.
 */
export function signServiceObject<T extends object>(payload: T, serviceSecretKey: Uint8Array): T & { signature: string } {
  if (serviceSecretKey.length !== 32) throw new ScelleError('E_USAGE', 'service secret key must be 32 bytes');
  const sig = ed25519Sign(canonicalBytes(payload), serviceSecretKey);
  return { ...payload, signature: Buffer.from(sig).toString('base64') };
}
