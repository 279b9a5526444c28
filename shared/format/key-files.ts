/**
 * Key files on disk: small UTF-8 JSON documents, one key per file, e.g.
 *
 *   { "type": "scelle-station-secret-key/1", "comment": "...", "stationId": "mtl-1",
 *     "secretKey": "<base64>", "publicKey": "<base64>", "certificate": { ... } | null,
 *     "issuingCertificate": { ... } (only when an issuing key signed the certificate) }
 *
 * Types: `scelle-station-secret-key/1` (Ed25519 seed + id + certificate),
 * `scelle-root-secret-key/1` (provider root, Ed25519), `scelle-issuing-secret-key/1` (the custody
 * service's issuing key, Ed25519, certified by the root), `scelle-escrow-secret-key/1` (X25519),
 * `scelle-customer-secret-key/1` (a customer's own Ed25519 key, shared/custody/customer-identity.ts)
 * and `scelle-<kind>-public-key/1` for kind root | issuing | station | escrow | recipient | customer.
 * base64 is RFC 4648 standard with padding. `comment` is for people and ignored on reading.
 *
 * Writing never overwrites: the file is created exclusively (O_EXCL), secrets with mode 0600
 * (public keys 0644; modes are POSIX only), then written, fsync'd, closed, and the directory
 * fsync'd where the platform allows. A failed write removes its partial file. Reading validates
 * everything, including that a secret key's stored public key matches it, and refuses a secret
 * key file that group or others may access or that belongs to another user (like ssh; the
 * error says to run `chmod 600 <file>`). Every failure is an
 * E_KEY_FILE naming the path and what is wrong, never any key bytes.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ed25519PublicKey, x25519PublicKey } from './curves-native.js';
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { base64Bytes, describeIssues, printableId } from './json-schemas.js';
import { checkPrivateFile } from './private-file.js';
import type { KeyPair } from './station-cert.js';
import { type IssuingCertificate, issuingCertificateSchema, type StationCertificate, type StationIdentity, stationCertificateSchema } from './station.js';

/** Kinds of public key files. root, issuing, station and customer are Ed25519; escrow and recipient are X25519. */
export type PublicKeyKind = 'root' | 'issuing' | 'station' | 'escrow' | 'recipient' | 'customer';

const STATION_TYPE = 'scelle-station-secret-key/1';
const ROOT_TYPE = 'scelle-root-secret-key/1';
const ISSUING_TYPE = 'scelle-issuing-secret-key/1';
const ESCROW_TYPE = 'scelle-escrow-secret-key/1';
const CUSTOMER_TYPE = 'scelle-customer-secret-key/1';
const publicType = (kind: PublicKeyKind) => `scelle-${kind}-public-key/1`;
const MAX_KEY_FILE_BYTES = 64 * 1024;

const COMMENTS = {
  station: 'Scellé station signing key (Ed25519). SECRET: do not copy or share.',
  root: 'Scellé provider root key (Ed25519). SECRET: keep offline; it certifies stations.',
  issuing: 'Scellé issuing key (Ed25519). SECRET: only the custody service holds it; it signs station certificates.',
  escrow: 'Scellé escrow key (X25519). SECRET: it opens every drive sealed for escrow.',
  customer: 'Scellé customer key (Ed25519). SECRET: it opens the drives sealed for you and signs your receipts.',
  public: 'Scellé public key. Safe to share.',
};

function keyFileError(path: string, problem: string, cause?: unknown): ScelleError {
  return new ScelleError('E_KEY_FILE', `Key file ${path}: ${problem}.`, { path, problem }, cause === undefined ? undefined : { cause });
}

// ---------------------------------------------------------------- writing

async function syncDirectory(path: string): Promise<void> {
  let dir;
  try {
    dir = await open(dirname(path), 'r');
    await dir.sync();
  } catch {
    // Windows cannot open or fsync a directory; the file itself was fsync'd.
  } finally {
    await dir?.close().catch(() => undefined);
  }
}

/** Creates `path` exclusively with `mode`, writes `text`, fsyncs it; removes it on failure. */
async function writeExclusive(path: string, text: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw keyFileError(path, 'already exists; a key file is never overwritten (move it away first)');
    if (code === 'ENOENT') throw keyFileError(path, 'its folder does not exist', e);
    if (code === 'EACCES' || code === 'EPERM') throw keyFileError(path, 'permission denied', e);
    throw keyFileError(path, `cannot be created (${code ?? 'unknown error'})`, e);
  }
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await syncDirectory(path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw keyFileError(path, `could not be written (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`, e);
  }
}

