/**
 * Type-specific `data` of custody events, as zod schemas shared by the CLI, the desktop app
 * and the custody service, so that every party validates the same way.
 *
 * Privacy by default: every schema is strict (unknown keys are rejected) and no field holds a
 * name, address, e-mail, phone number or free text. Anything personal lives in a deletable
 * record outside the chain and is referenced here by an opaque record id (`noteRef`,
 * `evidenceRef`), so deleting it on schedule never breaks verification. See docs/CUSTODY.md.
 */
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { DRIVE_ID_PATTERN } from '../format/drive-id.js';
import { MAX_SET_MEMBERS } from '../format/set.js';

/** Every event type, in the usual order of a drive's life. */
export const EVENT_TYPES = ['sealed', 'verified', 'shipped', 'delivered', 'received', 'opened', 'erased', 'incident', 'note'] as const;
/** One custody event type. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Types a station or staff member may author (provider lineage). */
export const PROVIDER_EVENT_TYPES: readonly EventType[] = ['sealed', 'verified', 'shipped', 'delivered', 'erased', 'incident', 'note'];
/** Types the customer may author (customer lineage). */
export const CUSTOMER_EVENT_TYPES: readonly EventType[] = ['received', 'opened', 'erased', 'incident', 'note'];

/** Lowercase hex SHA-256 (64 characters). */
export const HEX_SHA256_RE = /^[0-9a-f]{64}$/;
/** RFC 3339 UTC timestamp with a `Z` offset and optional fraction of a second. */
export const RFC3339_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const hexSha256 = z.string().regex(HEX_SHA256_RE, 'expected lowercase hex SHA-256');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** An RFC 3339 UTC instant that is also a real date. */
export const rfc3339Utc = z
  .string()
  .regex(RFC3339_UTC_RE, 'expected RFC 3339 UTC time ending in Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');
/** Opaque id of a deletable personal-data record held outside the chain. */
const recordRef = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected an opaque record id');
/** Short, non-personal label (tool names, media descriptions). Never a person's name. */
const label = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed');
/** Base64 (RFC 4648, padded) of a 32-byte Ed25519 public key. */
export const publicKeyB64 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of 32 bytes');
/** The customer lineage's anchor: the manifest SHA-256 of the drive (first customer event only). */
const anchor = hexSha256.optional();

const setDriveId = z.string().regex(DRIVE_ID_PATTERN, 'expected a drive id');

/**
 * `sealed.data.set`: the drive is one member of a sealed set (docs/FORMAT.md §11, CUSTODY.md §3).
 * Its membership as the member's manifest states it (`id`, `position`, `members`, `driveIds`),
 * and what this member holds, as counts and bytes only (never a name): `parts` and `tarBytes`
 * (its share of the set's tar stream) always; `files` and `bytes` (the files whose content lies
 * on it, wholly or in part, and those content bytes) when the sealing station knew them.
 * The member's own drive id must be `driveIds[position - 1]` (checked with the envelope).
 */
export const sealedSetSchema = z
  .strictObject({
    id: setDriveId,
    position: z.number().int().min(1).max(MAX_SET_MEMBERS),
    members: z.number().int().min(2).max(MAX_SET_MEMBERS),
    driveIds: z.array(setDriveId).min(2).max(MAX_SET_MEMBERS),
    parts: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    tarBytes: count,
    files: count.optional(),
    bytes: count.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.position > s.members) ctx.addIssue({ code: 'custom', path: ['position'], message: 'position exceeds members' });
    if (s.driveIds.length !== s.members) ctx.addIssue({ code: 'custom', path: ['driveIds'], message: `${s.driveIds.length} drive ids for ${s.members} members` });
    if (new Set(s.driveIds).size !== s.driveIds.length) ctx.addIssue({ code: 'custom', path: ['driveIds'], message: 'drive ids must be distinct' });
  });
/** A set member's membership and holdings, as its `sealed` event records them. */
export type SealedSet = z.output<typeof sealedSetSchema>;

/** `sealed`: genesis of the provider lineage, written by the station right after sealing. */
export const sealedDataSchema = z.strictObject({
  /** hex SHA-256 of the exact bytes of manifest.json; the customer lineage anchors to it. */
  manifestSha256: hexSha256,
  files: count,
  bytes: count,
  parts: count,
  /**
   * base64 Ed25519 public key the customer's events must be signed with: the customer's own key
   * when `customerAttestation` is `customer-key` (customer-identity.ts), else the key derived
   * from the drive's data key (customer-key.ts).
   */
  customerPublicKey: publicKeyB64,
  /** Who can sign as the customer: `customer-key` (only the customer) or `data-key` (anyone holding the data key). Absent = `data-key`. */
  customerAttestation: z.enum(['customer-key', 'data-key']).optional(),
  /** hex SHA-256 of the station certificate, as in the manifest. */
  stationCertificateSha256: hexSha256,
  /**
   * Present when the drive is a member of a sealed set. `files`, `bytes` and `parts` above are
   * then the whole seal's (identical on every member); what this member holds is in `set`.
   */
  set: sealedSetSchema.optional(),
});

