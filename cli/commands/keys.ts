/** `scelle keygen`, `scelle certify`, `scelle revoke` and `scelle setup`: keys and the station's trust settings. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { encodeBase64 } from '../../shared/format/base64.js';
import {
  readPublicKeyFile,
  readRootKeyFile,
  readStationKeyFile,
  replaceStationCertificate,
  writeCustomerKeyFile,
  writeEscrowKeyFile,
  writeIssuingKeyFile,
  writePublicKeyFile,
  writeRootKeyFile,
  writeStationKeyFile,
} from '../../shared/format/key-files.js';
import { signRevocationList, type RevokedCertificate } from '../../shared/format/revocation.js';
import { issuingCertificateSchema, MAX_STATION_VALIDITY_DAYS, stationCertificateSchema, type IssuingCertificate } from '../../shared/format/station.js';
import { issueIssuingCertificate, issuingCertificateSha256, MAX_ISSUING_VALIDITY_DAYS } from '../../shared/format/issuing-cert.js';
import { generateEscrowKeyPair, generateSigningKeyPair, issueStationCertificate, stationCertificateSha256 } from '../../shared/format/station-cert.js';
import { parse } from '../args.js';
import { builtInProvider, configPaths, loadPinnedRoots, scelleHome } from '../config.js';
import type { Output } from '../output.js';
import { storeRevocations } from '../station-trust.js';
import { t } from '../text.js';
import { counted } from '../plurals.js';
import { customerKeyPath } from '../customer-identity.js';
import { generateCustomerIdentity } from '../../shared/custody/customer-identity.js';

/**
 * `scelle keygen root|issuing|escrow|station|customer --out <file> [--id <station id>]`: writes
 * <file> (0600) and <file>.pub. A customer key defaults to `<home>/customer.key`; its public part
 * is what the customer gives the provider at order time (`scelle seal --customer`). An issuing
 * key is made for the custody service, which alone holds it (docs/SERVER.md).
 */
export async function keygenCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, id: { type: 'string' } });
  const kind = positionals[0];
  if (kind !== 'root' && kind !== 'issuing' && kind !== 'escrow' && kind !== 'station' && kind !== 'customer')
    throw new ScelleError('E_USAGE', 'keygen needs root, issuing, escrow, station or customer', { reason: 'root|issuing|escrow|station|customer' });
  const file = values.out ?? (kind === 'station' ? configPaths().stationKey : kind === 'customer' ? customerKeyPath() : undefined);
  if (!file) throw new ScelleError('E_USAGE', 'keygen needs --out <file>', { reason: '--out' });
  let publicKey: Uint8Array;
  if (kind === 'escrow') {
    const pair = generateEscrowKeyPair();
    await writeEscrowKeyFile(file, pair);
    await writePublicKeyFile(`${file}.pub`, 'escrow', pair.publicKey);
    publicKey = pair.publicKey;
  } else if (kind === 'customer') {
    const pair = generateCustomerIdentity();
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    try {
      await writeCustomerKeyFile(file, pair);
      await writePublicKeyFile(`${file}.pub`, 'customer', pair.publicKey);
    } finally {
      pair.secretKey.fill(0);
    }
    publicKey = pair.publicKey;
  } else if (kind === 'root' || kind === 'issuing') {
    const pair = generateSigningKeyPair();
    try {
      await (kind === 'root' ? writeRootKeyFile(file, pair) : writeIssuingKeyFile(file, pair));
      await writePublicKeyFile(`${file}.pub`, kind, pair.publicKey);
    } finally {
      pair.secretKey.fill(0);
    }
    publicKey = pair.publicKey;
  } else {
    const pair = generateSigningKeyPair();
    const id = values.id ?? `station-${randomBytes(3).toString('hex')}`;
    mkdirSync(join(file, '..'), { recursive: true });
    await writeStationKeyFile(file, { id, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate: null });
    await writePublicKeyFile(`${file}.pub`, 'station', pair.publicKey);
    publicKey = pair.publicKey;
  }
  out.info(t(out.lang, 'keyWritten', file, encodeBase64(publicKey)));
  out.emit({ event: 'result', command: 'keygen', kind, file, publicKeyFile: `${file}.pub`, publicKey: encodeBase64(publicKey) });
  return 0;
}

/** Days given to `--days`, a whole number from 1 to `max` (default `fallback`). @throws ScelleError E_USAGE. */
function daysOption(text: string | undefined, fallback: number, max: number, name: string): number {
  const days = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(days) || days < 1 || days > max) throw new ScelleError('E_USAGE', `${name} must be a whole number from 1 to ${max}`, { reason: name });
  return days;
}

/**
 * `scelle certify --root-key <f> --station-pub <f> --id <id> --out <f> [--days N]`: the provider
 * certifies a station directly with the root (a direct certificate, for a station that cannot
 * renew through the custody service). `scelle certify --root-key <f> --issuing-pub <f> --id <id>
 * --out <f> [--days N] [--max-station-days N]`: the provider certifies the custody service's
 * issuing key, which then signs short-lived station certificates (docs/SERVER.md).
 */
