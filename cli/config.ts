/**
 * Where the station keeps its keys and trust settings, and loading them. Everything has a
 * default location so `scelle seal` works on a machine with nothing set up: the first seal
 * creates a local, uncertified station identity and says so.
 *   <home>/station.key        station secret key (+ id and certificate), mode 0600
 *   <home>/roots/<name>.pub   pinned provider root public keys
 *   <home>/escrow.pub         the provider's escrow recipient (added to every seal)
 * <home> is $SCELLE_HOME, else %APPDATA%\Scelle, ~/Library/Application Support/Scelle, or
 * $XDG_CONFIG_HOME/scelle (~/.config/scelle).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
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

/** The pinned provider root public keys (none on a machine not set up). */
export async function loadPinnedRoots(home = scelleHome()): Promise<Uint8Array[]> {
  const { rootsDir } = configPaths(home);
  if (!existsSync(rootsDir)) return [];
  const names = readdirSync(rootsDir).filter((n) => n.endsWith('.pub')).sort();
  return Promise.all(names.map((n) => readPublicKeyFile(join(rootsDir, n), 'root')));
}

/** The configured escrow recipient, or null. */
export async function loadEscrow(home = scelleHome()): Promise<Uint8Array | null> {
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
  const host = hostname().replace(/[^0-9A-Za-z-]/g, '-').slice(0, 32) || 'station';
  const station: StationIdentity = { id: `local-${host}-${randomBytes(3).toString('hex')}`, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate: null };
  await writeStationKeyFile(stationKey, station);
  return { station, created: true };
}
