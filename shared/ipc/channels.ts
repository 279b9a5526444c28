/**
 * THE contract between the main process and the renderer: every invoke channel with the zod
 * schema of its request and of its response value, and every event channel with its payload.
 * The main side validates each request (and the sender) against this table before doing
 * anything; the preload exposes exactly these channels, namespaced (`drives.list` becomes
 * `window.scelle.drives.list(request)`).
 *
 * Secrets: the unlock code crosses IPC only in the answer of `engine.seal` (shown once) and
 * in the requests of `engine.checkUnlockCode` / `engine.unlock` (typed by the user). After
 * unlock, the main side keeps the key material behind an opaque `sessionId`.
 */
import { z } from 'zod';
import {
  carrierMatchSchema,
  custodyTimelineSchema,
  driveCheckProblemSchema,
  driveIdSchema,
  driveInfoSchema,
  drivePathSchema,
  driveSummarySchema,
  driveTotalsSchema,
  indexEntrySchema,
  jobIdSchema,
  languageSchema,
  pathSchema,
  progressSchema,
  interruptedSealSchema,
  stoppedSetSchema,
  publicKey32B64Schema,
  customerSignerSchema,
  sessionIdSchema,
  setAvailabilitySchema,
  setPlaceSchema,
  setSealEventSchema,
  sealedMemberSchema,
  MAX_SET_MEMBERS,
  settingsSchema,
  stationDriveSchema,
  verifyReportSchema,
} from './schemas.js';
import { MAX_OPEN_PATHS, MAX_PAGE } from './limits.js';

const empty = z.strictObject({});

const saved = z.object({ path: pathSchema.nullable() });

