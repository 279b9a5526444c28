/**
 * The custody event model: wire format, canonical bytes, Ed25519 signatures and event hashes.
 * The exact format is specified in docs/CUSTODY.md; this module is its reference implementation.
 */
import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../format/curves-native.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import {
  CUSTOMER_EVENT_TYPES,
  EVENT_DATA_SCHEMAS,
  EVENT_TYPES,
  HEX_SHA256_RE,
  PROVIDER_EVENT_TYPES,
  publicKeyB64,
  rfc3339Utc,
  type EventDataMap,
  type EventType,
} from './event-data.js';

export { EVENT_TYPES, type EventType } from './event-data.js';

/** Who may author an event. Stations and staff write the provider lineage; customers the customer lineage. */
export type AuthorKind = 'station' | 'staff' | 'customer';
/** The two linear lineages of a drive's chain (see docs/CUSTODY.md, "Lineages"). */
export type Lineage = 'provider' | 'customer';

/** An unsigned custody event (wire format version 1). */
export interface CustodyEvent {
  v: 1;
  /** UUIDv7, lowercase. Unique across all drives; the idempotency key of sync. */
  id: string;
  driveId: string;
  /** position in its lineage, from 0. */
  seq: number;
  /** hex SHA-256 event hash of the previous event in the same lineage; null exactly when seq = 0. */
  prev: string | null;
  type: EventType;
  /** RFC 3339 UTC, the author's clock. */
  at: string;
  author: { kind: AuthorKind; id: string; publicKey: string /* base64 Ed25519, 32 bytes */ };
  data: Record<string, unknown>;
}

/** A custody event with its author's signature. */
export interface SignedEvent extends CustodyEvent {
  /** base64 Ed25519 signature over the RFC 8785 canonical JSON of the event without `sig`. */
  sig: string;
}

/** Drive ids are file-system safe (they name the `SCELLE-<driveId>/` folder). */
export const DRIVE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A lowercase RFC 9562 UUID version 7. */
export const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Author ids: opaque station ids, staff ids or `customer:<driveId>`; never a person's name. */
export const AUTHOR_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

const authorSchema = z.strictObject({
  kind: z.enum(['station', 'staff', 'customer']),
  id: z.string().regex(AUTHOR_ID_RE, 'expected an opaque author id'),
  publicKey: publicKeyB64,
});

const envelopeShape = {
  v: z.literal(1),
  id: z.string().regex(UUID_V7_RE, 'expected a lowercase UUIDv7'),
  driveId: z.string().regex(DRIVE_ID_RE, 'expected a drive id'),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  prev: z.string().regex(HEX_SHA256_RE, 'expected lowercase hex SHA-256').nullable(),
  type: z.enum(EVENT_TYPES),
  at: rfc3339Utc,
  author: authorSchema,
  data: z.record(z.string(), z.unknown()),
};