const toText = (doc: Record<string, unknown>) => JSON.stringify(doc, null, 2) + '\n';

function requireBytes(key: unknown, length: number, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== length) throw new ScelleError('E_KEY_INVALID', `The ${what} must be ${length} bytes.`);
  return key;
}

function requirePair(pair: KeyPair, derive: (secret: Uint8Array) => Uint8Array, what: string): void {
  requireBytes(pair.secretKey, 32, `${what} secret key`);
  requireBytes(pair.publicKey, 32, `${what} public key`);
  if (encodeBase64(derive(pair.secretKey)) !== encodeBase64(pair.publicKey)) {
    throw new ScelleError('E_KEY_INVALID', `The ${what} public key does not belong to its secret key.`);
  }
}

function requireCertificateFor(identity: { id: string; publicKey: Uint8Array }, cert: StationCertificate, issuing: IssuingCertificate | null = null): void {
  if (!stationCertificateSchema.safeParse(cert).success) throw new ScelleError('E_KEY_INVALID', 'The station certificate is malformed.');
  if (cert.publicKey !== encodeBase64(identity.publicKey) || cert.stationId !== identity.id) {
    throw new ScelleError('E_KEY_INVALID', 'The station certificate is for another station key or id.');
  }
  if (issuing !== null && (!issuingCertificateSchema.safeParse(issuing).success || issuing.publicKey !== cert.issuer)) {
    throw new ScelleError('E_KEY_INVALID', 'The issuing certificate is malformed or not for the key that signed the station certificate.');
  }
}

function stationDocument(identity: StationIdentity): Record<string, unknown> {
  return {
    type: STATION_TYPE,
    comment: COMMENTS.station,
    stationId: identity.id,
    secretKey: encodeBase64(identity.secretKey),
    publicKey: encodeBase64(identity.publicKey),
    certificate: identity.certificate,
    ...(identity.certificate && identity.issuingCertificate ? { issuingCertificate: identity.issuingCertificate } : {}),
  };
}

/**
 * Writes a station identity (id, Ed25519 key pair, certificate or null) to a new file, mode 0600.
 * @throws ScelleError E_KEY_FILE if the file exists or cannot be written; E_KEY_INVALID if the
 *   keys are not 32 bytes or do not match, the id is not 1-128 printable characters, or the
 *   certificate is malformed or for another key or id.
 */
export async function writeStationKeyFile(path: string, identity: StationIdentity): Promise<void> {
  requirePair(identity, ed25519PublicKey, 'station');
  if (!printableId.safeParse(identity.id).success) throw new ScelleError('E_KEY_INVALID', 'The station id must be 1 to 128 printable characters.');
  if (identity.certificate !== null) requireCertificateFor(identity, identity.certificate, identity.issuingCertificate ?? null);
  await writeExclusive(path, toText(stationDocument(identity)), 0o600);
}

/**
 * Attaches (or replaces) the certificate in an existing station key file, keeping its key, with
 * the issuing certificate of the key that signed it (null: a root signed it). The file is
 * replaced atomically: a new file is written and fsync'd beside it, then renamed over.
 * @throws ScelleError E_KEY_FILE when the file is unreadable or malformed (as
 *   {@link readStationKeyFile}) or cannot be replaced; E_KEY_INVALID when the certificate is
 *   malformed or not for this station's key and id, or the issuing certificate not for its signer.
 */
export async function replaceStationCertificate(path: string, certificate: StationCertificate, issuingCertificate: IssuingCertificate | null = null): Promise<void> {
  const identity = await readStationKeyFile(path);
  requireCertificateFor(identity, certificate, issuingCertificate);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeExclusive(temp, toText(stationDocument({ ...identity, certificate, issuingCertificate })), 0o600);
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw keyFileError(path, 'could not be replaced', e);
  }
  await syncDirectory(path);
}

/**
 * Writes the provider root Ed25519 key pair to a new file, mode 0600.
 * @throws ScelleError E_KEY_FILE if the file exists or cannot be written; E_KEY_INVALID for keys
 *   that are not 32 bytes or do not match.
 */
export async function writeRootKeyFile(path: string, pair: KeyPair): Promise<void> {
  requirePair(pair, ed25519PublicKey, 'root');
  await writeExclusive(path, toText({ type: ROOT_TYPE, comment: COMMENTS.root, secretKey: encodeBase64(pair.secretKey), publicKey: encodeBase64(pair.publicKey) }), 0o600);
}

