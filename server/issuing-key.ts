/**
 * The custody service's issuing key: an Ed25519 key the provider root certified (an issuing
 * certificate, shared/format/issuing-cert.ts) so that the service can sign short-lived station
 * certificates while the root stays offline. Loaded once at start and checked against the
 * configured root: a key that does not match its certificate, or a certificate the root did not
 * sign for station certificates, stops the service (E_SERVER_CONFIG). Never logged.
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from '../shared/format/base64.js';
import { checkIssuingCertificate, issuingCertificateSha256 } from '../shared/format/issuing-cert.js';
import { readIssuingKeyFile } from '../shared/format/key-files.js';
import { type IssuingCertificate } from '../shared/format/station.js';

/** The issuing key the service signs station certificates with. */
export interface IssuingKey {
  /** Ed25519 seed, 32 bytes. Never logged nor sent. */
  readonly secretKey: Uint8Array;
  readonly certificate: IssuingCertificate;
  /** How revocation lists name the issuing certificate. */
  readonly certificateSha256: string;
}

/**
 * Pairs an issuing secret key with its certificate after checking both against the root.
 * @throws ScelleError E_SERVER_CONFIG naming what does not fit (never the key).
 */
export function issuingKeyFrom(secretKey: Uint8Array, certificate: unknown, rootPublicKey: string | null): IssuingKey {
  if (rootPublicKey === null) throw new ScelleError('E_SERVER_CONFIG', 'an issuing key needs --root-public-key (the root that certified it)');
  const checked = checkIssuingCertificate(certificate, [decodeBase64(rootPublicKey, 32) ?? new Uint8Array(0)]);
  if ('reason' in checked) throw new ScelleError('E_SERVER_CONFIG', `the issuing certificate is refused: ${checked.reason}`, { reason: checked.reason });
  if (checked.cert.publicKey !== encodeBase64(ed25519.getPublicKey(secretKey))) {
    throw new ScelleError('E_SERVER_CONFIG', 'the issuing certificate is for another key than the issuing key file', { reason: 'key-mismatch' });
  }
  return { secretKey, certificate: checked.cert, certificateSha256: issuingCertificateSha256(checked.cert) };
}

/**
 * Reads the issuing key file (scelle-issuing-secret-key/1, mode 0600) and the issuing
 * certificate (JSON) and checks them as {@link issuingKeyFrom}.
 * @throws ScelleError E_KEY_FILE for an unreadable key file; E_SERVER_CONFIG otherwise.
 */
export async function loadIssuingKey(keyFile: string, certificateFile: string, rootPublicKey: string | null): Promise<IssuingKey> {
  const pair = await readIssuingKeyFile(keyFile);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(certificateFile, 'utf8'));
  } catch (cause) {
    throw new ScelleError('E_SERVER_CONFIG', `cannot read the issuing certificate ${certificateFile}`, {}, { cause });
  }
  return issuingKeyFrom(pair.secretKey, doc, rootPublicKey);
}
