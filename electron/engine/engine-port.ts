/**
 * The slice of shared/engine the desktop app calls, and the loader that finds it. The real
 * engine is shared/engine/index.ts (a compile-time check below keeps this interface in step
 * with it).
 */
import type * as RealEngine from '../../shared/engine/index.js';
import type { AbsentMember, LoadedDrive, OpenedDrives, SetView, SourceTotals, UnlockedDrive } from '../../shared/engine/index.js';
import type { DriveInfo, DriveSecret, IndexEntry, OpenOptions, OpenResult, Progress, SealOptions, SealResult, VerifyReport } from '../../shared/engine/api.js';
import type { EraseOptions, EraseReport } from '../../shared/engine/erase.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';

export type { LoadedDrive, OpenedDrives, SetView, UnlockedDrive };

/** Provider root public keys (32-byte Ed25519) that station certificates must chain to. */
export type PinnedRoots = readonly Uint8Array[];

/** Options of the engine's verify. */
export interface EngineVerifyOptions {
  driveDir: string;
  secret?: DriveSecret;
  pinnedRoots: PinnedRoots;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** A page of index entries (browseFolder, searchNames). */
export interface EntryPage {
  entries: IndexEntry[];
  more: boolean;
}

/** What the engine host needs from shared/engine. */
export interface EnginePort {
  seal(opts: SealOptions): Promise<SealResult>;
  inspect(driveDir: string, pinnedRoots: PinnedRoots): DriveInfo | Promise<DriveInfo>;
  verify(opts: EngineVerifyOptions): Promise<VerifyReport>;
  open(opts: OpenOptions & { pinnedRoots: PinnedRoots }): Promise<OpenResult>;
  /** Unwraps the data key and opens the index (a few segments read, never the whole). */
  openIndex(opts: { driveDir: string; secret: DriveSecret; pinnedRoots: PinnedRoots; signal?: AbortSignal }): Promise<UnlockedDrive>;
  /** Closes the index and wipes the data key. */
  closeUnlocked(drive: UnlockedDrive): void;
  /** The children of one folder ('' = the top level), in index order, paged. */
  browseFolder(drive: UnlockedDrive, folder: string, start?: number, limit?: number): EntryPage;
  /** Entries whose name contains `query` (case- and accent-insensitive), in index order. */
  searchNames(drive: UnlockedDrive, query: string, limit?: number, signal?: AbortSignal): EntryPage;
  /** Crypto-erases a drive folder and verifies the result (shared/engine/erase.ts). */
  eraseDrive(opts: EraseOptions): EraseReport | Promise<EraseReport>;
  /** Loads a drive without any key (manifest, signature, certificate). */
  loadDrive(driveDir: string, pinnedRoots: PinnedRoots): LoadedDrive;
  /** Loads one drive, or the members of one set given (E_SET_MISMATCH otherwise), sorted by position. */
  loadDrives(paths: readonly string[], pinnedRoots: PinnedRoots): LoadedDrive[];
  /** Unlocks the drives loaded (one key derivation for a set) and checks the set whole. */
  unlockDrives(loaded: readonly LoadedDrive[], secret: DriveSecret, signal?: AbortSignal): Promise<OpenedDrives>;
  /** The absent members holding any of the bytes of an entry's content. */
  absentMembersFor(set: SetView | null, e: Pick<IndexEntry, 'offset' | 'size'>): AbsentMember[];
  /** Counts sources as a seal does before it writes (files, folders, bytes), reporting as it goes. */
  countSourceTotals(sources: readonly string[], opts?: { signal?: AbortSignal; onCount?: (t: SourceTotals) => void }): Promise<SourceTotals>;
}

// Compile-time check: the real engine satisfies EnginePort.
type Satisfies<T extends EnginePort> = T;
export type RealEngineCheck = Satisfies<typeof RealEngine>;

const ENGINE_FUNCTIONS = [
  'seal',
  'inspect',
  'verify',
  'open',
  'openIndex',
  'closeUnlocked',
  'browseFolder',
  'searchNames',
  'eraseDrive',
  'loadDrive',
  'loadDrives',
  'unlockDrives',
  'absentMembersFor',
  'countSourceTotals',
] as const;

/** True when `mod` has every function EnginePort requires. */
export function isEnginePort(mod: unknown): mod is EnginePort {
  return typeof mod === 'object' && mod !== null && ENGINE_FUNCTIONS.every((f) => typeof (mod as Record<string, unknown>)[f] === 'function');
}

/**
 * Imports shared/engine/index.js (relative to this compiled file) and checks its shape.
 * Errors: E_INTERNAL when the engine is missing or incomplete.
 */
export async function loadEngine(specifier = new URL('../../shared/engine/index.js', import.meta.url).href): Promise<EnginePort> {
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (e) {
    // Running from the TypeScript sources (tests, e2e harness): the module is index.ts.
    const fromSource = specifier.endsWith('.js') && import.meta.url.endsWith('.ts');
    if (!fromSource) throw new ScelleError('E_INTERNAL', `the engine could not be loaded: ${(e as Error).message}`, {}, { cause: e });
    try {
      mod = await import(specifier.replace(/\.js$/, '.ts'));
    } catch (e2) {
      throw new ScelleError('E_INTERNAL', `the engine could not be loaded: ${(e2 as Error).message}`, {}, { cause: e2 });
    }
  }
  if (!isEnginePort(mod)) throw new ScelleError('E_INTERNAL', `the engine module lacks one of ${ENGINE_FUNCTIONS.join('/')}`);
  return mod;
}
