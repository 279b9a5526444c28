/**
 * Data shapes shared by several IPC channels (drives, progress, engine reports, custody).
 * Only plain JSON crosses IPC: byte strings travel as base64, times as RFC 3339 strings.
 * No schema here has a field for a data key or a private key: those never leave the main side.
 */
import { z } from 'zod';
import { FILE_SYSTEMS } from '../drives/fs-kind.js';

/** An id chosen by the renderer for a long job, used to route progress and to cancel. */
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected a job id');
/** An opaque handle to an unlocked drive kept by the main side (never the key itself). */
export const sessionIdSchema = z.string().regex(/^s_[A-Za-z0-9_-]{16,64}$/, 'expected a session id');
/** An absolute file-system path given out by the main side (dialogs, drive list). */
export const pathSchema = z.string().min(1).max(4096);
/** A drive id as in `SCELLE-<driveId>/`. */
export const driveIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected a drive id');
/** Interface languages: fr-CA is the default, en at parity. */
export const languageSchema = z.enum(['fr-CA', 'en']);
/** One of the interface languages. */
export type Language = z.infer<typeof languageSchema>;
/** Base64 (RFC 4648 with padding) of a 32-byte public key (X25519 or Ed25519). */
export const publicKey32B64Schema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of 32 bytes');
/** Which key signs the customer's events of an unlocked drive (shared/custody/customer-identity.ts, CustomerSignerKind). */
export const customerSignerSchema = z.enum(['customer-key', 'data-key', 'needs-customer-key']);

const count = z.number().int().nonnegative();

/** Progress of a long job (same fields as the engine's Progress). */
export const progressSchema = z.object({
  phase: z.enum(['scan', 'seal', 'verify', 'open', 'erase']),
  bytesDone: count,
  bytesTotal: count,
  filesDone: count,
  filesTotal: count,
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
});
/** Progress of a long job. */
export type ProgressDto = z.infer<typeof progressSchema>;

/** File systems the drive checks know about (anything else is `other`). */
export const fileSystemSchema = z.enum(FILE_SYSTEMS);
/** A normalized file-system name. */
export type FileSystemKind = z.infer<typeof fileSystemSchema>;

/** One attached volume offered to the user (the system disk is never listed). */
export const driveSummarySchema = z.object({
  /** Stable per attachment: the device path (Linux/macOS) or volume id (Windows). */
  id: z.string().min(1).max(512),
  label: z.string().max(256),
  model: z.string().max(256),
  mountpoint: pathSchema,
  sizeBytes: count,
  freeBytes: count.nullable(),
  fileSystem: fileSystemSchema,
  removable: z.boolean(),
  bus: z.string().max(32),
  /** Folders `SCELLE-<driveId>` found at the root of the volume. */
  sealedFolders: z.array(z.object({ driveId: driveIdSchema, driveDir: pathSchema })),
});
/** One attached volume. */
export type DriveSummaryDto = z.infer<typeof driveSummarySchema>;

/** A problem that prevents (or limits) sealing onto a drive, with a stable code. */
export const driveCheckProblemSchema = z.object({
  code: z.enum(['E_TARGET_TOO_SMALL', 'E_TARGET_READ_ONLY', 'E_TARGET_NOT_FOUND', 'W_FS_PART_LIMIT', 'W_FS_UNKNOWN']),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
/** A problem of a drive check. */
export type DriveCheckProblemDto = z.infer<typeof driveCheckProblemSchema>;

/** Keyless facts about a sealed drive (from the manifest and its signature). */
export const driveInfoSchema = z.object({
  driveId: driveIdSchema,
  driveDir: pathSchema,
  createdAt: z.string(),
  manifestSha256: z.string(),
  station: z.object({ id: z.string(), publicKey: z.string(), certified: z.boolean(), reason: z.string().nullable() }),
  parts: count,
  payloadCiphertextBytes: count,
  keyslots: z.array(z.object({ type: z.enum(['unlock-code', 'x25519']), label: z.string().optional() })),
  /** The verdict on the drive's origin at a trusted time (shared/format/station-trust.ts), when the shell judged it. */
  trust: z
    .object({
      verdict: z.enum(['genuine', 'unconfirmed', 'local', 'forged', 'revoked', 'expired']),
      reason: z.string().nullable(),
      judgedAt: z.string(),
      timeSource: z.enum(['receipt', 'manifest']),
    })
    .optional(),
});
/** Keyless facts about a sealed drive. */
export type DriveInfoDto = z.infer<typeof driveInfoSchema>;

/** The result of a media or full verification. */
export const verifyReportSchema = z.object({
  driveId: z.string(),
  level: z.enum(['media', 'full']),
  ok: z.boolean(),
  station: driveInfoSchema.shape.station,
  files: count.optional(),
  bytes: count.optional(),
  problems: z.array(z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) })),
});
/** The result of a verification. */
export type VerifyReportDto = z.infer<typeof verifyReportSchema>;

