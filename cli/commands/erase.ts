/**
 * `scelle erase <drive> [--overwrite] [--yes] [--as-station] [--record <file>] [key]`:
 * cryptographic erase of a sealed drive (shared/engine/erase.ts) with an `erased` custody
 * event holding the NIST SP 800-88 Rev. 1 sanitization record, signed by whoever erases:
 * - on a customer machine, the customer key derived from the drive's data key, so the unlock
 *   secret is required (same options as open) and is used *before* the keyslots are destroyed;
 * - on a station with `--as-station`, the station key (the station must hold the drive's
 *   provider lineage, i.e. have sealed it here).
 * Everything that can fail is checked before anything is destroyed: the drive loads, the
 * secret opens it, the journal opens and the signer may extend its lineage, the confirmation
 * is given (`--yes`, or typed on a terminal), the record file does not exist yet.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { deriveCustomerKey } from '../../shared/custody/customer-key.js';
import type { CustodyEvent, SignedEvent } from '../../shared/custody/event.js';
import type { EventDataMap } from '../../shared/custody/event-data.js';
import { eraseDrive, sanitizationData } from '../../shared/engine/erase.js';
import { closeUnlocked, loadDrive, unlockDrive } from '../../shared/engine/index.js';
import { isScelleError, ScelleError } from '../../shared/errors/scelle-error.js';
import { parse } from '../args.js';
import { configPaths, loadPinnedRoots, scelleHome } from '../config.js';
import { appendEvent, customerAuthor, CUSTODY_NOT_RECORDED_EXIT, loadStationIfPresent, reportRecorded, stationAuthor, toolInfo, withCustodyStore } from '../custody.js';
import { errorSentence } from '../messages.js';
import type { Output } from '../output.js';
import { readSecret, type SecretOptions } from '../secret-input.js';
import { t } from '../text.js';
import { counted } from '../plurals.js';

const MEDIA_TYPES = ['flash', 'magnetic', 'hybrid', 'optical', 'other'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const ROLE_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/** The sanitization record written with --record or in the JSON result (no personal data, no secret). */
export interface SanitizationRecord {
  format: 'scelle-sanitization-record/1';
  standard: 'NIST SP 800-88 Rev. 1';
  driveId: string;
  manifestSha256: string;
  sanitization: EventDataMap['erased'];
  details: {
    keyFilesDestroyed: string[];
    partsDeleted: number;
    payloadOverwritten: boolean;
    bytesOverwritten: number;
    leftovers: string[];
    verificationFailures: string[];
  };
  /** The custody event that records it, or null when it could not be recorded. */
  custodyEvent: { id: string; hash: string; lineage: 'provider' | 'customer'; seq: number } | null;
}

/** Asks for the confirmation word on the terminal. */
function confirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      resolve(['oui', 'yes', 'o', 'y'].includes(answer.trim().toLowerCase()));
    });
  });
}

/**
 * Runs the command; returns the exit code: 0; 5 when the post-erase verification failed;
 * CUSTODY_NOT_RECORDED_EXIT (8) when the drive was erased but the event or the record file
 * could not be written. Thrown before anything is destroyed: E_USAGE (2), E_FORMAT_* (3),
 * E_KEY_* (4), E_CUSTODY_JOURNAL (8), E_CUSTODY_CHAIN (no lineage for --as-station).
 */
