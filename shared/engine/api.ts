/**
 * The engine's public contract: what the CLI, the Electron engine host and the tests call.
 * Implementations live in seal.ts, verify.ts, open.ts, list.ts, unlock.ts; this file holds
 * only types so that callers (cli/, electron/, shared/ipc) can be written against it.
 */
import type { IssuingCertificate, StationCertificate, StationIdentity } from '../format/station.js';
import type { ScelleErrorData } from '../errors/scelle-error.js';

/** A progress report, emitted at most every ~100 ms and once at the end of each phase. */
export interface Progress {
  /** What is running: counting sources, sealing, verifying a drive, restoring files. */
  phase: 'scan' | 'seal' | 'verify' | 'open';
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Smoothed throughput over the last few seconds, in bytes per second. */
  bytesPerSecond: number;
  /** Estimated seconds left, or null while unknown. */
  etaSeconds: number | null;
}

/** Station identity and certificate: defined with the format (shared/format/station.ts). */
export type { IssuingCertificate, StationCertificate, StationIdentity } from '../format/station.js';

/** Who can open the drive. At least one recipient is required. */
export interface Recipients {
  /** Generate an unlock code (returned once in SealResult.unlockCode). */
  unlockCode: boolean;
  /** X25519 recipients: the provider's escrow key, a customer's registered key. */
  x25519: { label: string; publicKey: Uint8Array }[];
}

export interface SealOptions {
  /** Files and folders to seal; each becomes a top-level entry named by its base name. */
  sources: string[];
  /** Folder (e.g. a drive's mount point) in which `SCELLE-<driveId>/` is created. */
  target: string;
  recipients: Recipients;
  station: StationIdentity;
  /** Plaintext bytes per part; default 1 GiB, lowered automatically for FAT32 targets. */
  partPlaintextSize?: number;
  /** Resume the unfinished seal found in `target` instead of starting a new one. */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Seal as a set over several drives when the data does not fit on `target` alone (docs/FORMAT.md §11). */
  set?: SetSealOptions;
}

/** How a seal spreads over several drives: attached ones, then drives attached as it goes. */
export interface SetSealOptions {
  /** Members 2, 3, …: targets already attached, used in this order after `target`. */
  more: string[];
  /**
   * When the attached targets are full: waits for the next drive (the technician attaches it) and
   * resolves to its folder; rejecting (e.g. E_CANCELLED) stops the seal. Called again with
   * `refused` when the folder given cannot take the member.
   */
  nextTarget?: (request: NextMemberRequest) => Promise<string>;
  /** Plan each member to hold at most this many bytes (default: each attached target's free space; for drives to come, the first target's). */
  memberBytes?: number;
  /**
   * What each attached drive may hold at most (`target` first, then `more`; null: unknown), for a
   * host that knows a drive's usable space better than its file system says (the desktop app's
   * listing). Each member is planned on the least of this, its free space and `memberBytes`.
   */
  capacities?: (number | null)[];
  /** Called as each member becomes a sealed drive (its packing slip can be printed). */
  onMemberSealed?: (member: SealedMember) => void;
  /**
   * The station's own folder where a set stopped at the question for the next drive is recorded
   * (plan, and keys wrapped to the station), so that `resume` can continue it onto the next drive.
   * Without it, such a set cannot be resumed (its sealed members stay whole drives).
   */
  continuationDir?: string;
  /** Called as the seal starts writing a member, once its target is known (to show which drive is being written). */
  onMemberStarted?: (member: StartedMember) => void;
}

/** A member the seal starts writing: its place in the set and its target. */
export interface StartedMember {
  setId: string;
  position: number;
  members: number;
  driveId: string;
  target: string;
}

/** What the seal needs next: a drive for member `position` of `members`. */
export interface NextMemberRequest {
  setId: string;
  position: number;
  members: number;
  driveId: string;
  /** Free bytes the member needs. */
  bytesNeeded: number;
  /** Why the previous folder given was refused, or null. */
  refused: ScelleErrorData | null;
}

/** One member of a sealed set, once it is a sealed drive. */
export interface SealedMember {
  position: number;
  /** How many members the set has. */
  members: number;
  driveId: string;
  driveDir: string;
  target: string;
  parts: number;
  /** Tar bytes of the set's stream this member holds. */
  tarBytes: number;
  manifestSha256: string;
  /** base64 Ed25519 public key of this member's customer custody key (its `sealed` event). */
  customerPublicKey: string;
  /** Entries its index lists, and whether that is the whole set. */
  indexEntries: number;
  indexComplete: boolean;
  /** Files whose content lies on this member, wholly or in part (those a restore without it names), and their bytes. */
  files: number;
  bytes: number;
}