/**
 * Writes the custody service's issuing Ed25519 key pair to a new file, mode 0600.
 * @throws ScelleError E_KEY_FILE if the file exists or cannot be written; E_KEY_INVALID for keys
 *   that are not 32 bytes or do not match.
 */
export async function writeIssuingKeyFile(path: string, pair: KeyPair): Promise<void> {
  requirePair(pair, ed25519PublicKey, 'issuing');
  await writeExclusive(path, toText({ type: ISSUING_TYPE, comment: COMMENTS.issuing, secretKey: encodeBase64(pair.secretKey), publicKey: encodeBase64(pair.publicKey) }), 0o600);
}

/**
 * Writes an escrow X25519 key pair to a new file, mode 0600.
 * @throws ScelleError E_KEY_FILE if the file exists or cannot be written; E_KEY_INVALID for keys
 *   that are not 32 bytes or do not match.
 */
export async function writeEscrowKeyFile(path: string, pair: KeyPair): Promise<void> {
  requirePair(pair, x25519PublicKey, 'escrow');
  await writeExclusive(path, toText({ type: ESCROW_TYPE, comment: COMMENTS.escrow, secretKey: encodeBase64(pair.secretKey), publicKey: encodeBase64(pair.publicKey) }), 0o600);
}

/**
 * Writes a public key of the given kind to a new file, mode 0644.
 * @throws ScelleError E_KEY_FILE if the file exists or cannot be written; E_KEY_INVALID for a key
 *   that is not 32 bytes.
 */
export async function writePublicKeyFile(path: string, kind: PublicKeyKind, publicKey: Uint8Array): Promise<void> {
  requireBytes(publicKey, 32, `${kind} public key`);
  await writeExclusive(path, toText({ type: publicType(kind), comment: COMMENTS.public, publicKey: encodeBase64(publicKey) }), 0o644);
}

// ---------------------------------------------------------------- reading

/** Reads a key file's JSON; a secret key file must also pass the ssh rule (checkPrivateFile). */
async function readDocument(path: string, expectedType: string, secret: boolean): Promise<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw keyFileError(path, 'is not a regular file');
    if (secret) checkPrivateFile(path, info);
    if (info.size > MAX_KEY_FILE_BYTES) throw keyFileError(path, 'is too large to be a key file');
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ScelleError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw keyFileError(path, 'does not exist', e);
    if (code === 'EACCES' || code === 'EPERM') throw keyFileError(path, 'permission denied', e);
    throw keyFileError(path, `cannot be read (${code ?? 'unknown error'})`, e);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw keyFileError(path, 'is not a JSON key file');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw keyFileError(path, 'is not a JSON key file');
  const doc = raw as Record<string, unknown>;
  if (doc.type !== expectedType) {
    const found = typeof doc.type === 'string' && /^scelle-[a-z0-9-]{1,40}\/\d{1,3}$/.test(doc.type) ? doc.type : 'no known type';
    throw keyFileError(path, `holds ${found}, expected ${expectedType}`);
  }
  return doc;
}

function validate<T>(path: string, schema: z.ZodType<T>, doc: unknown): T {
  const r = schema.safeParse(doc);
  if (!r.success) throw keyFileError(path, `is malformed: ${describeIssues(r.error)}`);
  return r.data;
}

function bytes32(text: string): Uint8Array {
  return decodeBase64(text, 32)!; // validated by the schema
}

function checkPair(path: string, secretKey: Uint8Array, publicKey: Uint8Array, derive: (s: Uint8Array) => Uint8Array): void {
  let derived: Uint8Array;
  try {
    derived = derive(secretKey);
  } catch {
    throw keyFileError(path, 'holds an unusable secret key');
  }
  if (encodeBase64(derived) !== encodeBase64(publicKey)) throw keyFileError(path, 'holds a public key that does not match its secret key (damaged file?)');
}

const secretPairSchema = z.object({ secretKey: base64Bytes(32), publicKey: base64Bytes(32) });

async function readPair(path: string, type: string, derive: (s: Uint8Array) => Uint8Array): Promise<KeyPair> {
  const doc = validate(path, secretPairSchema, await readDocument(path, type, true));
  const pair = { secretKey: bytes32(doc.secretKey), publicKey: bytes32(doc.publicKey) };
  checkPair(path, pair.secretKey, pair.publicKey, derive);
  return pair;
}