/**
 * One entry of a drive's encrypted index, as shown to the customer after unlock. Folders carry
 * the totals of everything below them (at any depth): entries, files and the files' bytes.
 */
export const indexEntrySchema = z.object({
  path: z.string().min(1).max(4096),
  type: z.enum(['file', 'directory', 'symlink']),
  size: count,
  mtime: z.number(),
  entries: count.optional(),
  files: count.optional(),
  bytes: count.optional(),
});
/** One entry of a drive's index. */
export type IndexEntryDto = z.infer<typeof indexEntrySchema>;

/** A drive's totals (from its index trailer): entries, files and the files' bytes. */
export const driveTotalsSchema = z.object({ entries: count, files: count, bytes: count });
/** A drive's totals. */
export type DriveTotalsDto = z.infer<typeof driveTotalsSchema>;

/** A path inside a drive as the index names it: relative, '/'-separated, no NUL. */
export const drivePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^\0]+$/, 'expected a path inside the drive');

/** A carrier recognized for a tracking number. */
export const carrierMatchSchema = z.object({ id: z.string(), name: z.string() });

/** One custody event as shown by support (no personal data: authors are role or station ids). */
export const custodyEventSchema = z.object({
  id: z.string(),
  seq: count,
  type: z.string(),
  at: z.string(),
  receivedAt: z.string().nullable(),
  author: z.object({ kind: z.string(), id: z.string() }),
  data: z.record(z.string(), z.unknown()),
  signatureOk: z.boolean(),
  /**
   * For a customer event, who could have signed it (shared/custody/chain-verify.ts):
   * `customer-key` only the customer; `data-key` anyone holding the data key (unlock-code
   * customers, but also the station and escrow); `none` not the customer's; `unknown` not yet
   * known. Null (or absent) for provider events.
   */
  attestation: z.enum(['customer-key', 'data-key', 'none', 'unknown']).nullable().optional(),
});
/** One custody event. */
export type CustodyEventDto = z.infer<typeof custodyEventSchema>;

/** An impossible order of custody events (kinds: shared/custody/custody-state.ts), shown, never hidden. */
export const custodyAnomalySchema = z.object({ kind: z.string(), eventId: z.string(), relatedEventId: z.string().nullable() });
/** One custody anomaly. */
export type CustodyAnomalyDto = z.infer<typeof custodyAnomalySchema>;

/** The sealed set a looked-up drive belongs to (shared/custody/set-view.ts, the service's view): every member's state. */
export const custodySetSchema = z.object({
  setId: z.string().max(128),
  /** the looked-up drive's position in the set */
  position: z.number().int().min(1).max(64),
  members: z.number().int().min(2).max(64),
  /** every member known and agreeing, every chain verified */
  ok: z.boolean(),
  memberViews: z
    .array(
      z.object({
        position: z.number().int().min(1).max(64),
        driveId: z.string().max(128),
        /** custody state (drive-status.ts DRIVE_STATES), or null when no event of the member is known */
        state: z.string().max(32).nullable(),
        carrier: z.string().max(64).nullable(),
        trackingNumber: z.string().max(64).nullable(),
        /** kind of an open incident (e.g. `lost`), or null */
        incident: z.string().max(32).nullable(),
        chain: z.enum(['ok', 'warning', 'invalid']).nullable(),
        anomalies: z.number().int().nonnegative(),
      }),
    )
    .max(64),
});
/** A sealed set as the Support timeline shows it. */
export type CustodySetDto = z.infer<typeof custodySetSchema>;

