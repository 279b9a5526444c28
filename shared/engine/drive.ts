/**
 * Opening a drive folder without any key: finding it, reading and checking manifest.json,
 * its signature and the station certificate; and, with a secret, unwrapping the data key
 * and decrypting the index.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64 } from '../format/base64.js';
import { IndexReader, fdSource } from '../format/index-reader.js';
import { FORMAT_LIMITS } from '../format/limits.js';
import type { IndexTrailer } from '../format/index-codec.js';
import { SCELLE_LAYOUT } from '../format/stream.js';
import { unwrapKeyslots } from '../format/keyslot.js';
import { parseManifest, verifyManifestSignature, type Manifest } from '../format/manifest.js';
import { verifyStationCertificate } from '../format/station-cert.js';
import type { DriveInfo, DriveSecret } from './api.js';
import { DRIVE_DIR_PREFIX, INDEX_FILE, MANIFEST_FILE, PAYLOAD_DIR, SEAL_STATE_FILE, SIGNATURE_FILE } from './drive-layout.js';
import { driveEntryKind, openDriveFile, readDriveFile, requireFolderOrAbsent } from './drive-files.js';
import { PayloadReader, type PayloadDescription } from './payload/payload-reader.js';

/** The station public key (base64) a manifest names, read loosely; null when absent. */
function stationKeyOf(manifestBytes: Buffer): string | null {
  try {
    const key = (JSON.parse(manifestBytes.toString('utf8')) as { station?: { publicKey?: unknown } }).station?.publicKey;
    return typeof key === 'string' ? key : null;
  } catch {
    throw new ScelleError('E_FORMAT_MANIFEST', 'manifest.json is not valid JSON: the drive is damaged');
  }
}

/** A drive whose manifest was read and whose signature verified. */
export interface LoadedDrive {
  driveDir: string;
  manifest: Manifest;
  manifestBytes: Buffer;
  info: DriveInfo;
}

