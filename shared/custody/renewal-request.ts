/**
 * Station certificate renewal requests (docs/CUSTODY.md §5, `POST /v1/stations/renew`): the
 * station proves it holds its key by signing, with it, a short statement naming itself, the key
 * and the time. The custody service, which authenticates the station's token too, answers with
 * a short-lived certificate signed by its issuing key. Signature = Ed25519 over the RFC 8785
 * canonical JSON of the statement (the `type` separates it from events and handoffs).
 */
import { ed25519Sign, ed25519Verify } from '../format/curves-native.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { issuingCertificateSchema, MAX_STATION_VALIDITY_DAYS, stationCertificateSchema } from '../format/station.js';
import { AUTHOR_ID_RE, canonicalBytes, decodeBase64Strict, encodeBase64, publicKeyOf } from './event.js';
import { publicKeyB64, rfc3339Utc } from './event-data.js';

/** The `type` of every renewal statement. */
export const RENEWAL_TYPE = 'scelle/1 station certificate renewal';

/** What the station signs. `validityDays`: the life asked for (the service may give less). */
export const renewalStatementSchema = z.strictObject({
  type: z.literal(RENEWAL_TYPE),
  stationId: z.string().regex(AUTHOR_ID_RE),
  publicKey: publicKeyB64,
  at: rfc3339Utc,
  validityDays: z.number().int().min(1).max(MAX_STATION_VALIDITY_DAYS).optional(),
});
/** A renewal statement. */
export type RenewalStatement = z.output<typeof renewalStatementSchema>;

/** The request body: the statement and the station key's signature over it (base64). */
export const renewalRequestSchema = z.strictObject({
  statement: renewalStatementSchema,
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected base64 of a 64-byte signature'),
});
/** A signed renewal request. */
export type RenewalRequest = z.output<typeof renewalRequestSchema>;

/** The service's answer (201): the new station certificate and the issuing certificate that signs it. */
export const renewalAnswerSchema = z.object({
  certificate: stationCertificateSchema,
  issuingCertificate: issuingCertificateSchema,
  certificateSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
/** A renewal answer (check it with verifyStationCertificate before using it). */
export type RenewalAnswer = z.output<typeof renewalAnswerSchema>;

/**
 * Signs a renewal request for `stationId` with the station's 32-byte Ed25519 secret key.
 * @throws ScelleError E_USAGE on a malformed id, time or validity; E_CUSTODY_SIGNATURE on a bad key length.
 */
export function signRenewalRequest(input: { stationId: string; at: Date; validityDays?: number }, secretKey: Uint8Array): RenewalRequest {
  const publicKey = publicKeyOf(secretKey);
  const parsed = renewalStatementSchema.safeParse({
    type: RENEWAL_TYPE,
    stationId: input.stationId,
    publicKey,
    at: input.at.toISOString(),
    ...(input.validityDays !== undefined ? { validityDays: input.validityDays } : {}),
  });
  if (!parsed.success) throw new ScelleError('E_USAGE', `malformed renewal request: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { statement: parsed.data, signature: encodeBase64(ed25519Sign(canonicalBytes(parsed.data), secretKey)) };
}

/** True when `r.signature` is a valid strict Ed25519 signature of `r.statement` by the key it names. Never throws. */
export function verifyRenewalSignature(r: RenewalRequest): boolean {
  try {
    const pub = decodeBase64Strict(r.statement.publicKey, 32);
    const sig = decodeBase64Strict(r.signature, 64);
    if (!pub || !sig) return false;
    return ed25519Verify(sig, canonicalBytes(r.statement), pub);
  } catch {
    return false;
  }
}