export async function certifyCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parse(argv, {
    'root-key': { type: 'string' },
    'station-pub': { type: 'string' },
    'issuing-pub': { type: 'string' },
    id: { type: 'string' },
    out: { type: 'string' },
    days: { type: 'string' },
    'max-station-days': { type: 'string' },
  });
  const subject = values['station-pub'] ?? values['issuing-pub'];
  if (!values['root-key'] || !subject || (values['station-pub'] && values['issuing-pub']) || !values.id || !values.out) {
    throw new ScelleError('E_USAGE', 'certify needs --root-key, one of --station-pub or --issuing-pub, --id and --out', {
      reason: '--root-key --station-pub|--issuing-pub --id --out',
    });
  }
  if (existsSync(values.out)) throw new ScelleError('E_KEY_FILE', `${values.out} already exists`, { path: values.out, problem: 'exists' });
  const root = await readRootKeyFile(values['root-key']);
  try {
    if (values['issuing-pub']) {
      const issuingPublicKey = await readPublicKeyFile(values['issuing-pub'], 'issuing');
      const days = daysOption(values.days, 365, MAX_ISSUING_VALIDITY_DAYS, '--days');
      const maxStationValidityDays = daysOption(values['max-station-days'], 30, MAX_STATION_VALIDITY_DAYS, '--max-station-days');
      const cert = issueIssuingCertificate({
        rootSecretKey: root.secretKey,
        issuingId: values.id,
        issuingPublicKey,
        expiresAt: new Date(Date.now() + days * 86_400_000),
        maxStationValidityDays,
      });
      writeFileSync(values.out, JSON.stringify(cert, null, 2) + '\n', { flag: 'wx' });
      out.info(t(out.lang, 'issuingCertWritten', values.out, cert.expiresAt.slice(0, 10), counted(out.lang, 'days', maxStationValidityDays)));
      out.emit({
        event: 'result',
        command: 'certify',
        kind: 'issuing',
        file: values.out,
        issuingId: values.id,
        certificateSha256: issuingCertificateSha256(cert),
        expiresAt: cert.expiresAt,
      });
      return 0;
    }
    if (values['max-station-days'] !== undefined) throw new ScelleError('E_USAGE', '--max-station-days goes with --issuing-pub', { reason: '--max-station-days' });
    const stationPublicKey = await readPublicKeyFile(subject, 'station');
    const days = daysOption(values.days, 730, 36_500, '--days');
    const cert = issueStationCertificate({ rootSecretKey: root.secretKey, stationId: values.id, stationPublicKey, expiresAt: new Date(Date.now() + days * 86_400_000) });
    writeFileSync(values.out, JSON.stringify(cert, null, 2) + '\n', { flag: 'wx' });
    out.info(t(out.lang, 'certWritten', values.out));
    out.emit({
      event: 'result',
      command: 'certify',
      kind: 'station',
      file: values.out,
      stationId: values.id,
      certificateSha256: stationCertificateSha256(cert),
      expiresAt: cert.expiresAt,
    });
    return 0;
  } finally {
    root.secretKey.fill(0);
  }
}

/** One `--entry <sha256>:<reason>[@<RFC 3339 date>]` of `scelle revoke` (default date: now). */
function revocationEntry(text: string, now: Date): RevokedCertificate {
  const m = /^([0-9a-f]{64}):(key-compromise|superseded|cessation)(?:@(.+))?$/.exec(text);
  const at = m?.[3] === undefined ? now : new Date(m[3]);
  if (!m || Number.isNaN(at.getTime()))
    throw new ScelleError('E_USAGE', `--entry ${text}: expected <certificate sha256>:key-compromise|superseded|cessation[@<date>]`, {
      reason: '--entry <sha256>:<reason>[@<date>]',
    });
  return { certificateSha256: m[1]!, reason: m[2] as RevokedCertificate['reason'], revokedAt: at.toISOString() };
}

/**
 * `scelle revoke --root-key <f> --sequence <n> --out <f> [--entry <sha256>:<reason>[@<date>]]…`:
 * the provider signs the whole list of revoked station certificates (each named by the SHA-256
 * the `sealed` event records); a new list carries a higher sequence and every earlier entry.
 */
export async function revokeCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parse(argv, { 'root-key': { type: 'string' }, sequence: { type: 'string' }, out: { type: 'string' }, entry: { type: 'string', multiple: true } });
  if (!values['root-key'] || values.sequence === undefined || !values.out) {
    throw new ScelleError('E_USAGE', 'revoke needs --root-key, --sequence and --out', { reason: '--root-key --sequence --out' });
  }
  const sequence = Number(values.sequence);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new ScelleError('E_USAGE', '--sequence must be a whole number', { reason: '--sequence' });
  const now = new Date();
  const entries = (values.entry ?? []).map((e) => revocationEntry(e, now));
  const root = await readRootKeyFile(values['root-key']);
  const list = signRevocationList(root.secretKey, sequence, entries, now);
  if (existsSync(values.out)) throw new ScelleError('E_KEY_FILE', `${values.out} already exists`, { path: values.out, problem: 'exists' });
  writeFileSync(values.out, `${JSON.stringify(list, null, 2)}\n`, { flag: 'wx' });
  out.info(t(out.lang, 'revocationWritten', values.out, sequence, entries.length));
  out.emit({ event: 'result', command: 'revoke', file: values.out, sequence, revoked: entries.length });
  return 0;
}