/** A drive's custody timeline and whether its chain verifies. */
export const custodyTimelineSchema = z.object({
  driveId: z.string(),
  trackingNumbers: z.array(z.string()),
  orderRefs: z.array(z.string()),
  chainOk: z.boolean(),
  chainProblem: z.string().nullable(),
  /** impossible orders among the events (e.g. received before shipped); the events stay listed */
  anomalies: z.array(custodyAnomalySchema),
  events: z.array(custodyEventSchema),
  /** the sealed set the drive is a member of, with every member's state; absent or null for a drive sealed alone */
  set: custodySetSchema.nullable().optional(),
});
/** A drive's custody timeline. */
export type CustodyTimelineDto = z.infer<typeof custodyTimelineSchema>;

/** One drive this station sealed, as the technicians' dashboard lists it (shared/custody/drive-status.ts). */
export const stationDriveSchema = z.object({
  driveId: driveIdSchema,
  state: z.enum(['sealed', 'verified', 'shipped', 'delivered', 'received', 'opened', 'erased', 'incident']),
  sealedAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  shipment: z.object({ carrier: z.string(), trackingNumber: z.string(), orderRef: z.string().nullable(), at: z.string() }).nullable(),
  verification: z.object({ level: z.string(), ok: z.boolean(), at: z.string() }).nullable(),
  openIncident: z.object({ kind: z.string(), at: z.string() }).nullable(),
  orderRefs: z.array(z.string()),
  trackingNumbers: z.array(z.string()),
  actions: z.array(z.enum(['verify', 'record-shipment', 'correct-shipment', 'reprint-slip', 'report-incident'])),
  /** events of this drive still waiting in the outbox */
  pendingEvents: count,
  /** the attached drive's folder when the drive is plugged in here (verify needs it), else null */
  driveDir: pathSchema.nullable(),
});
/** One drive of the dashboard. */
export type StationDriveDto = z.infer<typeof stationDriveSchema>;

/** The app's settings as the renderer may see and change them (no secret). */
export const settingsSchema = z.object({
  language: languageSchema,
  /** Custody service base URL (https, or http on localhost for development), or null. */
  custodyUrl: z.string().max(2048).nullable(),
  /** Path of a PEM file with the custody service's CA, or null for the system store. */
  custodyCaPath: pathSchema.nullable(),
  /** This station's id once enrolled, or null. */
  stationId: z.string().nullable(),
  stationEnrolled: z.boolean(),
  /** The customer key file the Client last created or chose (a path, never key material), or null. Set only through the `customer.*` dialogs. */
  customerKeyFile: pathSchema.nullable(),
});
/** The app's settings. */
export type SettingsDto = z.infer<typeof settingsSchema>;

/** Validates a custody service URL: https anywhere, http only on the loopback interface. */
export function isAcceptableCustodyUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** The most members a set may have (shared/format/set.ts MAX_SET_MEMBERS). */
export const MAX_SET_MEMBERS = 64;
const position = z.number().int().min(1).max(MAX_SET_MEMBERS);
const memberCount = z.number().int().min(2).max(MAX_SET_MEMBERS);

/** A drive's place in a sealed set: the set id, its position and how many members the set has (public: from the manifest). */
export const setPlaceSchema = z
  .strictObject({ id: driveIdSchema, position, members: memberCount })
  .refine((s) => s.position <= s.members, { path: ['position'], message: 'exceeds members' });
/** A drive's place in a sealed set. */
export type SetPlaceDto = z.infer<typeof setPlaceSchema>;

/**
 * An interrupted seal on an attached drive (a `SCELLE-<id>/` folder with a resume state and no
 * manifest; electron/interrupted-seals.ts), as the dashboard lists it. `problem` is the code of
 * why its state cannot be resumed (then nothing else was read from it), or null.
 */
export const interruptedSealSchema = z.object({
  /** the attached drive (volume) as drives.list names it: the `driveId` of engine.seal */
  volumeId: z.string().min(1).max(512),
  driveDir: pathSchema,
  driveId: driveIdSchema.nullable(),
  sources: z.array(pathSchema),
  startedAt: z.string().nullable(),
  partsDone: count,
  partsTotal: count.nullable(),
  bytesDone: count,
  problem: z.string().nullable(),
  /** a member of a sealed set: its place ("drive 2 of 3 of set …"); a resume continues the set; null for a drive sealed alone */
  set: setPlaceSchema.nullable(),
});
/** One interrupted seal of the dashboard. */
export type InterruptedSealDto = z.infer<typeof interruptedSealSchema>;