/** Per-event structural rules shared by unsigned and signed events. */
function refineEvent(e: z.output<z.ZodObject<typeof envelopeShape>>, ctx: z.RefinementCtx): void {
  const lineage: Lineage = e.author.kind === 'customer' ? 'customer' : 'provider';
  if ((e.seq === 0) !== (e.prev === null)) ctx.addIssue({ code: 'custom', path: ['prev'], message: 'prev must be null exactly when seq is 0' });
  const allowed = lineage === 'customer' ? CUSTOMER_EVENT_TYPES : PROVIDER_EVENT_TYPES;
  if (!allowed.includes(e.type)) ctx.addIssue({ code: 'custom', path: ['type'], message: `a ${e.author.kind} may not author a ${e.type} event` });
  if (lineage === 'provider' && (e.seq === 0) !== (e.type === 'sealed'))
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'the provider lineage starts with sealed, and only there' });
  const dataResult = EVENT_DATA_SCHEMAS[e.type].safeParse(e.data);
  if (!dataResult.success) {
    for (const issue of dataResult.error.issues)
      ctx.addIssue({ code: 'custom', path: ['data', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
    return;
  }
  const set = e.type === 'sealed' ? (dataResult.data as EventDataMap['sealed']).set : undefined;
  if (set && set.driveIds[set.position - 1] !== e.driveId)
    ctx.addIssue({ code: 'custom', path: ['data', 'set', 'driveIds'], message: `the drive at position ${set.position} must be this event's drive ${e.driveId}` });
  const hasAnchor = typeof e.data['anchor'] === 'string';
  if (lineage === 'customer' && e.seq === 0 && !hasAnchor)
    ctx.addIssue({ code: 'custom', path: ['data', 'anchor'], message: 'the first customer event must carry data.anchor (manifest SHA-256)' });
  if (hasAnchor && !(lineage === 'customer' && e.seq === 0))
    ctx.addIssue({ code: 'custom', path: ['data', 'anchor'], message: 'data.anchor is only allowed on the first customer event' });
}

/** zod schema of an unsigned event (envelope, structural rules and per-type data). */
export const custodyEventSchema = z.strictObject(envelopeShape).superRefine(refineEvent);
/** zod schema of a signed event (does not check the signature itself; see verifyEventSignature). */
export const signedEventSchema = z
  .strictObject({ ...envelopeShape, sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected base64 of a 64-byte signature') })
  .superRefine(refineEvent);

function fail(prefix: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  throw new ScelleError('E_CUSTODY_CHAIN', `${prefix} at ${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/**
 * Parses and validates an unsigned event (e.g. before signing).
 * @throws ScelleError E_CUSTODY_CHAIN when malformed; `details.field` is the first bad path.
 */
export function parseCustodyEvent(json: unknown): CustodyEvent {
  const r = custodyEventSchema.safeParse(json);
  if (!r.success) fail('malformed custody event', r.error);
  return r.data as CustodyEvent;
}

/**
 * Parses and validates a signed event as received from the wire or read from a journal:
 * strict envelope (no unknown keys), UUIDv7 id, seq/prev consistency, author kind allowed for
 * the type, per-type data schema, and the anchor rule. Does NOT verify the signature.
 * @throws ScelleError E_CUSTODY_CHAIN when malformed; `details.field` is the first bad path.
 */
export function parseSignedEvent(json: unknown): SignedEvent {
  const r = signedEventSchema.safeParse(json);
  if (!r.success) fail('malformed signed custody event', r.error);
  return r.data as SignedEvent;
}

/** The lineage an event belongs to: `customer` when authored by the customer, else `provider`. */
export function lineageOf(e: Pick<CustodyEvent, 'author'>): Lineage {
  return e.author.kind === 'customer' ? 'customer' : 'provider';
}

/** The event's own fields only, so that stray in-memory properties are never signed or hashed. */
function unsignedFields(e: CustodyEvent): CustodyEvent {
  return {
    v: e.v,
    id: e.id,
    driveId: e.driveId,
    seq: e.seq,
    prev: e.prev,
    type: e.type,
    at: e.at,
    author: { kind: e.author.kind, id: e.author.id, publicKey: e.author.publicKey },
    data: e.data,
  };
}

/** RFC 8785 canonical JSON of `value` as UTF-8. @throws ScelleError E_CUSTODY_CHAIN if not serializable. */
export function canonicalBytes(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new ScelleError('E_CUSTODY_CHAIN', 'value cannot be canonicalized (RFC 8785)', {}, { cause });
  }
  if (text === undefined) throw new ScelleError('E_CUSTODY_CHAIN', 'value cannot be canonicalized (RFC 8785)');
  return new TextEncoder().encode(text);
}

/** The exact bytes an author signs: canonical JSON of the event without `sig`. */
export function eventSigningBytes(e: CustodyEvent): Uint8Array {
  return canonicalBytes(unsignedFields(e));
}

/** Strict base64 (RFC 4648, padded): rejects anything that does not re-encode identically. */
export function decodeBase64Strict(s: string, expectedLength?: number): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) return null;
  if (expectedLength !== undefined && bytes.length !== expectedLength) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Standard padded base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** base64 Ed25519 public key of a 32-byte secret key (seed). @throws ScelleError E_CUSTODY_SIGNATURE on a bad key length. */
export function publicKeyOf(secretKey: Uint8Array): string {
  if (secretKey.length !== 32) throw new ScelleError('E_CUSTODY_SIGNATURE', 'Ed25519 secret key must be 32 bytes', { length: secretKey.length });
  return encodeBase64(ed25519PublicKey(secretKey));
}

/**
 * Validates `e` and signs it with the author's 32-byte Ed25519 secret key (seed).
 * The returned object has only the wire fields plus `sig`.
 * @throws ScelleError E_CUSTODY_CHAIN when `e` is malformed;
 *   E_CUSTODY_SIGNATURE when `secretKey` is not 32 bytes or its public key is not `e.author.publicKey`.
 */
export function signEvent(e: CustodyEvent, secretKey: Uint8Array): SignedEvent {
  const event = parseCustodyEvent(unsignedFields(e));
  if (publicKeyOf(secretKey) !== event.author.publicKey) {
    throw new ScelleError('E_CUSTODY_SIGNATURE', 'secret key does not match author.publicKey', { eventId: event.id });
  }
  const sig = ed25519Sign(eventSigningBytes(event), secretKey);
  return { ...event, sig: encodeBase64(sig) };
}

/**
 * Checks the event's Ed25519 signature against `author.publicKey` (strict RFC 8032
 * verification, not ZIP-215, so that a signature has one encoding and an event one hash).
 * Never throws: any malformed key or signature gives false.
 */
export function verifyEventSignature(e: SignedEvent): boolean {
  try {
    const pub = decodeBase64Strict(e.author.publicKey, 32);
    const sig = decodeBase64Strict(e.sig, 64);
    if (!pub || !sig) return false;
    return ed25519Verify(sig, eventSigningBytes(e), pub);
  } catch {
    return false;
  }
}

/**
 * Event hash: lowercase hex SHA-256 of the RFC 8785 canonical JSON of the signed event
 * (all wire fields including `sig`). It is what `prev` links to and what the Merkle tree holds.
 * @throws ScelleError E_CUSTODY_CHAIN if the event cannot be canonicalized.
 */
export function eventHash(e: SignedEvent): string {
  const bytes = canonicalBytes({ ...unsignedFields(e), sig: e.sig });
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A new lowercase UUIDv7 (RFC 9562): 48-bit Unix milliseconds of `now`, then 74 random bits.
 * `random` is a seam for tests (defaults to node:crypto randomBytes).
 * @throws ScelleError E_USAGE if `now` is not a valid date within the 48-bit range.
 */
export function newEventId(now: Date = new Date(), random: (n: number) => Uint8Array = randomBytes): string {
  const ms = now.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms > 0xffff_ffff_ffff) throw new ScelleError('E_USAGE', 'invalid time for a UUIDv7');
  const b = new Uint8Array(16);
  b.set(random(10).subarray(0, 10), 6);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7. @throws ScelleError E_CUSTODY_CHAIN if not a UUIDv7. */
export function uuidV7Time(id: string): number {
  if (!UUID_V7_RE.test(id)) throw new ScelleError('E_CUSTODY_CHAIN', 'not a UUIDv7');
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Fields to build an event of type T with typed data (see makeEvent). */
export interface MakeEventInput<T extends EventType> {
  type: T;
  driveId: string;
  seq: number;
  prev: string | null;
  author: CustodyEvent['author'];
  data: EventDataMap[T];
  /** defaults to now */
  at?: Date;
  /** defaults to a fresh UUIDv7 */
  id?: string;
}

/**
 * Builds and validates an unsigned event with typed data; `at` is rendered as RFC 3339 UTC
 * with milliseconds. Usually the seq/prev come from CustodyStore.nextEvent.
 * @throws ScelleError E_CUSTODY_CHAIN when the result breaks any rule of parseCustodyEvent.
 */
export function makeEvent<T extends EventType>(input: MakeEventInput<T>): CustodyEvent {
  const at = input.at ?? new Date();
  return parseCustodyEvent({
    v: 1,
    id: input.id ?? newEventId(at),
    driveId: input.driveId,
    seq: input.seq,
    prev: input.prev,
    type: input.type,
    at: at.toISOString(),
    author: input.author,
    data: input.data as Record<string, unknown>,
  });
}
