/**
 * The slice of shared/engine the desktop app calls, and the loader that finds it. The real
 * engine is shared/engine/index.ts (a compile-time check below keeps this interface in step
 * with it); tests pass a fake with the same shape.
 */
import type * as RealEngine from '../shared/engine/index.js';
import type { DriveInfo, DriveSecret, IndexEntry, OpenOptions, OpenResult, Progress, SealOptions, SealResult, VerifyReport } from '../shared/engine/api.js';
import { ScelleError } from '../shared/errors/scelle-error.js';

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

/** A drive opened with its data key (kept in the engine host's session table only). */
export interface EngineUnlocked {
  info: DriveInfo;
  dataKey: Uint8Array;
  entries: IndexEntry[];
}

/** What the engine host needs from shared/engine. */
export interface EnginePort {
  seal(opts: SealOptions): Promise<SealResult>;
  inspect(driveDir: string, pinnedRoots: PinnedRoots): DriveInfo | Promise<DriveInfo>;
  verify(opts: EngineVerifyOptions): Promise<VerifyReport>;
  list(opts: { driveDir: string; secret: DriveSecret; pinnedRoots: PinnedRoots }): Promise<{ entries: IndexEntry[] }>;
  open(opts: OpenOptions & { pinnedRoots: PinnedRoots }): Promise<OpenResult>;
  loadDrive(path: string, pinnedRoots: PinnedRoots): { info: DriveInfo };
  unlockDrive(drive: never, secret: DriveSecret): Promise<{ dataKey: Uint8Array; index: { entries(): Iterable<IndexEntry>; close(): void } }>;
}

// Compile-time check: the real engine satisfies EnginePort.
type Satisfies<T extends EnginePort> = T;
export type RealEngineCheck = Satisfies<typeof RealEngine>;

const ENGINE_FUNCTIONS = ['seal', 'inspect', 'verify', 'list', 'open', 'loadDrive', 'unlockDrive'] as const;

/** True when `mod` has every function EnginePort requires. */
export function isEnginePort(mod: unknown): mod is EnginePort {
  return typeof mod === 'object' && mod !== null && ENGINE_FUNCTIONS.every((f) => typeof (mod as Record<string, unknown>)[f] === 'function');
}

/** Opens a drive with `secret` through the engine: info, data key and index entries. */
export async function unlockWith(engine: EnginePort, driveDir: string, secret: DriveSecret, roots: PinnedRoots): Promise<EngineUnlocked> {
  const drive = engine.loadDrive(driveDir, roots);
  const unlocked = await engine.unlockDrive(drive as never, secret);
  // The Client workspace still shows a flat list: the folder browser fed from the index
  // (browseFolder / searchNames) is the next step.
  try {
    return { info: drive.info, dataKey: unlocked.dataKey, entries: [...unlocked.index.entries()] };
  } finally {
    unlocked.index.close();
  }
}

/**
 * Imports shared/engine/index.js (relative to this compiled file) and checks its shape.
 * Errors: E_INTERNAL when the engine is missing or incomplete.
 */
export async function loadEngine(specifier = new URL('../shared/engine/index.js', import.meta.url).href): Promise<EnginePort> {
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
  if (!isEnginePort(mod)) throw new ScelleError('E_INTERNAL', 'the engine module lacks seal/inspect/verify/list/open/loadDrive/unlockDrive');
  return mod;
}