/** `verified`: the station's post-seal verification (`media` = ciphertext hashes, `full` = decrypt all). */
export const verifiedDataSchema = z.strictObject({
  level: z.enum(['media', 'full']),
  ok: z.boolean(),
  problems: count,
});

/** `shipped`: handed to a carrier. `trackingNumber` is normalized (uppercase, no spaces). */
export const shippedDataSchema = z.strictObject({
  /** carrier id as in shared/carriers (e.g. `ups`, `canada-post`, `other`). */
  carrier: z.string().regex(/^[a-z0-9-]{1,32}$/, 'expected a carrier id'),
  trackingNumber: z.string().regex(/^[A-Z0-9]{4,40}$/, 'expected a normalized tracking number'),
  /** the provider's order reference (opaque, not personal). */
  orderRef: recordRef.optional(),
});

/** `delivered`: recorded by staff from the carrier's status. Proof of delivery (a signer's name) is a deletable record. */
export const deliveredDataSchema = z.strictObject({
  /** when the carrier reports delivery, if known (the event's `at` is when staff recorded it). */
  carrierDeliveredAt: rfc3339Utc.optional(),
  evidenceRef: recordRef.optional(),
});

/** `received`: the customer checked the drive (manifest signature, ciphertext hashes). */
export const receivedDataSchema = z.strictObject({
  anchor,
  level: z.enum(['media', 'full']),
  ok: z.boolean(),
  problems: count,
});

/** `opened`: the customer unlocked the drive and restored files. */
export const openedDataSchema = z.strictObject({
  anchor,
  /** the restore finished and every restored stream authenticated. */
  ok: z.boolean(),
  filesRestored: count,
  bytesRestored: count.optional(),
  /** true when only some files were chosen. */
  partial: z.boolean(),
});

/**
 * `erased`: a sanitization record after NIST SP 800-88 Rev. 1 (Appendix G), without personal
 * fields: the person is a role id, never a name. Cryptographic erase is a `purge`.
 */
export const erasedDataSchema = z
  .strictObject({
    anchor,
    method: z.enum(['clear', 'purge', 'destroy']),
    technique: z.enum(['cryptographic-erase', 'overwrite', 'block-erase', 'degauss', 'physical-destruction', 'other']),
    media: z.strictObject({
      type: z.enum(['flash', 'magnetic', 'hybrid', 'optical', 'other']),
      description: label(200),
      manufacturer: label(100).optional(),
      model: label(100).optional(),
      serial: label(100).optional(),
    }),
    tool: z.strictObject({ name: label(100), version: label(50) }),
    verification: z.strictObject({
      method: z.enum(['full', 'sampling', 'none', 'other']),
      result: z.enum(['pass', 'fail', 'not-performed']),
    }),
    /** role id of who performed it (e.g. `customer`, `staff:erasure`), never a name. */
    performedBy: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected a role id'),
    performedAt: rfc3339Utc,
  })
  .superRefine((d, ctx) => {
    if (d.technique === 'cryptographic-erase' && d.method !== 'purge') ctx.addIssue({ code: 'custom', message: 'cryptographic erase is a purge', path: ['method'] });
    if (d.technique === 'physical-destruction' && d.method !== 'destroy') ctx.addIssue({ code: 'custom', message: 'physical destruction is a destroy', path: ['method'] });
    if (d.verification.method === 'none' && d.verification.result !== 'not-performed')
      ctx.addIssue({ code: 'custom', message: 'no verification means not-performed', path: ['verification', 'result'] });
  });

/** `incident`: lost, damaged, returned or other; details (personal or not) live in a deletable record. */
export const incidentDataSchema = z.strictObject({
  anchor,
  kind: z.enum(['lost', 'damaged', 'returned', 'other']),
  noteRef: recordRef.optional(),
});

/** `note`: the text is NOT in the chain; only the id of a deletable record holding it. */
export const noteDataSchema = z.strictObject({
  anchor,
  noteRef: recordRef,
});

/** Schema of `data` for each event type. */
export const EVENT_DATA_SCHEMAS = {
  sealed: sealedDataSchema,
  verified: verifiedDataSchema,
  shipped: shippedDataSchema,
  delivered: deliveredDataSchema,
  received: receivedDataSchema,
  opened: openedDataSchema,
  erased: erasedDataSchema,
  incident: incidentDataSchema,
  note: noteDataSchema,
} as const satisfies Record<EventType, z.ZodType>;

/** The TypeScript type of `data` for each event type. */
export type EventDataMap = { [K in EventType]: z.output<(typeof EVENT_DATA_SCHEMAS)[K]> };

/**
 * Validates `data` for an event of `type` and returns it typed.
 * @throws ScelleError E_CUSTODY_CHAIN when the data does not match the type's schema
 *   (missing or extra fields, wrong formats); `details.field` names the first bad path.
 */
export function parseEventData<T extends EventType>(type: T, data: unknown): EventDataMap[T] {
  const schema = EVENT_DATA_SCHEMAS[type] as unknown as z.ZodType<EventDataMap[T]>;
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue ? ['data', ...issue.path.map(String)].join('.') : 'data';
    throw new ScelleError('E_CUSTODY_CHAIN', `invalid ${type} event data at ${field}: ${issue?.message ?? 'invalid'}`, { type, field });
  }
  return r.data;
}