/**
 * The revocation list named by `--revocations`: a file, or the custody service's address
 * (`https://…/v1/revocations`; plain http only on the loopback). Throws E_REVOCATION_LIST when
 * it cannot be read as JSON.
 */
async function readRevocationSource(source: string): Promise<unknown> {
  try {
    if (/^https?:\/\//i.test(source)) {
      const url = new URL(source);
      if (url.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('plain http is accepted only on the loopback');
      const res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as unknown;
    }
    return JSON.parse(readFileSync(source, 'utf8')) as unknown;
  } catch (e) {
    throw new ScelleError('E_REVOCATION_LIST', `${source} cannot be read as a revocation list`, { problem: 'malformed' }, { cause: e });
  }
}

/**
 * `scelle setup [--root f.pub]… [--escrow f.pub] [--station-key f] [--certificate f
 * [--issuing-certificate f]] [--revocations f]`: installs trust and keys. A certificate signed by
 * an issuing key needs that key's issuing certificate.
 */
export async function setupCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parse(argv, {
    root: { type: 'string', multiple: true },
    escrow: { type: 'string' },
    'station-key': { type: 'string' },
    certificate: { type: 'string' },
    'issuing-certificate': { type: 'string' },
    revocations: { type: 'string' },
  });
  const paths = configPaths(scelleHome());
  let changed = false;
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const provider = builtInProvider();
  if (provider && (values.root ?? []).length > 0) {
    throw new ScelleError('E_USAGE', `this build trusts only the root keys of ${provider.name}, built in; --root is for development builds`, { reason: '--root' });
  }
  for (const r of values.root ?? []) {
    await readPublicKeyFile(r, 'root');
    mkdirSync(paths.rootsDir, { recursive: true });
    copyFileSync(r, join(paths.rootsDir, basename(r).endsWith('.pub') ? basename(r) : `${basename(r)}.pub`));
    changed = true;
  }
  if (values.escrow) {
    await readPublicKeyFile(values.escrow, 'escrow');
    copyFileSync(values.escrow, paths.escrowPub);
    changed = true;
  }
  if (values['station-key']) {
    const identity = await readStationKeyFile(values['station-key']);
    if (existsSync(paths.stationKey)) throw new ScelleError('E_KEY_FILE', `${paths.stationKey} already exists; move it away first`, { path: paths.stationKey, problem: 'exists' });
    await writeStationKeyFile(paths.stationKey, identity);
    changed = true;
  }
  if (values.certificate) {
    let cert;
    try {
      cert = stationCertificateSchema.parse(JSON.parse(readFileSync(values.certificate, 'utf8')));
    } catch (e) {
      throw new ScelleError('E_KEY_FILE', `${values.certificate} is not a station certificate`, { path: values.certificate, problem: 'malformed' }, { cause: e });
    }
    let issuing: IssuingCertificate | null = null;
    if (values['issuing-certificate']) {
      try {
        issuing = issuingCertificateSchema.parse(JSON.parse(readFileSync(values['issuing-certificate'], 'utf8')));
      } catch (e) {
        throw new ScelleError(
          'E_KEY_FILE',
          `${values['issuing-certificate']} is not an issuing certificate`,
          { path: values['issuing-certificate'], problem: 'malformed' },
          { cause: e },
        );
      }
    }
    await replaceStationCertificate(paths.stationKey, cert, issuing);
    changed = true;
  } else if (values['issuing-certificate']) {
    throw new ScelleError('E_USAGE', '--issuing-certificate goes with --certificate', { reason: '--certificate' });
  }
  const roots = await loadPinnedRoots(paths.home);
  if (values.revocations) {
    const kept = storeRevocations(await readRevocationSource(values.revocations), roots, paths.home);
    out.info(t(out.lang, 'revocationsStored', kept.sequence, kept.revoked.length));
    changed = true;
  }
  const station = existsSync(paths.stationKey) ? await readStationKeyFile(paths.stationKey) : null;
  if (changed) out.info(t(out.lang, 'setupDone'));
  out.info(
    t(
      out.lang,
      'setupShow',
      paths.home,
      station ? station.id : t(out.lang, 'none'),
      station ? t(out.lang, station.certificate ? 'certifiedYes' : 'certifiedNo') : '—',
      roots.length,
      existsSync(paths.escrowPub) ? paths.escrowPub : t(out.lang, 'none'),
    ),
  );
  out.emit({
    event: 'result',
    command: 'setup',
    home: paths.home,
    stationId: station?.id ?? null,
    stationCertified: station?.certificate != null,
    pinnedRoots: roots.length,
    escrow: existsSync(paths.escrowPub),
  });
  return 0;
}
