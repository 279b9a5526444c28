/**
 * manifest.json of scelle/1 (DESIGN §3): its type, its deterministic serialization, strict
 * parsing, and the station's Ed25519 signature over its exact bytes (manifest.sig).
 */
import { ed25519Sign, ed25519Verify } from './curves-native.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { DRIVE_ID_PATTERN } from './drive-id.js';
import { base64Bytes, describeIssues, nonNegativeInt, printableId, rfc3339Utc, sha256Hex } from './json-schemas.js';
import { KEYSLOT_TYPES, type Keyslot, keyslotSchema } from './keyslot.js';
import { checkManifestLimits } from './limits.js';
import { type IssuingCertificate, issuingCertificateSchema, type StationCertificate, stationCertificateSchema, type StationIdentity } from './station.js';
import { type ManifestSet, manifestSetSchema } from './set.js';

/** The format tag of this version. */
export const FORMAT_TAG = 'scelle/1';
/** The only streaming AEAD of scelle/1 (Tink). */
export const PAYLOAD_AEAD = 'AES256_GCM_HKDF_1MB';

/** One payload part: its file (relative to the drive folder), ciphertext size and SHA-256. */
export interface ManifestPart {
  file: string;
  size: number;
  /** Lowercase hex SHA-256 of the part's ciphertext. */
  sha256: string;
}

/** The content of manifest.json. Public: it holds no personal data and no file name. */
export interface Manifest {
  format: 'scelle/1';
  driveId: string;
  /** RFC 3339 UTC. */
  createdAt: string;
  payload: { aead: 'AES256_GCM_HKDF_1MB'; partPlaintextSize: number; parts: ManifestPart[] };
  index: { file: string; size: number; sha256: string };
  keyslots: Keyslot[];
  /** `issuingCertificate`: the chain's middle link when an issuing key signed `certificate`; absent when a root did. */
  station: { id: string; publicKey: string; certificate: StationCertificate | null; issuingCertificate?: IssuingCertificate | null | undefined };
  /** Present on the members of a sealed set (§11), absent on a drive sealed alone. */
  set?: ManifestSet;
}

/**
 * A file named by the manifest, relative to the drive folder: '/'-separated segments of
 * letters, digits, '.', '_' and '-', none starting with '.', so it can never leave the folder.
 */
const RELATIVE_FILE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const relativeFile = z.string().max(255).regex(RELATIVE_FILE, { message: 'must be a plain relative path inside the drive folder' });

const partSchema = z.object({
  file: relativeFile.refine((f) => f.startsWith('payload/'), { message: 'must be inside payload/' }),
  size: nonNegativeInt,
  sha256: sha256Hex,
});

/** Zod schema of {@link Manifest}: strict about types, strips unknown fields. */
export const manifestSchema = z
  .object({
    format: z.literal(FORMAT_TAG),
    driveId: z.string().regex(DRIVE_ID_PATTERN, { message: 'must be 1-64 letters, digits or inner dashes' }),
    createdAt: rfc3339Utc,
    payload: z.object({
      aead: z.literal(PAYLOAD_AEAD),
      partPlaintextSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      parts: z.array(partSchema).min(1),
    }),
    index: z.object({ file: relativeFile, size: nonNegativeInt, sha256: sha256Hex }),
    keyslots: z.array(keyslotSchema).min(1),
    station: z.object({
      id: printableId,
      publicKey: base64Bytes(32),
      certificate: stationCertificateSchema.nullable(),
      issuingCertificate: issuingCertificateSchema.nullable().optional(),
    }),
    set: manifestSetSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.set && m.set.driveIds[m.set.position - 1] !== m.driveId)
      ctx.addIssue({ code: 'custom', path: ['set', 'driveIds'], message: "must name this drive at this member's position" });
    const files = [m.index.file, ...m.payload.parts.map((p) => p.file)];
    if (new Set(files).size !== files.length) ctx.addIssue({ code: 'custom', path: ['payload', 'parts'], message: 'file names must be distinct' });
  });

// The schema's output must be assignable to the declared type (and vice versa), so the two
// cannot drift apart silently.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _manifestTypeMatchesSchema: Same<z.infer<typeof manifestSchema>, Manifest> = true;

function fail(reason: string, details: Record<string, string | number | boolean> = {}): never {
  throw new ScelleError('E_FORMAT_MANIFEST', `manifest.json: ${reason}`, details);
}