/**
 * Reads a station key file. The certificate, when present, must be for this key and id (its
 * root signature is checked by verifyStationCertificate, not here).
 * @throws ScelleError E_KEY_FILE naming the path and the problem (missing, unreadable, not JSON,
 *   other type, malformed field, mismatched key or certificate).
 */
export async function readStationKeyFile(path: string): Promise<StationIdentity> {
  const schema = z.object({
    stationId: printableId,
    secretKey: base64Bytes(32),
    publicKey: base64Bytes(32),
    certificate: stationCertificateSchema.nullable(),
    issuingCertificate: issuingCertificateSchema.nullable().optional(),
  });
  const doc = validate(path, schema, await readDocument(path, STATION_TYPE, true));
  const identity: StationIdentity = {
    id: doc.stationId,
    secretKey: bytes32(doc.secretKey),
    publicKey: bytes32(doc.publicKey),
    certificate: doc.certificate,
    ...(doc.certificate && doc.issuingCertificate ? { issuingCertificate: doc.issuingCertificate } : {}),
  };
  checkPair(path, identity.secretKey, identity.publicKey, ed25519PublicKey);
  if (identity.certificate !== null && (identity.certificate.publicKey !== doc.publicKey || identity.certificate.stationId !== doc.stationId)) {
    throw keyFileError(path, 'holds a certificate for another station key or id');
  }
  if (identity.certificate !== null && identity.issuingCertificate && identity.issuingCertificate.publicKey !== identity.certificate.issuer) {
    throw keyFileError(path, 'holds an issuing certificate for another key than the one that signed its certificate');
  }
  return identity;
}

/**
 * Reads the provider root key file (Ed25519).
 * @throws ScelleError E_KEY_FILE naming the path and the problem.
 */
export function readRootKeyFile(path: string): Promise<KeyPair> {
  return readPair(path, ROOT_TYPE, ed25519PublicKey);
}

/**
 * Reads the custody service's issuing key file (Ed25519).
 * @throws ScelleError E_KEY_FILE naming the path and the problem.
 */
export function readIssuingKeyFile(path: string): Promise<KeyPair> {
  return readPair(path, ISSUING_TYPE, ed25519PublicKey);
}

/**
 * Reads an escrow key file (X25519).
 * @throws ScelleError E_KEY_FILE naming the path and the problem.
 */
export function readEscrowKeyFile(path: string): Promise<KeyPair> {
  return readPair(path, ESCROW_TYPE, x25519PublicKey);
}

/**
 * Reads a public key file of the expected kind and returns its 32-byte key.
 * @throws ScelleError E_KEY_FILE naming the path and the problem (including a file of another kind).
 */
export async function readPublicKeyFile(path: string, kind: PublicKeyKind): Promise<Uint8Array> {
  const doc = validate(path, z.object({ publicKey: base64Bytes(32) }), await readDocument(path, publicType(kind), false));
  return bytes32(doc.publicKey);
}

/**
 * Writes a customer's own Ed25519 key pair to a new file, mode 0600.
 * @throws ScelleError E_KEY_FILE when the file exists or cannot be written.
 */
export async function writeCustomerKeyFile(path: string, pair: KeyPair): Promise<void> {
  requireBytes(pair.secretKey, 32, 'customer secret key');
  await writeExclusive(path, toText({ type: CUSTOMER_TYPE, comment: COMMENTS.customer, secretKey: encodeBase64(pair.secretKey), publicKey: encodeBase64(pair.publicKey) }), 0o600);
}

/**
 * Reads a customer key file (Ed25519). On POSIX a file that group or others may read is
 * refused, like ssh does, because it opens drives and signs receipts.
 * @throws ScelleError E_KEY_FILE naming the path and the problem (`details.reason` `too-open` or
 *   `wrong-owner` for a file others may access, with `details.fix`).
 */
export async function readCustomerKeyFile(path: string): Promise<KeyPair> {
  if (process.platform !== 'win32') {
    const info = await stat(path).catch(() => null);
    if (info && (info.mode & 0o077) !== 0) {
      const problem = `is readable by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`;
      throw new ScelleError('E_KEY_FILE', `Key file ${path}: ${problem}.`, { path, problem, reason: 'too-open', fix: `chmod 600 ${path}` });
    }
  }
  return readPair(path, CUSTOMER_TYPE, ed25519PublicKey);
}