/** Every invoke channel: request schema and response value schema. */
export const invokeChannels = {
  'app.info': {
    request: empty,
    response: z.object({
      version: z.string(),
      platform: z.string(),
      shell: z.enum(['electron', 'harness']),
      escrowAvailable: z.boolean(),
      /** base64 Ed25519 public key of this station (what the provider certifies), or null when unreadable. */
      stationPublicKey: z.string().nullable(),
      /** The carrier ids a technician may pick, in the order offered (shared/carriers); `other` is offered apart. */
      carriers: z.array(z.string().min(1).max(32)).max(32),
    }),
  },
  'settings.get': { request: empty, response: settingsSchema },
  'settings.set': {
    request: z.strictObject({
      language: languageSchema.optional(),
      custodyUrl: z.string().max(2048).nullable().optional(),
      custodyCaPath: pathSchema.nullable().optional(),
    }),
    response: settingsSchema,
  },
  /**
   * Imports an enrolment file issued by the provider (docs/DESKTOP.md, "Station enrolment"):
   * the station certificate (checked against the pinned provider roots and this station's
   * key), the custody service address, its pinned service keys, tokens and optional CA.
   */
  'station.enrol': {
    request: z.strictObject({ bundlePath: pathSchema }),
    response: z.object({ stationId: z.string(), custodyUrl: z.string() }),
  },
  'drives.list': {
    request: z.strictObject({ includeNonRemovable: z.boolean().optional() }),
    response: z.object({ drives: z.array(driveSummarySchema) }),
  },
  'drives.check': {
    request: z.strictObject({ driveId: z.string().min(1).max(512), bytesNeeded: z.number().int().nonnegative(), files: z.number().int().nonnegative().optional() }),
    response: z.object({ ok: z.boolean(), partPlaintextSize: z.number().int().positive(), problems: z.array(driveCheckProblemSchema) }),
  },
  'drives.eraseSealed': {
    /** With the unlocked drive's session, the customer signs the `erased` event (sanitization record). */
    request: z.strictObject({ driveDir: pathSchema, sessionId: sessionIdSchema.optional() }),
    response: z.object({ erased: z.literal(true), verification: z.enum(['pass', 'fail']), eventId: z.string().nullable(), synced: z.boolean() }),
  },
  'dialog.chooseSources': {
    request: z.strictObject({ kind: z.enum(['files', 'folders']) }),
    response: z.object({ paths: z.array(pathSchema) }),
  },
  'dialog.chooseFolder': {
    request: z.strictObject({ purpose: z.enum(['restore', 'sealed-drive']) }),
    response: z.object({ path: pathSchema.nullable() }),
  },
  'sources.count': {
    request: z.strictObject({ jobId: jobIdSchema, paths: z.array(pathSchema).min(1).max(1000) }),
    response: z.object({ files: z.number().int().nonnegative(), directories: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  },
  'engine.seal': {
    /**
     * A new seal names its sources (granted by the dialog). `resume: true` continues the one
     * interrupted seal on the drive instead, with the sources its state recorded (the main side
     * reads them again; never the renderer's): `sources` must then be absent. When that seal is a
     * member of a set, the resume continues the set (the other attached drives holding its
     * unfinished members are added to `set.more`; `set.waitForDrives` asks for the next ones).
     * `resume: true` with `continueSet` continues a set this station stopped at the question for
     * the next drive (custody.stationDrives `stoppedSets`) onto `driveId`, from the station's
     * record: its sources, plan, keys and unlock code.
     */
    request: z
      .strictObject({
        jobId: jobIdSchema,
        sources: z.array(pathSchema).min(1).max(1000).optional(),
        resume: z.boolean().optional(),
        /** With `resume: true`: the id of the stopped set to continue onto `driveId`. */
        continueSet: driveIdSchema.optional(),
        driveId: z.string().min(1).max(512),
        recipients: z.strictObject({
          unlockCode: z.boolean(),
          escrow: z.boolean(),
          customerKeys: z.array(z.strictObject({ label: z.string().min(1).max(100), publicKey: publicKey32B64Schema })).max(8),
          /**
           * The customer's own key (base64 Ed25519, `scelle-customer-public-key/1`, 44 characters):
           * the drive gets a `customer-key` x25519 keyslot for its X25519 image and the `sealed`
           * event names it (`customerAttestation: "customer-key"`). E_KEY_INVALID when it is not a
           * valid Ed25519 public key.
           */
          customerPublicKey: publicKey32B64Schema.optional(),
        }),
        /**
         * Seal as a set when the data does not fit on `driveId` alone: `more` attached drives (as
         * drives.list names them) take members 2, 3, … in this order; `waitForDrives` asks for the
         * next drive (event `seal.set`, answered by `engine.nextDrive`) when those are full.
         */
        set: z.strictObject({ more: z.array(z.string().min(1).max(512)).max(MAX_SET_MEMBERS - 1), waitForDrives: z.boolean() }).optional(),
      })
      .refine((r) => (r.resume === true) === (r.sources === undefined), { path: ['sources'], message: 'a new seal names its sources; a resume names none' })
      .refine((r) => r.continueSet === undefined || r.resume === true, { path: ['continueSet'], message: 'continuing a stopped set is a resume' })
      .refine((r) => !r.set || (!r.set.more.includes(r.driveId) && new Set(r.set.more).size === r.set.more.length), { path: ['set', 'more'], message: 'each drive once' }),
    response: z.object({
      driveId: driveIdSchema,
      driveDir: pathSchema,
      /** Display form, shown once; absent when not asked. */
      unlockCode: z.string().optional(),
      manifestSha256: z.string(),
      files: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      parts: z.number().int().nonnegative(),
      /** What the `sealed` event says will attest the customer's receipts: their own key (`customerPublicKey` given) or the data-key key. */
      customerAttestation: z.enum(['customer-key', 'data-key']),
      /**
       * A set: its id, how many members it has (`total`) and the members this seal wrote (all of
       * them for a new set, the answer's drive being member 1; a resume: those from where it
       * resumed); each has its own `sealed` custody event.
       */
      set: z.object({ id: driveIdSchema, total: z.number().int().min(2).max(MAX_SET_MEMBERS), members: z.array(sealedMemberSchema).min(1).max(MAX_SET_MEMBERS) }).optional(),
    }),
  },
  /**
   * Answers a set seal's request for the next drive (event `seal.set`, type `next`) with an
   * attached drive as drives.list names it. E_TARGET_NOT_FOUND (not listed), E_TARGET_READ_ONLY,
   * E_TARGET_TOO_SMALL (its listed free space is less than the member needs), E_USAGE (it already
   * holds a member of this set, or the job asks for no drive now). A drive the engine refuses
   * comes back as a new request naming why.
   */
  'engine.nextDrive': {
    request: z.strictObject({ jobId: jobIdSchema, volumeId: z.string().min(1).max(512) }),
    response: z.object({ accepted: z.literal(true) }),
  },
  /**
   * The set of a drive (from its manifest, no key) and which of its members are attached (the
   * sealed folders of the drives last listed): every member by position and drive id, present or
   * missing. `set` is null for a drive sealed alone.
   */
  'engine.setMembers': {
    request: z.strictObject({ driveDir: pathSchema }),
    response: z.object({
      set: setPlaceSchema.nullable(),
      members: z.array(z.object({ position: z.number().int().min(1).max(MAX_SET_MEMBERS), driveId: driveIdSchema, driveDir: pathSchema.nullable() })).max(MAX_SET_MEMBERS),
    }),
  },
  /** For an unlocked member of a set: what the members unlocked with it can restore now, and what waits for each absent member. */
  'engine.availability': {
    request: z.strictObject({ sessionId: sessionIdSchema }),
    response: z.object({ set: setAvailabilitySchema.nullable() }),
  },
  'engine.cancel': { request: z.strictObject({ jobId: jobIdSchema }), response: z.object({ cancelled: z.boolean() }) },
  'engine.inspect': { request: z.strictObject({ driveDir: pathSchema }), response: driveInfoSchema },
  'engine.verify': {
    request: z.strictObject({ jobId: jobIdSchema, driveDir: pathSchema, sessionId: sessionIdSchema.optional() }),
    response: verifyReportSchema,
  },
  'engine.checkUnlockCode': {
    request: z.strictObject({ code: z.string().max(200) }),
    response: z.object({
      status: z.enum(['ok', 'typo', 'format', 'incomplete']),
      /** 1-based group that probably holds the typo, when it can be located. */
      suspectGroup: z.number().int().positive().optional(),
    }),
  },
  /**
   * Unlocks a drive with the unlock code, or with the customer's key file (a path handed out by
   * `customer.createKey` / `customer.chooseKey`; the engine reads it, its secret never crosses
   * IPC) when no code is given. A key file given with a code only signs the receipts.
   * `receipts` says which key will sign the customer's events: `customer-key` (the drive was
   * sealed for this key: customer-attested), `data-key` (the key derived from the drive's data
   * key: data-key-attested), `needs-customer-key` (sealed for a customer key not given: no
   * receipt can be recorded, E_KEY_CUSTOMER_NEEDED). E_KEY_FILE for a key file others may read.
   */
  'engine.unlock': {
    /** `members`: the other members of the drive's set attached (from engine.setMembers), unlocked with it. */
    request: z
      .strictObject({
        driveDir: pathSchema,
        code: z.string().min(1).max(200).optional(),
        keyFile: pathSchema.optional(),
        members: z
          .array(pathSchema)
          .max(MAX_SET_MEMBERS - 1)
          .optional(),
      })
      .refine((r) => r.code !== undefined || r.keyFile !== undefined, { path: ['code'], message: 'give the unlock code or a customer key file' }),
    response: z.object({
      sessionId: sessionIdSchema,
      driveId: driveIdSchema,
      openedWith: z.enum(['unlock-code', 'customer-key']),
      receipts: customerSignerSchema,
    }),
  },
  /**
   * Creates the customer's own key: a save dialog chooses where, the engine writes the secret
   * key file (mode 0600, never overwriting) and its public part beside it (`<file>.pub`).
   * `keyFile` is null when the dialog was cancelled. The secret never crosses IPC.
   */
  'customer.createKey': {
    request: empty,
    response: z.object({ keyFile: pathSchema.nullable(), publicKey: publicKey32B64Schema.nullable(), publicKeyFile: pathSchema.nullable() }),
  },
  /** Chooses an existing customer key file (checked in the engine: well-formed, mode 0600); null when cancelled. E_KEY_FILE otherwise. */
  'customer.chooseKey': {
    request: empty,
    response: z.object({ keyFile: pathSchema.nullable(), publicKey: publicKey32B64Schema.nullable() }),
  },
  /**
   * The customer key file remembered from the last `customer.createKey` / `customer.chooseKey`
   * (settings), checked again in the engine; nulls when none. E_KEY_FILE when it is gone
   * (`details.reason` `missing`) or no longer acceptable (e.g. `too-open`).
   */
  'customer.currentKey': {
    request: empty,
    response: z.object({ keyFile: pathSchema.nullable(), publicKey: publicKey32B64Schema.nullable() }),
  },
  /** Stops remembering the customer key file (the file itself is left alone). */
  'customer.forgetKey': {
    request: empty,
    response: z.object({ forgotten: z.boolean() }),
  },
  /** Saves the public part of a chosen customer key file where the customer says (a save dialog); null when cancelled. */
  'customer.exportPublicKey': {
    request: z.strictObject({ keyFile: pathSchema }),
    response: saved,
  },
  /** Technicien: reads a customer public key file (`scelle-customer-public-key/1`) chosen in a dialog; null when cancelled. E_KEY_FILE otherwise. */
  'customer.readPublicKey': {
    request: empty,
    response: z.object({ publicKey: publicKey32B64Schema.nullable() }),
  },
  'engine.lock': { request: z.strictObject({ sessionId: sessionIdSchema }), response: z.object({ locked: z.boolean() }) },
  /**
   * The entries directly inside `folder` ('' = the top level) of an unlocked drive, in index
   * order, from `start` for at most `limit` (default 500); folders carry their totals. `more`
   * says a next page exists; `totals` are the whole drive's.
   */
  'engine.browse': {
    request: z.strictObject({
      sessionId: sessionIdSchema,
      folder: z.union([z.literal(''), drivePathSchema]),
      start: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE).optional(),
    }),
    response: z.object({ entries: z.array(indexEntrySchema).max(MAX_PAGE), more: z.boolean(), totals: driveTotalsSchema }),
  },
  /**
   * Entries of an unlocked drive whose name contains `query` (case- and accent-insensitive),
   * in index order, at most `limit` (default 500). A newer search of the same session
   * cancels the one still running (which answers E_CANCELLED).
   */
  'engine.search': {
    request: z.strictObject({
      sessionId: sessionIdSchema,
      query: z.string().min(1).max(200),
      limit: z.number().int().min(1).max(MAX_PAGE).optional(),
    }),
    response: z.object({ entries: z.array(indexEntrySchema).max(MAX_PAGE), more: z.boolean() }),
  },
  /**
   * Restores everything (no `paths`), or the chosen folders (each with everything below it)
   * and files: the UI sends its minimal choice, never one path per file of a folder.
   */
  'engine.open': {
    request: z.strictObject({
      jobId: jobIdSchema,
      sessionId: sessionIdSchema,
      dest: pathSchema,
      paths: z.array(drivePathSchema).min(1).max(MAX_OPEN_PATHS).optional(),
      overwrite: z.enum(['never', 'always']).optional(),
    }),
    response: z.object({
      files: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      verified: z.literal(true),
      /** A member of a set: the members present, and the files that wait for each absent one (not restored). */
      set: setAvailabilitySchema.optional(),
    }),
  },
  'carriers.validate': {
    request: z.strictObject({ trackingNumber: z.string().max(100), carrier: z.string().max(32).optional() }),
    response: z.object({
      normalized: z.string(),
      valid: z.boolean(),
      /** Carriers whose format and check digit match. */
      carriers: z.array(carrierMatchSchema),
      /** The carrier retained (the asked one, or the only match), or null. */
      carrier: carrierMatchSchema.nullable(),
    }),
  },
  'custody.lookup': {
    request: z.strictObject({ kind: z.enum(['tracking', 'order', 'drive']), value: z.string().trim().min(3).max(100) }),
    response: z.object({ timelines: z.array(custodyTimelineSchema) }),
  },
  'custody.record': {
    request: z.strictObject({
      driveId: driveIdSchema,
      type: z.enum(['verified', 'shipped', 'received', 'opened', 'incident']),
      data: z.record(z.string(), z.unknown()),
      /** For the customer's `received` / `opened`: the unlocked drive whose key signs them. */
      sessionId: sessionIdSchema.optional(),
    }),
    /** `attestation` (customer events): signed by the customer's own key, or by the data-key key. */
    response: z.object({ eventId: z.string(), synced: z.boolean(), attestation: z.enum(['customer-key', 'data-key']).optional() }),
  },
  /**
   * The technicians' dashboard: every drive with a `sealed` event in this station's journal,
   * newest first, with its status from the journal merged with the service's lookup when it
   * answers (`source` says which), the actions that fit, and the outbox's size. `query` keeps
   * the drives whose id, order reference or tracking number contains it.
   */
  'custody.stationDrives': {
    request: z.strictObject({ query: z.string().max(100).optional() }),
    response: z.object({
      drives: z.array(stationDriveSchema),
      /** how many drives this station sealed in all (before the query) */
      total: z.number().int().nonnegative(),
      /** events waiting in the outbox, all drives */
      pending: z.number().int().nonnegative(),
      /** 'service' when the lookup answered for these drives, 'local' when only the journal was read */
      source: z.enum(['service', 'local']),
      /** why the service was not read (an error code such as E_CUSTODY_OFFLINE), or null */
      offlineCode: z.string().nullable(),
      /** interrupted seals on the attached drives (listed with drives.list), whatever the query */
      interrupted: z.array(interruptedSealSchema),
      /** set seals this station stopped at the question for the next drive (its own records), whatever the query */
      stoppedSets: z.array(stoppedSetSchema),
    }),
  },
  /** Pushes the outbox now. E_CUSTODY_OFFLINE when unreachable (the events stay queued). */
  'custody.sync': {
    request: empty,
    response: z.object({ pushed: z.number().int().nonnegative(), pending: z.number().int().nonnegative() }),
  },
  'slip.savePdf': {
    /** `set`: the drive's place in its set (as engine.seal answered), printed as "member 2 / 3 of set …". */
    request: z.strictObject({ driveId: driveIdSchema, carrier: z.string().max(32), trackingNumber: z.string().max(100), language: languageSchema, set: setPlaceSchema.optional() }),
    response: saved,
  },
  'report.export': {
    request: z.strictObject({ driveId: driveIdSchema, format: z.enum(['pdf', 'csv']), language: languageSchema }),
    response: saved,
  },
  'shell.openCarrierLink': {
    request: z.strictObject({ carrier: z.string().max(32), trackingNumber: z.string().max(100) }),
    response: z.object({ opened: z.boolean() }),
  },
} as const;

/** Every event channel (main → renderer) and its payload schema. */
export const eventChannels = {
  'job.progress': z.object({ jobId: jobIdSchema, progress: progressSchema }),
  'drives.changed': z.object({ count: z.number().int().nonnegative() }),
  /** A set seal as it goes: the next drive it waits for (answer with engine.nextDrive), each member started and sealed. */
  'seal.set': z.object({ jobId: jobIdSchema, event: setSealEventSchema }),
} as const;

/** Name of an invoke channel, e.g. `engine.seal`. */
export type InvokeChannel = keyof typeof invokeChannels;
/** Name of an event channel, e.g. `job.progress`. */
export type EventChannel = keyof typeof eventChannels;
/** The request type of an invoke channel. */
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
/** The response value type of an invoke channel. */
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>;
/** The payload type of an event channel. */
export type EventOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

/** Re-exported so tests can check that every schema of the table uses the drive-id format. */
export { driveIdSchema };