export async function eraseCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, {
    'code-file': { type: 'string' },
    identity: { type: 'string' },
    'unsafe-code': { type: 'string' },
    overwrite: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'as-station': { type: 'boolean' },
    record: { type: 'string' },
    'media-type': { type: 'string' },
    'media-description': { type: 'string' },
    'performed-by': { type: 'string' },
  });
  const ref = positionals[0];
  if (!ref) throw new ScelleError('E_USAGE', 'erase needs the drive folder', { reason: '<drive>' });
  const mediaType = (values['media-type'] ?? 'other') as MediaType;
  if (!MEDIA_TYPES.includes(mediaType))
    throw new ScelleError('E_USAGE', `--media-type must be one of ${MEDIA_TYPES.join(', ')}`, { reason: `--media-type ${MEDIA_TYPES.join('|')}` });
  if (values['performed-by'] !== undefined && !ROLE_RE.test(values['performed-by']))
    throw new ScelleError('E_USAGE', '--performed-by is a role id (e.g. staff:erasure), never a name', { reason: '--performed-by' });
  if (values.record !== undefined && existsSync(values.record)) throw new ScelleError('E_USAGE', `${values.record} already exists`, { reason: `--record ${values.record}` });
  const asStation = values['as-station'] === true;
  if (asStation && (values['code-file'] !== undefined || values.identity !== undefined || values['unsafe-code'] !== undefined)) {
    throw new ScelleError('E_USAGE', '--as-station signs with the station key: no drive key is needed', { reason: '--as-station' });
  }
  const pinnedRoots = await loadPinnedRoots();
  const drive = loadDrive(ref, pinnedRoots);
  const driveId = drive.manifest.driveId;

  // The signer, before anything is destroyed.
  let author: CustodyEvent['author'];
  let secretKey: Uint8Array;
  let defaultRole: string;
  if (asStation) {
    const station = await loadStationIfPresent();
    if (!station) throw new ScelleError('E_KEY_FILE', 'no station key on this machine', { path: configPaths(scelleHome()).stationKey, problem: 'missing' });
    author = stationAuthor(station);
    secretKey = station.secretKey;
    defaultRole = 'station';
  } else {
    const secret = await readSecret(values as SecretOptions, t(out.lang, 'promptCode'), (s) => out.warn(s), t(out.lang, 'unsafeCode'));
    const unlocked = await unlockDrive(drive, secret, signal);
    const key = deriveCustomerKey(unlocked.dataKey, driveId);
    closeUnlocked(unlocked);
    author = customerAuthor(key);
    secretKey = key.secretKey;
    defaultRole = 'customer';
  }
  const performedBy = values['performed-by'] ?? defaultRole;
  const lineage = author.kind === 'customer' ? 'customer' : 'provider';

  try {
    return await withCustodyStore(async (store) => {
      if (lineage === 'provider' && !store.head(driveId, 'provider')) {
        throw new ScelleError('E_CUSTODY_CHAIN', 'this station holds no provider lineage for the drive', { reason: 'no-provider-lineage', driveId });
      }
      if (!values.yes) {
        if (!process.stdin.isTTY) throw new ScelleError('E_USAGE', 'erase asks for confirmation on a terminal; add --yes to erase without it', { reason: '--yes' });
        if (!(await confirm(t(out.lang, 'eraseConfirm', driveId, drive.driveDir)))) {
          out.info(t(out.lang, 'eraseAborted'));
          return 130;
        }
      }

      const report = eraseDrive({ driveDir: drive.driveDir, overwritePayload: values.overwrite === true, signal });
      const data = sanitizationData(report, {
        mediaType,
        mediaDescription: values['media-description'] ?? `scelle/1 drive folder SCELLE-${driveId} (file-level erase)`,
        performedBy,
        tool: toolInfo(),
      });
      let exit = report.verification.result === 'pass' ? 0 : 5;
      let recorded: { event: SignedEvent; hash: string } | null = null;
      try {
        recorded = await appendEvent(store, { type: 'erased', driveId, author, secretKey, data, anchor: report.manifestSha256 });
      } catch (e) {
        const err = isScelleError(e) ? e : new ScelleError('E_CUSTODY_JOURNAL', String(e));
        const s = errorSentence(out.lang, err.code, err.details);
        out.warn(t(out.lang, 'custodyNotRecorded', s.message, s.hint), 'custody-not-recorded');
        if (exit === 0) exit = CUSTODY_NOT_RECORDED_EXIT;
      }
      const record: SanitizationRecord = {
        format: 'scelle-sanitization-record/1',
        standard: 'NIST SP 800-88 Rev. 1',
        driveId,
        manifestSha256: report.manifestSha256,
        sanitization: data,
        details: {
          keyFilesDestroyed: report.keyFilesDestroyed,
          partsDeleted: report.partsDeleted,
          payloadOverwritten: report.payloadOverwritten,
          bytesOverwritten: report.bytesOverwritten,
          leftovers: report.leftovers,
          verificationFailures: report.verification.failures,
        },
        custodyEvent: recorded ? { id: recorded.event.id, hash: recorded.hash, lineage, seq: recorded.event.seq } : null,
      };

      out.info(
        t(
          out.lang,
          'erased',
          driveId,
          t(out.lang, report.payloadOverwritten ? 'eraseMethodOverwrite' : 'eraseMethodCrypto'),
          counted(out.lang, 'keyFilesDestroyed', report.keyFilesDestroyed.length),
          counted(out.lang, 'partsDeleted', report.partsDeleted),
        ),
      );
      if (report.verification.result === 'pass') out.info(t(out.lang, 'eraseVerifyPass'));
      else out.warn(t(out.lang, 'eraseVerifyFail', report.verification.failures.join('; ')), 'erase-verification-failed');
      if (report.leftovers.length > 0) out.warn(t(out.lang, 'eraseLeftovers', report.driveDir, report.leftovers.join(', ')), 'erase-leftovers');
      if (recorded) reportRecorded(out, [recorded.event]);
      if (values.record !== undefined) {
        try {
          writeFileSync(values.record, JSON.stringify(record, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
          out.info(t(out.lang, 'recordWritten', values.record));
        } catch (e) {
          const s = errorSentence(out.lang, 'E_TARGET_IO', { errno: (e as NodeJS.ErrnoException).code ?? 'EIO' });
          out.warn(`${s.message} ${values.record}`, 'record-not-written');
          if (exit === 0) exit = CUSTODY_NOT_RECORDED_EXIT;
        }
      }
      out.emit({ event: 'result', command: 'erase', driveId, verification: report.verification.result, record });
      return exit;
    });
  } finally {
    secretKey.fill(0);
  }
}
