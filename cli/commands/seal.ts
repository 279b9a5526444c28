/** `scelle seal <source>… --to <target>`: seal files and folders onto a drive. */
import { join } from 'node:path';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { CUSTOMER_KEYSLOT_LABEL, customerRecipientKey } from '../../shared/custody/customer-identity.js';
import { decodeBase64Strict, encodeBase64 } from '../../shared/custody/event.js';
import { readPublicKeyFile } from '../../shared/format/key-files.js';
import { seal } from '../../shared/engine/index.js';
import { parse, parseSize } from '../args.js';
import { configPaths, loadEscrow, loadOrCreateStation, scelleHome } from '../config.js';
import { recordAfterSeal } from '../custody.js';
import { fmtBytes } from '../messages.js';
import type { Output } from '../output.js';
import { t } from '../text.js';
import { counted } from '../plurals.js';
import { nextDriveFromInput } from '../next-drive.js';
import type { SetSealOptions } from '../../shared/engine/api.js';

async function readRecipient(path: string): Promise<Uint8Array> {
  try {
    return await readPublicKeyFile(path, 'recipient');
  } catch {
    return readPublicKeyFile(path, 'escrow');
  }
}

/**
 * A customer's own public key (`scelle keygen customer`): a customer public key file, or its
 * 44-character base64 text as the customer sent it.
 * @throws ScelleError E_KEY_FILE / E_USAGE when it is neither.
 */
async function readCustomerPublicKey(value: string): Promise<Uint8Array> {
  const text = decodeBase64Strict(value.trim(), 32);
  const key = text ?? (await readPublicKeyFile(value, 'customer'));
  customerRecipientKey(key); // throws E_USAGE when it is not an Ed25519 public key
  return key;
}

/** Runs the command; returns the exit code. */
export async function sealCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, {
    to: { type: 'string', multiple: true },
    'next-drive': { type: 'boolean' },
    'member-size': { type: 'string' },
    recipient: { type: 'string', multiple: true },
    customer: { type: 'string' },
    'no-unlock-code': { type: 'boolean' },
    'no-escrow': { type: 'boolean' },
    'part-size': { type: 'string' },
    resume: { type: 'boolean' },
  });
  const targets = values.to ?? [];
  if (targets.length === 0) throw new ScelleError('E_USAGE', 'seal needs --to <target folder>', { reason: '--to' });
  const asSet = targets.length > 1 || values['next-drive'] === true;
  if (!asSet && values['member-size']) throw new ScelleError('E_USAGE', '--member-size is for a set: give several --to or --next-drive', { reason: '--member-size' });
  if (positionals.length === 0) throw new ScelleError('E_USAGE', 'seal needs at least one source', { reason: '<source>' });
  const home = scelleHome();
  const { station, created } = await loadOrCreateStation(home);
  if (created) out.warn(t(out.lang, 'stationCreated', station.id, configPaths(home).stationKey), 'station-created');
  const x25519 = [];
  const escrow = values['no-escrow'] ? null : await loadEscrow(home);
  if (escrow) x25519.push({ label: 'escrow', publicKey: escrow });
  for (const r of values.recipient ?? []) x25519.push({ label: 'recipient', publicKey: await readRecipient(r) });
  const customer = values.customer !== undefined ? await readCustomerPublicKey(values.customer) : null;
  if (customer) x25519.push({ label: CUSTOMER_KEYSLOT_LABEL, publicKey: customerRecipientKey(customer) });
  const unlockCode = !values['no-unlock-code'];
  if (!escrow && unlockCode && !values['no-escrow']) out.warn(t(out.lang, 'noEscrow'), 'no-escrow');

  const next = values['next-drive'] ? nextDriveFromInput(out) : null;
  const set: SetSealOptions | undefined = asSet
    ? {
        more: targets.slice(1),
        continuationDir: join(home, 'unfinished-sets'),
        ...(next ? { nextTarget: next.nextTarget } : {}),
        ...(values['member-size'] ? { memberBytes: parseSize(values['member-size']) } : {}),
        onMemberSealed: (m) => {
          out.info(t(out.lang, 'memberSealed', m.position, m.members, m.driveId, counted(out.lang, 'parts', m.parts), m.driveDir));
          out.emit({
            event: 'member',
            position: m.position,
            driveId: m.driveId,
            driveDir: m.driveDir,
            parts: m.parts,
            manifestSha256: m.manifestSha256,
            indexComplete: m.indexComplete,
          });
        },
      }
    : undefined;
  const opts = {
    sources: positionals,
    target: targets[0]!,
    ...(set ? { set } : {}),
    station,
    recipients: { unlockCode, x25519 },
    resume: values.resume === true,
    signal,
    onProgress: (p: Parameters<Output['progress']>[0]) => out.progress(p),
    ...(values['part-size'] ? { partPlaintextSize: parseSize(values['part-size']) } : {}),
  };
  let result;
  try {
    result = await seal(opts);
  } catch (e) {
    if (e instanceof ScelleError && ['E_CANCELLED', 'E_TARGET_FULL', 'E_TARGET_IO'].includes(e.code)) {
      const sources = positionals.map((p) => JSON.stringify(p)).join(' ');
      if (next?.declined()) out.warn(t(out.lang, 'setStoppedAtNextDrive', sources), 'resumable');
      else if (asSet) out.warn(t(out.lang, 'cancelledResumeSet', sources), 'resumable');
      else out.warn(t(out.lang, 'cancelledResume', sources, JSON.stringify(targets[0])), 'resumable');
    }
    throw e;
  } finally {
    next?.close();
  }
  if (result.resumed) out.info(t(out.lang, 'resumed'));
  if (result.set) {
    out.info(t(out.lang, 'setSealed', result.set.id, result.set.members.length, counted(out.lang, 'files', result.files), fmtBytes(result.bytes, out.lang)));
    for (const u of result.set.unusedTargets) out.info(t(out.lang, 'setUnused', u));
  } else {
    out.info(
      t(out.lang, 'sealed', result.driveId, counted(out.lang, 'files', result.files), fmtBytes(result.bytes, out.lang), counted(out.lang, 'parts', result.parts), result.driveDir),
    );
  }
  if (result.unlockCode) {
    // The unlock code is shown once, on the terminal or in the JSON result; it is never logged or stored.
    out.info(`\n${t(out.lang, 'unlockCodeBanner')}\n\n    ${result.unlockCode}\n`);
  }
  out.emit({
    event: 'result',
    command: 'seal',
    driveId: result.driveId,
    driveDir: result.driveDir,
    files: result.files,
    bytes: result.bytes,
    parts: result.parts,
    resumed: result.resumed,
    manifestSha256: result.manifestSha256,
    stationId: station.id,
    stationCertified: station.certificate !== null,
    ...(result.unlockCode ? { unlockCode: result.unlockCode } : {}),
    ...(result.set ? { set: result.set } : {}),
  });
  // A set: one `sealed` event per member, each in its own chain (recordAfterSeal records them all).
  return recordAfterSeal(out, station, result, undefined, customer ? encodeBase64(customer) : undefined);
}