/** True when `name` exists in `dir` in any form (a link counts, dangling or not). */
function present(dir: string, name: string): boolean {
  try {
    lstatSync(join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves `path` to a drive folder: the `SCELLE-<id>` folder itself, or a folder (a mount
 * point) holding exactly one real folder of that name (a link named SCELLE-… is never
 * followed). Throws E_FORMAT_MANIFEST when none is found.
 */
export function resolveDriveDir(path: string): string {
  if (present(path, MANIFEST_FILE) || present(path, SEAL_STATE_FILE)) return path;
  let candidates: string[] = [];
  try {
    candidates = readdirSync(path).filter((n) => n.startsWith(DRIVE_DIR_PREFIX) && lstatSync(join(path, n)).isDirectory());
  } catch {
    throw new ScelleError('E_FORMAT_MANIFEST', `${path} cannot be read; check the path`, { path });
  }
  if (candidates.length === 1) return join(path, candidates[0]!);
  if (candidates.length > 1) throw new ScelleError('E_USAGE', `${path} holds ${candidates.length} sealed drives; name the ${DRIVE_DIR_PREFIX}… folder to use`, { path });
  throw new ScelleError('E_FORMAT_MANIFEST', `${path} is not a sealed drive (no ${MANIFEST_FILE})`, { path });
}

/**
 * Loads the drive at `path` and checks its manifest signature and station certificate
 * against `pinnedRoots`. Throws E_FORMAT_MANIFEST (missing, unfinished or malformed),
 * E_FORMAT_SIGNATURE (signature missing or wrong: forged or altered manifest),
 * E_FORMAT_UNSAFE_ENTRY (manifest.json, manifest.sig or payload/ is a link or not a regular
 * file / real folder), E_FORMAT_LIMIT (manifest or signature oversized; too many keyslots or
 * parts; KDF parameters beyond bounds).
 * An uncertified station is not an error: `info.station.certified` is false with a reason.
 */
export function loadDrive(path: string, pinnedRoots: readonly Uint8Array[]): LoadedDrive {
  const driveDir = resolveDriveDir(path);
  if (driveEntryKind(driveDir, MANIFEST_FILE) === 'missing') {
    const unfinished = present(driveDir, SEAL_STATE_FILE);
    throw new ScelleError(
      'E_FORMAT_MANIFEST',
      unfinished ? `${driveDir} is an unfinished seal, not a sealed drive; resume or redo the seal` : `${driveDir} has no ${MANIFEST_FILE}`,
      { path: driveDir, unfinished },
    );
  }
  // Hostile input: regular files only, read whole only within bounds (drive-files.ts).
  requireFolderOrAbsent(driveDir, PAYLOAD_DIR);
  const manifestBytes = readDriveFile(driveDir, MANIFEST_FILE, FORMAT_LIMITS.manifestBytes);
  // The signature is checked before the strict schema, so that damage is reported as damage
  // (E_FORMAT_SIGNATURE), never as an unsupported newer format.
  let signature = '';
  try {
    signature = readDriveFile(driveDir, SIGNATURE_FILE, FORMAT_LIMITS.signatureBytes).toString('utf8').trim();
  } catch (e) {
    if (e instanceof ScelleError) throw e;
    throw new ScelleError('E_FORMAT_SIGNATURE', `${SIGNATURE_FILE} is missing: the drive's origin cannot be checked`, { path: driveDir });
  }
  const stationKey = decodeBase64(stationKeyOf(manifestBytes) ?? '', 32);
  if (!stationKey || !verifyManifestSignature(manifestBytes, signature, stationKey)) {
    throw new ScelleError('E_FORMAT_SIGNATURE', 'the manifest signature does not verify: the drive was altered or forged', { path: driveDir });
  }
  const manifest = parseManifest(manifestBytes);
  const cert = verifyStationCertificate(
    manifest.station.certificate,
    stationKey,
    pinnedRoots,
    new Date(manifest.createdAt),
    manifest.station.id,
    manifest.station.issuingCertificate,
  );
  const info: DriveInfo = {
    driveId: manifest.driveId,
    driveDir,
    createdAt: manifest.createdAt,
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    station: {
      id: manifest.station.id,
      publicKey: manifest.station.publicKey,
      certified: cert.certified,
      reason: cert.reason,
      certificate: manifest.station.certificate ?? null,
      issuingCertificate: manifest.station.issuingCertificate ?? null,
    },
    parts: manifest.payload.parts.length,
    payloadCiphertextBytes: manifest.payload.parts.reduce((a, p) => a + p.size, 0),
    keyslots: manifest.keyslots.map((k) => (k.type === 'x25519' ? { type: k.type, label: k.label } : { type: k.type })),
  };
  return { driveDir, manifest, manifestBytes, info };
}

/** A drive opened with its data key. */
export interface UnlockedDrive extends LoadedDrive {
  dataKey: Uint8Array;
  /** The open index (close it, or call {@link closeUnlocked}, when done). */
  index: IndexReader;
  /** The index's trailer: part sizes and totals, authenticated by the data key. */
  indexTrailer: IndexTrailer;
}

/**
 * Unwraps the data key with `secret`, opens the index and checks its trailer against the
 * manifest (drive id, part count, part sizes). Reads a few index segments, never the whole.
 * Throws E_KEY_UNLOCK_CODE_FORMAT / E_KEY_UNLOCK_CODE_TYPO (before the slow KDF), E_KEY_WRONG,
 * E_FORMAT_INDEX (missing, not authentic, malformed, or inconsistent with the manifest),
 * E_FORMAT_PART_SIZE (a part listed with another size than the index's part sizes make, or an
 * index file of another size than the manifest's), E_FORMAT_UNSAFE_ENTRY (the index is a link or
 * not a regular file), E_FORMAT_LIMIT (an index line beyond its bound), E_CANCELLED (`signal`,
 * checked between keyslot attempts and during the key derivation).
 */
export async function unlockDrive(drive: LoadedDrive, secret: DriveSecret, signal?: AbortSignal): Promise<UnlockedDrive> {
  const { manifest } = drive;
  // A data key from an unlocked session is copied (this drive's copy is wiped on close) and
  // proven by the index, which does not authenticate under another key.
  const dataKey = secret.kind === 'data-key' ? Uint8Array.from(secret.key) : await unwrapKeyslots(manifest.keyslots, secret, manifest.driveId, signal);
  let file;
  try {
    file = openDriveFile(drive.driveDir, INDEX_FILE);
  } catch (e) {
    dataKey.fill(0);
    if (e instanceof ScelleError) throw e;
    throw new ScelleError('E_FORMAT_INDEX', `${INDEX_FILE} is missing`, { path: drive.driveDir });
  }
  // The index is read by the size the (signed) manifest gives it, never by whatever the file grew to.
  if (file.size !== manifest.index.size) {
    closeSync(file.fd);
    dataKey.fill(0);
    throw new ScelleError('E_FORMAT_PART_SIZE', `${manifest.index.file} has ${file.size} bytes, the manifest says ${manifest.index.size}`, {
      file: manifest.index.file,
      size: file.size,
      expected: manifest.index.size,
    });
  }
  let index: IndexReader;
  try {
    index = IndexReader.open(fdSource(file.fd, file.size), dataKey, manifest.driveId);
  } catch (e) {
    dataKey.fill(0);
    throw e;
  }
  try {
    const t = index.trailer;
    if (t.parts !== manifest.payload.parts.length) {
      throw new ScelleError('E_FORMAT_INDEX', `the index lists ${t.parts} parts and the manifest ${manifest.payload.parts.length}`, {
        indexParts: t.parts,
        manifestParts: manifest.payload.parts.length,
      });
    }
    t.partSizes.forEach((size, n) => {
      if (n < t.parts - 1 && size !== manifest.payload.partPlaintextSize) throw new ScelleError('E_FORMAT_INDEX', `part ${n} holds ${size} bytes, not the part size`);
      if (n === t.parts - 1 && size > manifest.payload.partPlaintextSize) throw new ScelleError('E_FORMAT_INDEX', `the last part holds ${size} bytes, more than the part size`);
      // The manifest's part sizes are signed but not authenticated by the data key: the index decides.
      const listed = manifest.payload.parts[n]!;
      const expected = SCELLE_LAYOUT.ciphertextSize(size);
      if (listed.size !== expected)
        throw new ScelleError('E_FORMAT_PART_SIZE', `${listed.file} (part ${n}) is listed with ${listed.size} bytes; the index's ${size} plaintext bytes make ${expected}`, {
          file: listed.file,
          size: listed.size,
          expected,
        });
    });
  } catch (e) {
    index.close();
    throw e;
  }
  return { ...drive, dataKey, index, indexTrailer: index.trailer };
}

/** Closes the index and wipes the data key of an unlocked drive. */
export function closeUnlocked(drive: UnlockedDrive): void {
  drive.index.close();
  drive.dataKey.fill(0);
}

/** A payload reader for an unlocked drive. */
export function payloadReader(drive: UnlockedDrive): PayloadReader {
  return new PayloadReader(readerDescription(drive));
}

/** What a payload reader (in this thread or a worker) needs to know of an unlocked drive. */
export function readerDescription(drive: UnlockedDrive): PayloadDescription {
  return {
    driveDir: drive.driveDir,
    driveId: drive.manifest.driveId,
    dataKey: drive.dataKey,
    partFiles: drive.manifest.payload.parts.map((p) => p.file),
    partSizes: drive.indexTrailer.partSizes,
    partPlaintextSize: drive.manifest.payload.partPlaintextSize,
  };
}
