/**
 * What the IPC handlers need from the outside world, as small interfaces: Electron's dialogs
 * and shell in the app, fakes in the e2e harness and unit tests.
 */
import type { CustodyEvent, SignedEvent } from '../shared/custody/event.js';
import type { CustodyStore } from '../shared/custody/journal.js';
import type { CustodyTimelineDto, Language, SettingsDto } from '../shared/ipc/index.js';

/** Signs customer events for one drive without revealing the key. */
export interface CustomerSigner {
  authorId: string;
  /** base64 Ed25519 public key of the customer custody key. */
  publicKey: string;
  /** manifestSha256 of the drive: the customer lineage's anchor. */
  anchor: string;
  sign(event: CustodyEvent): Promise<SignedEvent>;
}

/** Native file dialogs. Each returns null (or []) when the user cancels. */
export interface DialogPort {
  chooseSources(kind: 'files' | 'folders'): Promise<string[]>;
  chooseFolder(purpose: 'restore' | 'sealed-drive'): Promise<string | null>;
  /** A path to save to (`key`: a customer's secret key file; `pub`: a public key file), or null when cancelled. */
  saveFile(defaultName: string, kind: 'pdf' | 'csv' | 'key' | 'pub'): Promise<string | null>;
  /** One existing key file (`customer-key`: a customer's secret key; `customer-public-key`: its `.pub`), or null when cancelled. */
  chooseKeyFile(kind: 'customer-key' | 'customer-public-key'): Promise<string | null>;
}

/** Opens a URL in the user's browser (only ever called with an https carrier link). */
export type OpenExternal = (url: string) => Promise<void>;

/** Persistent settings, plus the private fields the renderer never sees. */
export interface SettingsStore {
  get(): Promise<SettingsDto>;
  set(patch: Partial<Pick<SettingsDto, 'language' | 'custodyUrl' | 'custodyCaPath' | 'stationId' | 'stationEnrolled' | 'customerKeyFile'>>): Promise<SettingsDto>;
  /** The custody service credentials and pinned service keys. Never sent to the renderer. */
  secrets(): Promise<CustodySecrets>;
  /**
   * Replaces the custody credentials issued by the service at `origin` (its URL): tokens are
   * sealed with the OS keychain and only returned by `secrets()` while the configured custody
   * address has that origin; `set` with another origin drops them.
   * @throws ScelleError E_CUSTODY_SYNC `no-secure-storage` when no OS keychain can seal them.
   */
  setSecrets(secrets: CustodySecrets, origin: string): Promise<void>;
}

/** What the station needs to talk to the custody service, from its enrolment file. */
export interface CustodySecrets {
  /** Token of role `station` (pushes events), or null. */
  stationToken: string | null;
  /** Token of role `support` (looks drives up), or null: lookups then use the station token. */
  supportToken: string | null;
  /** base64 Ed25519 public keys of the custody service (receipts and checkpoints must verify under one). */
  serviceKeys: string[];
  /** RFC 3339: when these tokens were stored (enrolment or last rotation); set by the store when absent. */
  issuedAt?: string | null;
}

/** No credentials: a station that was never enrolled. */
export const NO_SECRETS: CustodySecrets = { stationToken: null, supportToken: null, serviceKeys: [] };

/** Which custody index to search. */
export type LookupKind = 'tracking' | 'order' | 'drive';

/** The custody service and the local journal. */
export interface CustodyPort {
  /** Timelines matching a tracking number, order reference or drive id. E_CUSTODY_OFFLINE when unreachable, E_CUSTODY_SYNC when refused or not enrolled. */
  lookup(kind: LookupKind, value: string): Promise<CustodyTimelineDto[]>;
  /**
   * Signs, journals and tries to push an event; `synced` false when queued for later. Without
   * `customer` the station signs (provider lineage); with it, the customer lineage is used and
   * `customer.sign` (the engine host, which holds the data key) signs.
   */
  record(input: { driveId: string; type: string; data: Record<string, unknown>; customer?: CustomerSigner }): Promise<{ eventId: string; synced: boolean }>;
  /** Pushes the queued events now. E_CUSTODY_OFFLINE when unreachable (they stay queued). */
  sync?(): Promise<unknown>;
  /** The local journal and outbox (the dashboard lists the drives it holds). E_CUSTODY_JOURNAL when it cannot be opened. */
  journal?(): Promise<CustodyStore>;
}

/** A drive's place in its sealed set, as a packing slip prints it. */
export interface SlipSetPlace {
  id: string;
  position: number;
  members: number;
}

/** Renders documents (PDF bytes, CSV text). */
export interface DocumentPort {
  /** `set`: the drive's place in its sealed set, printed as the set id and "2 / 3". */
  packingSlip(input: { driveId: string; carrierName: string; trackingNumber: string; language: Language; set?: SlipSetPlace }): Promise<Uint8Array>;
  timelinePdf(timeline: CustodyTimelineDto, language: Language): Promise<Uint8Array>;
  timelineCsv(timeline: CustodyTimelineDto): string;
}
