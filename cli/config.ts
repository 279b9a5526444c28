/**
 * Where the station keeps its keys and trust settings, and loading them. Everything has a
 * default location so `scelle seal` works on a machine with nothing set up: the first seal
 * creates a local, uncertified station identity and says so.
 *   <home>/station.key        station secret key (+ id and certificate), mode 0600
 *   <home>/roots/<name>.pub   pinned provider root public keys (development builds only)
 *   <home>/escrow.pub         the provider's escrow recipient (added to every seal)
 * A production build carries its provider's configuration (dist/provider.json, written by
 * build/provider-config.mjs): then only the provider's roots are trusted, and its escrow key,
 * when it has one, is the escrow recipient; roots set up on the machine are ignored.
 * <home> is $SCELLE_HOME, else %APPDATA%\Scelle, ~/Library/Application Support/Scelle, or
 * $XDG_CONFIG_HOME/scelle (~/.config/scelle).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { providerEscrow, providerRoots, readProviderConfig, type ProviderConfig } from '../shared/provider/provider-config.js';
import { readPublicKeyFile, readStationKeyFile, writeStationKeyFile } from '../shared/format/key-files.js';
import { generateSigningKeyPair } from '../shared/format/station-cert.js';
import type { StationIdentity } from '../shared/engine/api.js';

/** The configuration folder (see module doc). */
export function scelleHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCELLE_HOME) return env.SCELLE_HOME;
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Scelle');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Scelle');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'scelle');
}

/** Paths of the files in the configuration folder. */
export function configPaths(home = scelleHome()) {
  return { home, stationKey: join(home, 'station.key'), rootsDir: join(home, 'roots'), escrowPub: join(home, 'escrow.pub') };
}

/** The provider configuration file of this build: dist/provider.json, beside the compiled command line's folder. */
const PROVIDER_FILE = new URL('../provider.json', import.meta.url);
let builtIn: ProviderConfig | null | undefined;

/**
 * The provider configuration this build carries, or null for a development build (read once).
 * Running from the TypeScript sources (tests) counts as a development build.
 * @throws ScelleError E_PROVIDER_CONFIG when a compiled build's configuration is missing or damaged.
 */
export function builtInProvider(): ProviderConfig | null {
  if (builtIn === undefined) builtIn = import.meta.url.endsWith('.ts') && !existsSync(PROVIDER_FILE) ? null : readProviderConfig(fileURLToPath(PROVIDER_FILE));
  return builtIn;
}

/**
 * The pinned provider root public keys: the provider's, in a production build; else those set
 * up on this machine (none on a machine not set up).
 */
export async function loadPinnedRoots(home = scelleHome()): Promise<Uint8Array[]> {
  const provider = builtInProvider();
  if (provider) return providerRoots(provider);
  const { rootsDir } = configPaths(home);
  if (!existsSync(rootsDir)) return [];
  const names = readdirSync(rootsDir)
    .filter((n) => n.endsWith('.pub'))
    .sort();
  return Promise.all(names.map((n) => readPublicKeyFile(join(rootsDir, n), 'root')));
}

/** The escrow recipient: the provider's, when the build carries one; else the one set up on this machine, or null. */
export async function loadEscrow(home = scelleHome()): Promise<Uint8Array | null> {
  const fromProvider = providerEscrow(builtInProvider());
  if (fromProvider) return fromProvider;
  const { escrowPub } = configPaths(home);
  return existsSync(escrowPub) ? readPublicKeyFile(escrowPub, 'escrow') : null;
}

/**
 * The station identity; creates a local, uncertified one when none exists
 * (`created: true` tells the caller to say so).
 */
export async function loadOrCreateStation(home = scelleHome()): Promise<{ station: StationIdentity; created: boolean }> {
  const { stationKey } = configPaths(home);
  if (existsSync(stationKey)) return { station: await readStationKeyFile(stationKey), created: false };
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const pair = generateSigningKeyPair();
  const host =
    hostname()
      .replace(/[^0-9A-Za-z-]/g, '-')
      .slice(0, 32) || 'station';
  const station: StationIdentity = { id: `local-${host}-${randomBytes(3).toString('hex')}`, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate: null };
  await writeStationKeyFile(stationKey, station);
  return { station, created: true };
}