/**
 * A set seal this station stopped at the question for the next drive (the station's record,
 * shared/engine/seal/set-continuation.ts): it continues onto an attached drive the technician
 * chooses (engine.seal with `continueSet`). `problem` is the code of why the record cannot be
 * continued (then only `setId`, when its file name gives one, was read from it), or null.
 */
export const stoppedSetSchema = z.object({
  setId: driveIdSchema.nullable(),
  /** the member the set continues with, and the set's size (0 when the record is damaged) */
  position: z.number().int().min(0).max(MAX_SET_MEMBERS),
  members: z.number().int().min(0).max(MAX_SET_MEMBERS),
  /** every member's drive id by position (public: the members' manifests name them); empty when damaged */
  driveIds: z.array(driveIdSchema).max(MAX_SET_MEMBERS),
  /** the sources the set seals (a continuation seals exactly these, read again on the main side) */
  sources: z.array(pathSchema),
  createdAt: z.string().nullable(),
  /** plaintext bytes the next member holds at least */
  plaintextBytes: count,
  problem: z.string().nullable(),
});
/** One stopped set of the dashboard. */
export type StoppedSetDto = z.infer<typeof stoppedSetSchema>;

/** One member of a set just sealed: its drive, its folder and the attached drive (volume) holding it. */
export const sealedMemberSchema = z.object({
  position,
  driveId: driveIdSchema,
  driveDir: pathSchema,
  /** the attached drive as drives.list names it, or null when it is no longer listed */
  volumeId: z.string().min(1).max(512).nullable(),
  parts: count,
  /** whether its index lists the whole set (members closed while the next drive was awaited list what came before) */
  indexComplete: z.boolean(),
});
/** One member of a set just sealed. */
export type SealedMemberDto = z.infer<typeof sealedMemberSchema>;

/** Why a drive offered as the next member was refused: the code and, for a drive too small, what it needs and has. */
export const memberRefusalSchema = z.object({ code: z.string().min(1).max(64), needed: count.optional(), free: count.optional() });
/** Why a drive offered as the next member was refused. */
export type MemberRefusalDto = z.infer<typeof memberRefusalSchema>;

/** What a set seal tells the renderer as it goes: the next drive it waits for, each member started and sealed. */
export const setSealEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('next'),
    setId: driveIdSchema,
    position,
    members: memberCount,
    /** the drive id the member will have */
    driveId: driveIdSchema,
    /** free bytes the member needs */
    bytesNeeded: count,
    /** why the drive offered last was refused, or null */
    refused: memberRefusalSchema.nullable(),
  }),
  z.object({ type: z.literal('started'), setId: driveIdSchema, position, members: memberCount, driveId: driveIdSchema, volumeId: z.string().min(1).max(512).nullable() }),
  z.object({ type: z.literal('sealed'), setId: driveIdSchema, position, members: memberCount, driveId: driveIdSchema }),
]);
/** One event of a set seal. */
export type SetSealEventDto = z.infer<typeof setSealEventSchema>;

/** What the members of a set present can restore, and what waits for the absent ones (the engine's SetAvailability). */
export const setAvailabilitySchema = z.object({
  id: driveIdSchema,
  members: memberCount,
  present: z.array(position).max(MAX_SET_MEMBERS),
  absent: z
    .array(
      z.object({
        position,
        driveId: driveIdSchema,
        /** files (and their bytes) that need this member; a file spanning two absent members counts for both */
        files: count,
        bytes: count,
        /** the first of them (at most 50) */
        paths: z.array(z.string().min(1).max(4096)).max(50),
      }),
    )
    .max(MAX_SET_MEMBERS),
  /** entries of the set no member present lists (they come after the last member present's index) */
  notListed: count,
});
/** What a set's members present can restore. */
export type SetAvailabilityDto = z.infer<typeof setAvailabilitySchema>;
