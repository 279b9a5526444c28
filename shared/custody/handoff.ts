/**
 * Signed drive handoffs (docs/SERVER.md "Drive ownership"): the station that holds a drive
 * signs, with its Ed25519 station key, a statement handing the drive to another station. The
 * custody service accepts a station's handoff only with such a signature and keeps it as
 * evidence. Signature = Ed25519 over the RFC 8785 canonical JSON of the statement.
 */
import { ed25519Sign, ed25519Verify } from '../format/curves-native.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { AUTHOR_ID_RE, DRIVE_ID_RE, canonicalBytes, decodeBase64Strict, encodeBase64, publicKeyOf } from './event.js';
import { publicKeyB64, rfc3339Utc } from './event-data.js';

/** The `type` of every handoff statement (domain separation from events and receipts). */
export const HANDOFF_TYPE = 'scelle/1 custody handoff';

/** What the holding station signs. */
export const handoffStatementSchema = z.strictObject({
  type: z.literal(HANDOFF_TYPE),
  driveId: z.string().regex(DRIVE_ID_RE),
  fromStation: z.string().regex(AUTHOR_ID_RE),
  toStation: z.string().regex(AUTHOR_ID_RE),
  at: rfc3339Utc,
});
/** A handoff statement. */
export type HandoffStatement = z.output<typeof handoffStatementSchema>;

/** A statement with the holding station's public key and signature (base64). */
export const signedHandoffSchema = z.strictObject({
  statement: handoffStatementSchema,
  publicKey: publicKeyB64,
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected base64 of a 64-byte signature'),
});
/** A signed handoff. */
export type SignedHandoff = z.output<typeof signedHandoffSchema>;

/**
 * Signs a handoff of `driveId` from `fromStation` to `toStation` at `at` with the holding
 * station's 32-byte Ed25519 secret key.
 * @throws ScelleError E_USAGE on a malformed id or time; E_CUSTODY_SIGNATURE on a bad key length.
 */
export function signHandoff(input: { driveId: string; fromStation: string; toStation: string; at: Date }, secretKey: Uint8Array): SignedHandoff {
  const parsed = handoffStatementSchema.safeParse({
    type: HANDOFF_TYPE,
    driveId: input.driveId,
    fromStation: input.fromStation,
    toStation: input.toStation,
    at: input.at.toISOString(),
  });
  if (!parsed.success) throw new ScelleError('E_USAGE', `malformed handoff: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const publicKey = publicKeyOf(secretKey);
  return { statement: parsed.data, publicKey, signature: encodeBase64(ed25519Sign(canonicalBytes(parsed.data), secretKey)) };
}

/** True when `h.signature` is a valid strict Ed25519 signature of `h.statement` by `h.publicKey`. Never throws. */
export function verifyHandoffSignature(h: SignedHandoff): boolean {
  try {
    const pub = decodeBase64Strict(h.publicKey, 32);
    const sig = decodeBase64Strict(h.signature, 64);
    if (!pub || !sig) return false;
    return ed25519Verify(sig, canonicalBytes(h.statement), pub);
  } catch {
    return false;
  }
}
