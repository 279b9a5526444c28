/**
 * The messages between the engine host and the engine dispatcher (in-process, in an Electron
 * utility process, or in a worker thread). Everything here is structured-clone safe. Secrets
 * (the typed unlock code) travel only in an `unlock` call; the dispatcher answers with an
 * opaque session id. A customer key travels as the path of its file, read by the engine.
 */
import type { CustomerSignerKind } from '../../shared/custody/customer-identity.js';
import type { CustodyEvent, SignedEvent } from '../../shared/custody/event.js';
import type { DriveInfo, NextMemberRequest, OpenResult, Progress, SealedMember, SealResult, SetAvailability, StartedMember, VerifyReport } from '../../shared/engine/api.js';
import type { ManifestSet } from '../../shared/format/set.js';
import type { EraseReport } from '../../shared/engine/erase.js';
import type { ScelleErrorData } from '../../shared/errors/scelle-error.js';
import type { SetContinuationInfo } from '../../shared/engine/seal/set-continuation.js';
import type { InterruptedSeal } from '../interrupted-seals.js';

/** Seal settings the main side adds to the renderer's request. */
export interface SealCall {
  sources: string[];
  target: string;
  unlockCode: boolean;
  /** X25519 recipients, public keys base64. */
  x25519: { label: string; publicKey: string }[];
  partPlaintextSize?: number;
  /** Continue the one unfinished seal in `target` (SealOptions.resume); `sources` must be the recorded ones. */
  resume?: boolean;
  /** Where the dispatcher reads the station identity (a JSON key file). */
  stationKeyFile: string;
  /** Seal as a set when the data does not fit on `target` alone (SetSealOptions without its callbacks). */
  set?: SealSetCall;
}

/** How a seal may spread over several drives: the main side's choice, the callbacks stay on each side. */
export interface SealSetCall {
  /** Members 2, 3, …: targets already attached (mount points), in this order after `target`. */
  more: string[];
  /** When the targets given are full, ask the host for the next drive (SealHooks.nextTarget). */
  waitForDrives: boolean;
  /** Plan each member to hold at most this many bytes. */
  memberBytes?: number;
  /** What each attached drive may hold (`target`, then `more`; null: unknown), as SetSealOptions.capacities. */
  capacities?: (number | null)[];
  /** The station's folder recording a set stopped at the question for the next drive (SetSealOptions.continuationDir); a resume also looks there. */
  continuationDir?: string;
}

/** What a running set seal tells the host, and the one thing it asks (the next drive's folder). */
export type SetJobEvent = { type: 'next'; request: NextMemberRequest } | { type: 'started'; member: StartedMember } | { type: 'sealed'; member: SealedMember };

/**
 * The hooks of one job, on the side that called it: a set seal asks `nextTarget` for the next
 * drive's folder (rejecting stops the seal) and reports each member started and sealed.
 */
export interface SealHooks {
  nextTarget?(request: NextMemberRequest): Promise<string>;
  onMemberStarted?(member: StartedMember): void;
  onMemberSealed?(member: SealedMember): void;
}

/** The result of a seal, as returned to the main side (the unlock code exactly once): the engine's result without `resumed`. */
export type SealOutcome = Omit<SealResult, 'resumed'>;

/** The members of a set found among the drive folders given, without any key. */
export interface SetMembersView {
  /** The drive picked: its set (from its manifest), or null when it was sealed alone. */
  set: ManifestSet | null;
  /** Every member by position: its drive id and, when one of the folders given is it, that folder. */
  members: { position: number; driveId: string; driveDir: string | null }[];
}

/** One index entry as the desktop shows it: no offset, hash or mode; folders with their totals. */
export interface BrowseEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  mtime: number;
  /** Folders: entries, files and the files' bytes below them (at any depth). */
  entries?: number;
  files?: number;
  bytes?: number;
}

/** A drive's totals, from its index trailer. */
export interface DriveTotals {
  entries: number;
  files: number;
  bytes: number;
}