export interface SealResult {
  driveId: string;
  driveDir: string;
  /** The unlock code in display form, shown once; absent when not asked. */
  unlockCode?: string;
  manifestSha256: string;
  files: number;
  bytes: number;
  parts: number;
  resumed: boolean;
  /** base64 Ed25519 public key of the drive's customer custody key (for the `sealed` event). */
  customerPublicKey: string;
  /**
   * hex SHA-256 of the station certificate written into the manifest (for the `sealed` event): the
   * one this seal used, even if the station's certificate was renewed meanwhile.
   */
  stationCertificateSha256: string;
  /** A set: every member (the result's drive is member 1), and the targets it did not need. */
  /**
   * A sealed set: the members sealed by this run (a resume: those from where it resumed), every
   * member's drive id and part count in position order, and targets given but not needed.
   */
  set?: { id: string; members: SealedMember[]; unusedTargets: string[]; driveIds: string[]; partCounts: number[] };
}

/** What can be learned about a drive without any key. */
export interface DriveInfo {
  driveId: string;
  driveDir: string;
  createdAt: string;
  manifestSha256: string;
  /** The sealing station; `certified` judged at the manifest's date (see shared/format/station-trust.ts for the verdict at a trusted time). */
  station: { id: string; publicKey: string; certified: boolean; reason: string | null; certificate: StationCertificate | null; issuingCertificate?: IssuingCertificate | null };
  parts: number;
  payloadCiphertextBytes: number;
  keyslots: { type: 'unlock-code' | 'x25519'; label?: string }[];
}

/**
 * What opens a drive: a secret that opens a keyslot, or (`data-key`) the data key of a drive
 * already unlocked in this process — the desktop app's session, so that a restore does not
 * run the unlock code's key derivation again. A data key never comes from user input.
 */
export type DriveSecret = { kind: 'unlock-code'; code: string } | { kind: 'x25519'; secretKey: Uint8Array } | { kind: 'data-key'; key: Uint8Array };

/** One entry of the encrypted index: defined with the format (shared/format/index-line.ts). */
export type { IndexEntry } from '../format/index-line.js';

export interface VerifyReport {
  driveId: string;
  /** 'media' = without key (signature, sizes, ciphertext hashes); 'full' = every segment and file hash. */
  level: 'media' | 'full';
  ok: boolean;
  station: DriveInfo['station'];
  files?: number;
  bytes?: number;
  /** Every problem found, as the plain-data form of its ScelleError. */
  problems: ScelleErrorData[];
  /** With a secret: the customer's custody key (see OpenResult). */
  customerKey?: CustomerCustodyKey;
  /**
   * A member of a set, with a secret: what was checked with the members given. Every segment of
   * their parts authenticated; files wholly on them hash-checked; the others are counted here.
   */
  set?: { id: string; members: number; present: number[]; absent: { position: number; driveId: string }[]; filesChecked: number; filesElsewhere: number; notListed: number };
}

export interface OpenOptions {
  driveDir: string;
  /** Other members of the same sealed set, attached beside `driveDir` (any order). */
  members?: string[];
  secret: DriveSecret;
  /** Destination folder; created if missing. */
  dest: string;
  /** Restore only these paths (a folder selects everything below it). Default: everything. */
  paths?: string[];
  /** What to do when a file already exists at the destination. Default 'never' (error). */
  overwrite?: 'never' | 'always';
  /**
   * Apply the modes the drive records as they are. Default false: setuid, setgid and sticky
   * bits and group/other write permission are dropped (a drive is hostile input).
   */
  keepModes?: boolean;
  /**
   * Create links that are absolute or lead outside the restore folder (each is reported in the
   * result). Default false: such a link stops the restore with E_RESTORE_UNSAFE_LINK before
   * anything is written.
   */
  allowOutwardLinks?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** Files of a set that need a member not attached (none restored), per absent member. */
export interface AbsentMemberReport {
  position: number;
  driveId: string;
  /** Files (and their bytes) that need this member; a file spanning two absent members counts for both. */
  files: number;
  bytes: number;
  /** The first of them (at most 50), to name. */
  paths: string[];
}

/** What a set's members present could not provide. */
export interface SetAvailability {
  id: string;
  members: number;
  present: number[];
  absent: AbsentMemberReport[];
  /** Entries of the set that no member present lists (they lie after the last member present's index), or 0. */
  notListed: number;
}

/** The customer's custody signing key, derivable only with the data key (see docs/CUSTODY.md). */
export interface CustomerCustodyKey {
  secretKey: Uint8Array;
  /** base64 Ed25519 public key. */
  publicKey: string;
  authorId: string;
}

export interface OpenResult {
  /** Signs the customer's custody events (received, opened, erased). Never logged. */
  customerKey: CustomerCustodyKey;
  files: number;
  bytes: number;
  /** True only once every restored byte authenticated and every file hash matched. */
  verified: true;
  /** A set: which members were present, and what the absent ones hold (not restored). */
  set?: SetAvailability;
  /**
   * A set: every member present, each with its own customer custody key (derived from the data key
   * and its drive id), so that each member's chain gets the customer's events. Never logged.
   */
  members?: { driveId: string; driveDir: string; customerKey: CustomerCustodyKey }[];
}
