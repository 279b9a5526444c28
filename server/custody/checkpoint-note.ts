/**
 * Checkpoints as C2SP signed notes, so that monitors and witnesses that speak the transparency
 * log formats can follow the custody log (docs/CUSTODY.md §5.1):
 *
 * - C2SP tlog-checkpoint body: the log origin line, the tree size in decimal, the root hash in
 *   base64 (RFC 4648 standard alphabet, padded), each ending in a newline;
 * - C2SP signed-note: the body, an empty line, then one signature line
 *   `— <key name> <base64(key id ‖ signature)>` per signer. For an Ed25519 key, key id = the
 *   first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key) and the signature is
 *   Ed25519 over the body bytes. The key name is the log origin.
 *
 * Ed25519 signatures are deterministic, so the note of a stored checkpoint is the same each
 * time it is served with the same key.
 */
import { createHash } from 'node:crypto';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import type { ServiceKey } from '../service-key.js';

/** C2SP signed-note signature type of Ed25519. */
const ED25519_TYPE = 0x01;

/** A log origin: printable ASCII, no whitespace or '+' (it is also the note's key name). */
export const LOG_ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,200}$/;

/** The default log origin of a service key: `scelle-custody/<service key id>`. */
export function defaultLogOrigin(key: Pick<ServiceKey, 'keyId'>): string {
  return `scelle-custody/${key.keyId}`;
}

function rawPublicKey(key: Pick<ServiceKey, 'publicKey'>): Buffer {
  return Buffer.from(key.publicKey, 'base64');
}

/** The 4-byte signed-note key id of an Ed25519 key named `name`. Never throws. */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(Buffer.from(name, 'utf8')).update(Uint8Array.of(0x0a, ED25519_TYPE)).update(publicKey).digest();
  return new Uint8Array(h.subarray(0, 4));
}

/**
 * The signed-note verifier key of the log: `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`,
 * what a witness or monitor configures to verify checkpoints.
 * @throws ScelleError E_SERVER_CONFIG when `origin` is not a valid key name.
 */
export function noteVerifierKey(origin: string, key: Pick<ServiceKey, 'publicKey'>): string {
  assertOrigin(origin);
  const pub = rawPublicKey(key);
  return `${origin}+${Buffer.from(noteKeyId(origin, pub)).toString('hex')}+${Buffer.concat([Uint8Array.of(ED25519_TYPE), pub]).toString('base64')}`;
}

function assertOrigin(origin: string): void {
  if (!LOG_ORIGIN_RE.test(origin)) throw new ScelleError('E_SERVER_CONFIG', 'the log origin must be 1 to 200 printable ASCII characters without spaces or "+"');
}

/**
 * The C2SP tlog-checkpoint body of a tree: origin, size and base64 root hash lines.
 * @throws ScelleError E_SERVER_CONFIG on an invalid origin; E_CUSTODY_MERKLE on a bad size or root.
 */
export function checkpointBody(origin: string, treeSize: number, rootHashHex: string): string {
  assertOrigin(origin);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new ScelleError('E_CUSTODY_MERKLE', 'tree size must be an integer ≥ 0');
  if (!/^[0-9a-f]{64}$/.test(rootHashHex)) throw new ScelleError('E_CUSTODY_MERKLE', 'root hash must be 64 lowercase hex digits');
  return `${origin}\n${treeSize}\n${Buffer.from(rootHashHex, 'hex').toString('base64')}\n`;
}

/**
 * The signed note of a checkpoint: body, empty line, and the service key's signature line.
 * @throws as {@link checkpointBody}.
 */
export function signCheckpointNote(key: ServiceKey, origin: string, treeSize: number, rootHashHex: string): string {
  const body = checkpointBody(origin, treeSize, rootHashHex);
  const sig = key.signBytes(new Uint8Array(Buffer.from(body, 'utf8')));
  const blob = Buffer.concat([noteKeyId(origin, rawPublicKey(key)), sig]).toString('base64');
  return `${body}\n\u2014 ${origin} ${blob}\n`;
}
