/**
 * The station identity file: the Ed25519 key that signs manifests and custody events, kept in
 * the app's data folder with owner-only permissions, never sent to the renderer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StationCertificate, StationIdentity } from '../shared/engine/api.js';
import { ScelleError } from '../shared/errors/scelle-error.js';

interface StationFile {
  id: string;
  secretKey: string;
  publicKey: string;
  certificate: StationCertificate | null;
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Creates a new, uncertified station identity with a fresh Ed25519 key. */
export function newStationIdentity(id: string): StationIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwkPriv = privateKey.export({ format: 'jwk' });
  const jwkPub = publicKey.export({ format: 'jwk' });
  return { id, secretKey: new Uint8Array(Buffer.from(jwkPriv.d ?? '', 'base64url')), publicKey: new Uint8Array(Buffer.from(jwkPub.x ?? '', 'base64url')), certificate: null };
}

/** Writes the identity (mode 0600, atomically). */
export async function saveStationIdentity(file: string, s: StationIdentity): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const body: StationFile = { id: s.id, secretKey: b64(s.secretKey), publicKey: b64(s.publicKey), certificate: s.certificate };
  await writeFile(`${file}.tmp`, JSON.stringify(body), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/**
 * Reads the station identity. Errors: E_KEY_FILE when the file is missing or malformed
 * (the message never includes the key).
 */
export async function loadStationIdentity(file: string): Promise<StationIdentity> {
  let parsed: StationFile;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as StationFile;
  } catch (e) {
    throw new ScelleError('E_KEY_FILE', 'the station key file is missing or unreadable', { file }, { cause: e });
  }
  const secretKey = unb64(parsed.secretKey ?? '');
  const publicKey = unb64(parsed.publicKey ?? '');
  if (typeof parsed.id !== 'string' || secretKey.length !== 32 || publicKey.length !== 32) throw new ScelleError('E_KEY_FILE', 'the station key file is malformed', { file });
  return { id: parsed.id, secretKey, publicKey, certificate: parsed.certificate ?? null };
}

/** Loads the identity, creating an uncertified one named `defaultId` when none exists yet. */
export async function loadOrCreateStation(file: string, defaultId: string): Promise<StationIdentity> {
  try {
    return await loadStationIdentity(file);
  } catch (e) {
    if (!(e instanceof ScelleError) || (e.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw e;
    const s = newStationIdentity(defaultId);
    await saveStationIdentity(file, s);
    return s;
  }
}
