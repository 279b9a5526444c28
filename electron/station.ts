/**
 * The station identity file of the desktop app: the Ed25519 key that signs manifests and
 * custody events, kept in the app's data folder, never sent to the renderer. Same key-file
 * format as the command line (shared/format/key-files.ts): mode 0600, validated on reading.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StationIdentity } from '../shared/engine/api.js';
import { readStationKeyFile, writeStationKeyFile } from '../shared/format/key-files.js';
import { generateSigningKeyPair } from '../shared/format/station-cert.js';

/** Creates a new, uncertified station identity with a fresh Ed25519 key. */
export function newStationIdentity(id: string): StationIdentity {
  const { secretKey, publicKey } = generateSigningKeyPair();
  return { id, secretKey, publicKey, certificate: null };
}

/** Writes the identity, replacing any previous one atomically (written beside it, then renamed). */
export async function saveStationIdentity(file: string, s: StationIdentity): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.new`;
  await rm(tmp, { force: true });
  await writeStationKeyFile(tmp, s);
  await rename(tmp, file);
}

/** Reads the station identity. Errors: E_KEY_FILE naming the file and what is wrong (never the key). */
export function loadStationIdentity(file: string): Promise<StationIdentity> {
  return readStationKeyFile(file);
}

/** Loads the identity, creating an uncertified one named `defaultId` when none exists yet. */
export async function loadOrCreateStation(file: string, defaultId: string): Promise<StationIdentity> {
  if (existsSync(file)) return loadStationIdentity(file);
  const s = newStationIdentity(defaultId);
  await saveStationIdentity(file, s);
  return s;
}
