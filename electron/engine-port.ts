/**
 * The slice of shared/engine the desktop app calls, and the loader that finds it. The engine's
 * implementations are exported by shared/engine/index.ts; they are loaded lazily so that the
 * desktop shell and its tests build even while the engine is being written.
 */
import type { DriveInfo, DriveSecret, IndexEntry, OpenOptions, OpenResult, Progress, SealOptions, SealResult, VerifyReport } from '../shared/engine/api.js';
import { ScelleError } from '../shared/errors/scelle-error.js';

/** Options of the engine's verify. */
export interface EngineVerifyOptions {
  driveDir: string;
  secret?: DriveSecret;
  /** Provider root public keys (32-byte Ed25519) the station certificate must chain to. */
  pinnedRoots: Uint8Array[];
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** What the engine host needs from shared/engine. */
export interface EnginePort {
  seal(opts: SealOptions): Promise<SealResult>;
  inspect(driveDir: string): Promise<DriveInfo>;
  verify(opts: EngineVerifyOptions): Promise<VerifyReport>;
  /** Opens a keyslot; rejects with E_KEY_WRONG when no keyslot opens. */
  unlock?(opts: { driveDir: string; secret: DriveSecret }): Promise<unknown>;
  list(opts: { driveDir: string; secret: DriveSecret }): Promise<IndexEntry[] | { entries: IndexEntry[] } | AsyncIterable<IndexEntry>>;
  open(opts: OpenOptions): Promise<OpenResult>;
  /** Counts sources without reading them (optional: a plain walk is used otherwise). */
  scanSources?(sources: string[], opts: { signal?: AbortSignal; onCount?: (files: number, bytes: number) => void }): Promise<{ files: number; bytes: number }>;
}

const ENGINE_FUNCTIONS = ['seal', 'inspect', 'verify', 'list', 'open'] as const;

/** True when `mod` has every function EnginePort requires. */
export function isEnginePort(mod: unknown): mod is EnginePort {
  return typeof mod === 'object' && mod !== null && ENGINE_FUNCTIONS.every((f) => typeof (mod as Record<string, unknown>)[f] === 'function');
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
    throw new ScelleError('E_INTERNAL', `the engine could not be loaded: ${(e as Error).message}`, {}, { cause: e });
  }
  if (!isEnginePort(mod)) throw new ScelleError('E_INTERNAL', 'the engine module lacks seal/inspect/verify/list/open');
  return mod;
}

/** Normalizes the engine's list result (array, `{entries}` or async iterable) to an array. */
export async function collectEntries(result: Awaited<ReturnType<EnginePort['list']>>): Promise<IndexEntry[]> {
  if (Array.isArray(result)) return result;
  if (typeof result === 'object' && result !== null && 'entries' in result) return result.entries;
  const out: IndexEntry[] = [];
  for await (const e of result as AsyncIterable<IndexEntry>) out.push(e);
  return out;
}