/** One call to the dispatcher. `jobId` routes progress and cancellation. */
export type EngineCall =
  | { op: 'seal'; jobId: string; args: SealCall }
  | { op: 'count'; jobId: string; args: { paths: string[] } }
  | { op: 'inspect'; args: { driveDir: string } }
  | { op: 'verify'; jobId: string; args: { driveDir: string; sessionId?: string } }
  | { op: 'customerAuthor'; args: { sessionId: string } }
  /** The authors of the customer's events for every drive of the session: the drive unlocked first, then the other members of its set given. */
  | { op: 'customerAuthors'; args: { sessionId: string } }
  /** Signs a customer event of one of the session's drives (the drive it names) with that drive's customer key. */
  | { op: 'customerSign'; args: { sessionId: string; event: CustodyEvent } }
  /**
   * Opens a drive (and the other members of its set given in `members`) with the unlock code, or
   * with the customer key file `keyFile` (its `customer-key` keyslot) when no code is given; a key
   * file given with a code signs the customer's events. The key file is read here, in the engine;
   * its secret never leaves it.
   */
  | { op: 'unlock'; args: { driveDir: string; code?: string; keyFile?: string; members?: string[] } }
  /** Creates a customer key file (0600) at `path` and its public part at `<path>.pub`. */
  | { op: 'customerKeyCreate'; args: { path: string } }
  /** Checks a customer key file (0600, well-formed) and answers its public part. */
  | { op: 'customerKeyInspect'; args: { path: string } }
  /** The set of `driveDir` (keyless) and which of `candidates` (other drive folders attached) are its members. */
  | { op: 'setMembers'; args: { driveDir: string; candidates: string[] } }
  /** For an unlocked set: what the members present hold and what waits for the absent ones (one pass over the index, in slices). */
  | { op: 'availability'; args: { sessionId: string } }
  | { op: 'lock'; args: { sessionId: string } }
  | { op: 'browse'; args: { sessionId: string; folder: string; start: number; limit: number } }
  | { op: 'search'; args: { sessionId: string; query: string; limit: number } }
  | { op: 'release'; args: { sessionId: string } }
  | { op: 'open'; jobId: string; args: { sessionId: string; dest: string; paths?: string[]; overwrite?: 'never' | 'always' } }
  /** Lists the interrupted seals on these volumes (interrupted-seals.ts: state files read as hostile input). */
  | { op: 'interrupted'; args: { volumes: { id: string; mountpoint: string }[] } }
  /** Lists the set seals this station (its key file) stopped at the question for the next drive, from the records in `dir` (set-continuation.ts). */
  | { op: 'setContinuations'; args: { dir: string; stationKeyFile: string } }
  /** Crypto-erases a drive folder; with `sessionId`, that session's index is closed first (its key stays, to sign the record). */
  | { op: 'erase'; args: { driveDir: string; sessionId?: string } };

/** What each call resolves to. */
export interface EngineAnswers {
  seal: SealOutcome;
  count: { files: number; directories: number; bytes: number };
  inspect: DriveInfo;
  verify: Omit<VerifyReport, 'customerKey'>;
  /** `receipts`: which key will sign the customer's events of this drive (shared/custody/customer-identity.ts). */
  unlock: { sessionId: string; driveId: string; openedWith: 'unlock-code' | 'customer-key'; receipts: CustomerSignerKind };
  /** The author of the session's customer events and what attests them. */
  customerAuthor: { driveId: string; authorId: string; publicKey: string; manifestSha256: string; attestation: 'customer-key' | 'data-key' };
  customerAuthors: EngineAnswers['customerAuthor'][];
  customerKeyCreate: { publicKey: string; publicKeyFile: string };
  customerKeyInspect: { publicKey: string };
  setMembers: SetMembersView;
  /** null for a drive sealed alone. */
  availability: SetAvailability | null;
  customerSign: SignedEvent;
  lock: { locked: boolean };
  browse: { entries: BrowseEntry[]; more: boolean; totals: DriveTotals };
  search: { entries: BrowseEntry[]; more: boolean };
  /** The session's index is closed (its key stays, to sign events) until `lock`. */
  release: { released: boolean };
  open: Omit<OpenResult, 'customerKey'>;
  erase: EraseReport;
  interrupted: InterruptedSeal[];
  setContinuations: SetContinuationInfo[];
}

/** A serialized error: the plain-data form of ScelleError (shared/errors). */
export type EngineErrorDto = ScelleErrorData;

/** Messages host → engine (process or thread). `init` comes first, once. */
export type HostMessage =
  /** Starts the dispatcher: the provider roots it pins (base64) and, in tests only, another engine module. */
  | { kind: 'init'; pinnedRoots: string[]; engineUrl?: string }
  | { kind: 'call'; callId: number; call: EngineCall }
  | { kind: 'cancel'; jobId: string }
  /** The answer to a job's `next` request: the next drive's folder, or why there is none (e.g. E_CANCELLED). */
  | { kind: 'nextTarget'; jobId: string; target: string }
  | { kind: 'nextTarget'; jobId: string; error: EngineErrorDto }
  /** Before the worker ends: stop every job and close every session (indexes closed, keys wiped). */
  | { kind: 'close' };
/** Messages engine → host. */
export type WorkerMessage =
  | { kind: 'result'; callId: number; value: unknown }
  | { kind: 'error'; callId: number; error: EngineErrorDto }
  | { kind: 'progress'; jobId: string; progress: Progress }
  | { kind: 'set'; jobId: string; event: SetJobEvent }
  | { kind: 'closed' };
