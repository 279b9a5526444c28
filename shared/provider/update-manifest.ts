/**
 * The provider's signature over an app update: which version, and which installer files by
 * name and SHA-512, signed with an Ed25519 update key that the build pins (provider
 * configuration `updateKeys`). The app installs an update only when the update feed's offer
 * (electron-updater's latest*.yml, whose SHA-512 the download is checked against) matches a
 * manifest signed by a pinned key, for a version newer than its own: a feed that is hijacked or
 * replayed cannot install anything, on every platform, signed installers or not.
 *
 *   { "format": "scelle-update/1", "version": "1.4.0",
 *     "files": [ { "url": "Scelle-1.4.0-x64-setup.exe", "sha512": "<base64>" } ],
 *     "signature": "<base64 Ed25519 over the RFC 8785 canonical JSON of the other fields>" }
 *
 * Published beside the installers as `scelle-update-<version>.json`.
 */
import { ed25519Sign, ed25519Verify } from '../format/curves-native.js';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from '../format/base64.js';

/** One installer file of an update. */
export interface UpdateFile {
  url: string;
  /** base64 SHA-512 of the file, as electron-builder writes it in latest*.yml. */
  sha512: string;
}

/** A signed update manifest. */
export interface UpdateManifest {
  format: 'scelle-update/1';
  version: string;
  files: UpdateFile[];
  signature: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/;
const manifestSchema = z.strictObject({
  format: z.literal('scelle-update/1'),
  version: z.string().regex(SEMVER),
  files: z
    .array(
      z.strictObject({
        url: z
          .string()
          .min(1)
          .max(512)
          .regex(/^[^/\\]+$/),
        sha512: z.string().refine((s) => decodeBase64(s, 64) !== null),
      }),
    )
    .min(1)
    .max(32),
  signature: z.string().refine((s) => decodeBase64(s, 64) !== null),
});

/** The name of the manifest of `version` in the update feed. */
export function updateManifestName(version: string): string {
  return `scelle-update-${version}.json`;
}

function signedBytes(m: Omit<UpdateManifest, 'signature'>): Uint8Array {
  return new TextEncoder().encode(canonicalize({ format: m.format, version: m.version, files: m.files.map((f) => ({ url: f.url, sha512: f.sha512 })) })!);
}

/**
 * Signs the update of `version` made of `files` with an update key (32-byte Ed25519 seed).
 * @throws ScelleError E_USAGE for a bad version, file name or hash; E_KEY_INVALID for a bad key.
 */
export function signUpdateManifest(updateSecretKey: Uint8Array, version: string, files: readonly UpdateFile[]): UpdateManifest {
  if (!(updateSecretKey instanceof Uint8Array) || updateSecretKey.length !== 32) throw new ScelleError('E_KEY_INVALID', 'The update key must be 32 bytes.');
  const unsigned = { format: 'scelle-update/1' as const, version, files: files.map((f) => ({ url: f.url, sha512: f.sha512 })) };
  const check = manifestSchema.omit({ signature: true }).safeParse(unsigned);
  if (!check.success) throw new ScelleError('E_USAGE', `the update manifest is invalid: ${check.error.issues[0]!.path.join('.')}: ${check.error.issues[0]!.message}`);
  return { ...unsigned, signature: encodeBase64(ed25519Sign(signedBytes(unsigned), updateSecretKey)) };
}

/** -1, 0 or 1 as semantic version `a` is older, equal or newer than `b` (pre-releases before releases). */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) throw new ScelleError('E_USAGE', `not a version: ${pa ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  if (pa[4] === pb[4]) return 0;
  if (pa[4] === undefined) return 1;
  if (pb[4] === undefined) return -1;
  return pa[4] < pb[4] ? -1 : 1;
}

/**
 * Checks that `doc` is a manifest signed by one of `updateKeys` for exactly the update the feed
 * offers (same version, same files and hashes) and that the version is newer than `current`.
 * @throws ScelleError E_UPDATE_SIGNATURE with `problem`: malformed, no-key, bad-signature,
 *   mismatch (the feed offers other files or another version) or not-newer.
 */
export function verifyUpdateManifest(doc: unknown, updateKeys: readonly string[], offered: { version: string; files: readonly UpdateFile[] }, current: string): UpdateManifest {
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) throw updateError('malformed', `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const m = parsed.data;
  if (updateKeys.length === 0) throw updateError('no-key', 'this build pins no update key');
  const sig = decodeBase64(m.signature, 64)!;
  const ok = updateKeys.some((k) => {
    const key = decodeBase64(k, 32);
    try {
      return key !== null && ed25519Verify(sig, signedBytes(m), key);
    } catch {
      return false;
    }
  });
  if (!ok) throw updateError('bad-signature', 'the manifest is not signed by a pinned update key');
  const sameFiles = offered.files.length === m.files.length && offered.files.every((f) => m.files.some((s) => s.url === f.url && s.sha512 === f.sha512));
  if (offered.version !== m.version || !sameFiles) throw updateError('mismatch', `the feed offers ${offered.version} with files the signed manifest does not list`);
  if (compareVersions(m.version, current) <= 0) throw updateError('not-newer', `${m.version} is not newer than the installed ${current}`);
  return m;
}

function updateError(problem: string, why: string): ScelleError {
  return new ScelleError('E_UPDATE_SIGNATURE', `the update was refused: ${why}`, { problem });
}