/**
 * Parses and validates manifest.json (UTF-8 JSON). Unknown fields are ignored (more may be added
 * to scelle/1); known fields must have the right types, lengths and ranges.
 * @throws ScelleError E_FORMAT_MANIFEST saying what is wrong (not UTF-8, not JSON, wrong field);
 *   E_FORMAT_UNSUPPORTED for another format tag or an unknown keyslot type.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    fail('not valid UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  const obj = raw as Record<string, unknown>;
  if (typeof obj.format === 'string' && obj.format !== FORMAT_TAG) {
    throw new ScelleError('E_FORMAT_UNSUPPORTED', `manifest.json: format "${obj.format.slice(0, 40)}" is not supported (expected ${FORMAT_TAG}).`, {
      format: obj.format.slice(0, 40),
    });
  }
  checkManifestLimits(obj);
  if (Array.isArray(obj.keyslots)) {
    obj.keyslots.forEach((slot: unknown, i) => {
      const type = (slot as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && !(KEYSLOT_TYPES as readonly string[]).includes(type)) {
        throw new ScelleError('E_FORMAT_UNSUPPORTED', `manifest.json: keyslot ${i} has an unsupported type.`, { keyslot: i, type: type.slice(0, 40) });
      }
    });
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) fail(describeIssues(r.error));
  return r.data;
}

const CERT_KEYS = ['version', 'stationId', 'publicKey', 'issuedAt', 'expiresAt', 'issuer', 'signature'] as const;
const ISSUING_CERT_KEYS = ['version', 'usage', 'issuingId', 'publicKey', 'issuedAt', 'expiresAt', 'maxStationValidityDays', 'issuer', 'signature'] as const;

function orderedKeyslot(k: Keyslot): Record<string, unknown> {
  if (k.type === 'unlock-code') {
    return { type: k.type, kdf: { alg: k.kdf.alg, m: k.kdf.m, t: k.kdf.t, p: k.kdf.p, salt: k.kdf.salt }, nonce: k.nonce, wrapped: k.wrapped };
  }
  return { type: k.type, label: k.label, recipient: k.recipient, ephemeral: k.ephemeral, nonce: k.nonce, wrapped: k.wrapped };
}

/**
 * The manifest's `station` for a station identity: its id, key and certificate, with the issuing
 * certificate only when an issuing key signed the certificate (a root-signed drive's manifest has
 * no such field).
 */
export function manifestStationOf(station: Pick<StationIdentity, 'id' | 'publicKey' | 'certificate' | 'issuingCertificate'>): Manifest['station'] {
  return {
    id: station.id,
    publicKey: encodeBase64(station.publicKey),
    certificate: station.certificate,
    ...(station.certificate && station.issuingCertificate ? { issuingCertificate: station.issuingCertificate } : {}),
  };
}

/**
 * Serializes a manifest as UTF-8 JSON, 2-space indent, trailing newline, keys in the order of
 * DESIGN §3 whatever the object's own key order: the same manifest always gives the same bytes.
 * Only the fields of {@link Manifest} are written. The manifest is validated first, so an
 * invalid one is never written.
 * @throws ScelleError E_FORMAT_MANIFEST when `m` does not satisfy the schema.
 */
export function serializeManifest(m: Manifest): Uint8Array {
  const r = manifestSchema.safeParse(m);
  if (!r.success) fail(`refusing to write an invalid manifest: ${describeIssues(r.error)}`);
  const cert = m.station.certificate;
  const issuing = cert === null ? null : (m.station.issuingCertificate ?? null);
  const ordered = {
    format: m.format,
    driveId: m.driveId,
    createdAt: m.createdAt,
    payload: {
      aead: m.payload.aead,
      partPlaintextSize: m.payload.partPlaintextSize,
      parts: m.payload.parts.map((p) => ({ file: p.file, size: p.size, sha256: p.sha256 })),
    },
    index: { file: m.index.file, size: m.index.size, sha256: m.index.sha256 },
    keyslots: m.keyslots.map(orderedKeyslot),
    station: {
      id: m.station.id,
      publicKey: m.station.publicKey,
      certificate: cert === null ? null : Object.fromEntries(CERT_KEYS.map((k) => [k, cert[k]])),
      // Only when an issuing key signed the certificate: a root-signed drive's manifest is unchanged.
      ...(issuing === null ? {} : { issuingCertificate: Object.fromEntries(ISSUING_CERT_KEYS.map((k) => [k, issuing[k]])) }),
    },
    ...(m.set ? { set: { id: m.set.id, position: m.set.position, members: m.set.members, driveIds: [...m.set.driveIds] } } : {}),
  };
  return new TextEncoder().encode(JSON.stringify(ordered, null, 2) + '\n');
}

/**
 * Signs the exact bytes of manifest.json with the station's Ed25519 key (RFC 8032, pure).
 * @returns the base64 signature, the content of manifest.sig.
 * @throws ScelleError E_KEY_INVALID when the secret key is not 32 bytes.
 */
export function signManifest(bytes: Uint8Array, stationSecretKey: Uint8Array): string {
  if (!(stationSecretKey instanceof Uint8Array) || stationSecretKey.length !== 32) {
    throw new ScelleError('E_KEY_INVALID', 'The station secret key must be 32 bytes.');
  }
  return encodeBase64(ed25519Sign(bytes, stationSecretKey));
}

/**
 * True when `signatureBase64` (surrounding white space, e.g. a final newline in manifest.sig, is
 * ignored) is a valid Ed25519 signature of `bytes` by `stationPublicKey`. Strict RFC 8032
 * verification (no ZIP-215 leniency). Never throws: any malformed input gives false.
 */
export function verifyManifestSignature(bytes: Uint8Array, signatureBase64: string, stationPublicKey: Uint8Array): boolean {
  if (typeof signatureBase64 !== 'string' || !(stationPublicKey instanceof Uint8Array) || stationPublicKey.length !== 32) return false;
  const signature = decodeBase64(signatureBase64.trim(), 64);
  if (signature === null) return false;
  try {
    return ed25519Verify(signature, bytes, stationPublicKey);
  } catch {
    return false;
  }
}
