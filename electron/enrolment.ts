/**
 * Station enrolment by file. Enrolling a key with the custody service (POST /v1/stations)
 * takes an admin token and a certificate signed by the provider root, two things a station
 * must never hold; so the provider does it, and hands the station an enrolment file
 * (`scelle-enrolment/1`, docs/DESKTOP.md "Station enrolment") holding the certificate it
 * issued for this station's public key, the custody service address, the service's public
 * keys to pin, the station's tokens and, optionally, the service's CA. Importing it checks the
 * certificate against the provider roots pinned in this build and this station's own key,
 * then stores it all.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeBase64Strict } from '../shared/custody/event.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { verifyStationCertificate } from '../shared/format/station-cert.js';
import { issuingCertificateSchema, stationCertificateSchema } from '../shared/format/station.js';
import { isAcceptableCustodyUrl } from '../shared/ipc/index.js';
import type { SettingsStore } from './ports.js';
import { loadStationIdentity, saveStationIdentity } from './station.js';

/** Largest enrolment file read. */
const MAX_FILE_BYTES = 256 * 1024;

const b64key = z.string().refine((s) => decodeBase64Strict(s, 32) !== null, 'a base64 32-byte key');
const token = z.string().min(8).max(512);

/** The enrolment file the provider issues. */
export const enrolmentFileSchema = z.strictObject({
  format: z.literal('scelle-enrolment/1'),
  certificate: stationCertificateSchema,
  /** The issuing certificate, when the custody service's issuing key signed `certificate` (absent: a root did). */
  issuingCertificate: issuingCertificateSchema.nullable().optional(),
  custody: z.strictObject({
    url: z.string().max(2048).refine(isAcceptableCustodyUrl, 'https (or http on loopback)'),
    serviceKeys: z.array(b64key).min(1).max(8),
    stationToken: token,
    supportToken: token.nullable().optional(),
    /** PEM of the CA the service's TLS certificate chains to; absent: the system store. */
    caPem: z
      .string()
      .max(64 * 1024)
      .nullable()
      .optional(),
  }),
});

/** What importEnrolment needs. */
export interface EnrolmentContext {
  settings: SettingsStore;
  stationKeyFile: string;
  /** base64 Ed25519 provider root public keys pinned in this build. */
  pinnedRoots: readonly string[];
  /** Folder where the service CA (if any) is written as custody-ca.pem. */
  dataDir: string;
  now?: Date;
}

/**
 * Imports an enrolment file. Errors: E_USAGE when the file is unreadable or not a
 * `scelle-enrolment/1` file (details.field); E_FORMAT_CERTIFICATE with `details.reason`
 * (a CertificateReason: unknown-root, key-mismatch, expired, …) when the certificate does not
 * certify this station's key under a pinned root; E_KEY_FILE when the station key is unreadable.
 * Nothing is changed unless every check passes.
 */
export async function importEnrolment(file: string, ctx: EnrolmentContext): Promise<{ stationId: string; custodyUrl: string }> {
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > MAX_FILE_BYTES) throw new Error('too large');
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ScelleError('E_USAGE', 'the enrolment file cannot be read as JSON', { field: 'file' }, { cause });
  }
  const parsed = enrolmentFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ScelleError('E_USAGE', 'this is not a valid Scellé enrolment file', { field: first ? first.path.join('.') : '' });
  }
  const bundle = parsed.data;
  const station = await loadStationIdentity(ctx.stationKeyFile);
  const roots = ctx.pinnedRoots.map((r) => decodeBase64Strict(r, 32)).filter((k): k is Uint8Array => k !== null);
  const issuingCertificate = bundle.issuingCertificate ?? null;
  const check = verifyStationCertificate(bundle.certificate, station.publicKey, roots, ctx.now ?? new Date(), undefined, issuingCertificate);
  if (!check.certified) {
    station.secretKey.fill(0);
    throw new ScelleError('E_FORMAT_CERTIFICATE', 'the enrolment file does not certify this station', { reason: check.reason ?? 'malformed' });
  }
  let caPath: string | null = null;
  if (bundle.custody.caPem) {
    caPath = join(ctx.dataDir, 'custody-ca.pem');
    await writeFile(`${caPath}.tmp`, bundle.custody.caPem, { mode: 0o600 });
    await rename(`${caPath}.tmp`, caPath);
  }
  try {
    await saveStationIdentity(ctx.stationKeyFile, { ...station, id: bundle.certificate.stationId, certificate: bundle.certificate, issuingCertificate });
  } finally {
    station.secretKey.fill(0);
  }
  await ctx.settings.setSecrets(
    { stationToken: bundle.custody.stationToken, supportToken: bundle.custody.supportToken ?? null, serviceKeys: bundle.custody.serviceKeys },
    bundle.custody.url,
  );
  await ctx.settings.set({ custodyUrl: bundle.custody.url, custodyCaPath: caPath, stationId: bundle.certificate.stationId, stationEnrolled: true });
  return { stationId: bundle.certificate.stationId, custodyUrl: bundle.custody.url };
}
