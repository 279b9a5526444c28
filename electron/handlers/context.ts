/**
 * What every per-feature handler module shares: the dependencies the shell gives the handlers
 * (`HandlerDeps`), the path grants, the drives last listed, and the few helpers several
 * features need (the UI language, finding a listed drive).
 */
import { join } from 'node:path';
import type { DriveTrust } from '../drive-trust.js';
import type { AttachedDrive } from '../../shared/drives/index.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import type { EventChannel, EventOf, InvokeChannel, Language, RequestOf, ResponseOf } from '../../shared/ipc/index.js';
import type { EngineHost } from '../engine/engine-host.js';
import { PathGrants } from '../path-grants.js';
import type { CustodyPort, DialogPort, DocumentPort, OpenExternal, SettingsStore } from '../ports.js';

/** Everything the handlers use. */
export interface HandlerDeps {
  shell: 'electron' | 'harness';
  version: string;
  platform: string;
  isTrustedSender: (url: string) => boolean;
  engine: EngineHost;
  emit: <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;
  settings: SettingsStore;
  dialogs: DialogPort;
  openExternal: OpenExternal;
  listDrives: (opts: { includeNonRemovable: boolean }) => Promise<AttachedDrive[]>;
  custody: CustodyPort;
  documents: DocumentPort;
  writeFile: (path: string, data: Uint8Array | string) => Promise<void>;
  stationKeyFile: string;
  /** base64 Ed25519 provider root public keys pinned in this build (station certificates chain to one). */
  pinnedRoots: readonly string[];
  /** The app's data folder (the custody service CA from an enrolment file is written there). */
  dataDir: string;
  /** The provider's escrow X25519 public key (base64), or null when none is configured. */
  escrowPublicKey: string | null;
  /** Optional logger for errors (codes only, never payloads). */
  log?: (line: string) => void;
  /** Judges a drive's origin at a trusted time (drive-trust.ts); without it, inspect gives no verdict. */
  driveTrust?: Pick<DriveTrust, 'judge'>;
}

/** The implementations of the channels `C`: each takes the validated request and answers within the contract. */
export type ChannelHandlers<C extends InvokeChannel> = { [K in C]: (req: RequestOf<K>) => Promise<ResponseOf<K>> };

/** The state and helpers one `createHandlers` call shares between its feature modules. */
export interface HandlerContext {
  readonly deps: HandlerDeps;
  readonly grants: PathGrants;
  /**
   * The customer key files handed out by the `customer.*` dialogs: accepted only where a key
   * file is expected (never as a source, destination or drive), and key-file requests accept
   * nothing else.
   */
  readonly keyFiles: PathGrants;
  /** The drives of the last `drives.list` answer. */
  drives: AttachedDrive[];
  /** The UI language from the settings. */
  lang(): Promise<Language>;
  /** The listed drive `id`; throws E_TARGET_NOT_FOUND when it is not in the last listing. */
  findDrive(id: string): AttachedDrive;
}

/** Builds the shared context over `deps` and `grants`, with no drive listed yet. */
export function createHandlerContext(deps: HandlerDeps, grants: PathGrants): HandlerContext {
  const ctx: HandlerContext = {
    deps,
    grants,
    keyFiles: new PathGrants(),
    drives: [],
    lang: async () => (await deps.settings.get()).language,
    findDrive: (id) => {
      const d = ctx.drives.find((x) => x.id === id);
      if (!d) throw new ScelleError('E_TARGET_NOT_FOUND', 'this drive is no longer attached; list the drives again', {});
      return d;
    },
  };
  return ctx;
}

/** The interrupted seals on `volumes`, read in the engine (the drives are hostile input). */
export function interruptedOn(ctx: HandlerContext, volumes: readonly AttachedDrive[]) {
  return ctx.deps.engine.call({ op: 'interrupted', args: { volumes: volumes.map((d) => ({ id: d.id, mountpoint: d.mountpoint })) } });
}

/** The app's folder of set seals stopped at the question for the next drive (set-continuation.ts): in its data folder, written by the engine. */
export function setContinuationDir(ctx: HandlerContext): string {
  return join(ctx.deps.dataDir, 'unfinished-sets');
}

/** The set seals this station stopped at the question for the next drive, read in the engine (each record as untrusted input). */
export function stoppedSetsOf(ctx: HandlerContext) {
  return ctx.deps.engine.call({ op: 'setContinuations', args: { dir: setContinuationDir(ctx), stationKeyFile: ctx.deps.stationKeyFile } });
}
