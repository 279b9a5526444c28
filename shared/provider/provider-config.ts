/**
 * The provider's build-time configuration: the root public keys that certify its stations
 * (what makes a drive "genuine"), its escrow recipient, and the addresses of its custody
 * service and update feed. A production build of the app or the command line carries one,
 * written into the build by build/provider-config.mjs from the file named by
 * $SCELLE_PROVIDER; a development build carries none (the JSON `null`), and then trusts only
 * the roots set up on the machine. Public keys and addresses only: never a secret.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64 } from '../format/base64.js';

/** What a provider configures at build time. */
export interface ProviderConfig {
  /** The provider's name as users read it (e.g. in "certified by …"). */
  name: string;
  /** Ed25519 public keys (base64, 32 bytes) of the provider's roots; at least one. */
  roots: string[];
  /** X25519 public key (base64, 32 bytes) of the provider's escrow, or null for none. */
  escrowPublicKey: string | null;
  /** The custody service's https origin, or null to leave it to each station's settings. */
  custodyUrl: string | null;
  /** The https feed the app's updates come from, or null for no automatic updates. */
  updateUrl: string | null;
  /** Ed25519 public keys (base64) that sign update manifests (update-manifest.ts); required with updateUrl. */
  updateKeys: string[];
}

const key32 = z.string().refine((s) => decodeBase64(s, 32) !== null, 'a 32-byte key in canonical base64');
const httpsUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}, 'an https:// address without credentials');

const providerSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    roots: z.array(key32).min(1).max(16),
    escrowPublicKey: key32.nullable().default(null),
    custodyUrl: httpsUrl.nullable().default(null),
    updateUrl: httpsUrl.nullable().default(null),
    updateKeys: z.array(key32).max(16).default([]),
  })
  .refine((c) => c.updateUrl === null || c.updateKeys.length > 0, { path: ['updateKeys'], message: 'an update feed needs at least one update key' });

/**
 * Parses a provider configuration document (`null` means a development build without one).
 * @throws ScelleError E_PROVIDER_CONFIG naming `source` and what is wrong.
 */
export function parseProviderConfig(text: string, source: string): ProviderConfig | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw providerError(source, 'it is not JSON');
  }
  if (doc === null) return null;
  const parsed = providerSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw providerError(source, `${issue.path.join('.') || 'the document'}: ${issue.message}`);
  }
  const roots = parsed.data.roots;
  if (new Set(roots).size !== roots.length) throw providerError(source, 'roots: the same key is listed twice');
  return parsed.data;
}

/**
 * Reads the provider configuration a build carries at `path`.
 * @throws ScelleError E_PROVIDER_CONFIG when the file is missing or invalid: a build whose
 * configuration was damaged must not silently fall back to trusting nothing or anything.
 */
export function readProviderConfig(path: string): ProviderConfig | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw providerError(path, `it cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseProviderConfig(text, path);
}

/** The provider's root public keys as bytes (none without a provider). */
export function providerRoots(config: ProviderConfig | null): Uint8Array[] {
  return (config?.roots ?? []).map((r) => decodeBase64(r, 32)!);
}

/** The provider's escrow public key as bytes, or null. */
export function providerEscrow(config: ProviderConfig | null): Uint8Array | null {
  return config?.escrowPublicKey ? decodeBase64(config.escrowPublicKey, 32) : null;
}

function providerError(source: string, problem: string): ScelleError {
  return new ScelleError('E_PROVIDER_CONFIG', `the provider configuration ${source} is unusable: ${problem}`, { path: source, problem });
}
