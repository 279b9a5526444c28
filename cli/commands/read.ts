/** `scelle verify`, `scelle list` and `scelle open`: the commands that read a drive. */
import type { CustomerIdentity } from '../../shared/custody/customer-identity.js';
import type { DriveSecret } from '../../shared/engine/api.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import type { Keyslot } from '../../shared/format/keyslot.js';
import { listEntryBatches, type ListSummary } from '../../shared/engine/list.js';
import { open } from '../../shared/engine/restore/open.js';
import { verify } from '../../shared/engine/verify/verify.js';
import { absentMembersFor } from '../../shared/engine/set-drives.js';
import { loadDrive, resolveDriveDir, type LoadedDrive } from '../../shared/engine/drive.js';
import type { SetAvailability } from '../../shared/engine/api.js';
import type { StationJudgement } from '../../shared/format/station-trust.js';
import { parse } from '../args.js';
import { loadPinnedRoots } from '../config.js';
import { recordAfterOpen, recordAfterVerify } from '../custody.js';
import { chooseCustomerSigner, customerDriveSecret, driveSealedFor, loadCustomerIdentity } from '../customer-identity.js';
import { errorSentence, fmtBytes } from '../messages.js';
import type { Output } from '../output.js';
import { readSecret, type SecretOptions } from '../secret-input.js';
import { judgeDrive } from '../station-trust.js';
import { readCustodyConfig } from '../custody-config.js';
import { t, type TextKey } from '../text.js';
import { counted } from '../plurals.js';

const SECRET_OPTIONS = {
  'code-file': { type: 'string' },
  identity: { type: 'string' },
  'unsafe-code': { type: 'string' },
  'customer-key': { type: 'string' },
} as const;

/** What opens the drive and who signs the customer's events, from the options and this machine's customer key. */
interface DriveAccess {
  secret: DriveSecret | undefined;
  identity: CustomerIdentity | null;
  /** The first drive's keyslots. */
  keyslots: readonly Keyslot[];
  /**
   * The drives given (the first, then the members), in that order, loaded and checked once for
   * the whole command: the engine and the custody records use these, never a second reading.
   */
  drives: LoadedDrive[];
}

/** The drives a command reads, and how. */
interface AccessRequest {
  driveDir: string;
  members: readonly string[];
  pinnedRoots: readonly Uint8Array[];
  /** Without a secret in the options: prompt for the code (true), or go on without one (false: media-only verify). */
  required: boolean;
  /** Say first whether the first drive's station is certified (list, open). */
  stationNotice: boolean;
}

/**
 * Loads the drives given (loadDrive: manifest, signature, certificate; once per command) and
 * chooses the secret: the customer key (`--customer-key`, or `<home>/customer.key`) when the
 * drive was sealed for it and no other secret was named; else the unlock code or identity the
 * options name; else, when `required`, the prompted code; else none (media-only verify).
 * Throws as loadDrive (before any prompt), loadCustomerIdentity and readSecret.
 */
async function driveAccess(values: SecretOptions & { 'customer-key'?: string }, req: AccessRequest, out: Output): Promise<DriveAccess> {
  const drives = [req.driveDir, ...req.members].map((p) => loadDrive(p, req.pinnedRoots));
  const first = drives[0]!;
  if (req.stationNotice) stationNotice(out, first.info.station);
  const identity = await loadCustomerIdentity(values['customer-key']);
  const keyslots = first.manifest.keyslots;
  const required = req.required;
  const named = values['code-file'] !== undefined || values.identity !== undefined || values['unsafe-code'] !== undefined;
  let secret: DriveSecret | undefined;
  if (!named && identity && driveSealedFor(keyslots, identity)) secret = customerDriveSecret(identity);
  else if (named || required) secret = await readSecret(values, t(out.lang, 'promptCode'), (s) => out.warn(s), t(out.lang, 'unsafeCode'));
  return { secret, identity, keyslots, drives };
}

/** The drive of `driveId` among those the command loaded. Throws E_INTERNAL when it is not one of them. */
function loadedDrive(drives: readonly LoadedDrive[], driveId: string): LoadedDrive {
  const d = drives.find((x) => x.manifest.driveId === driveId);
  if (!d) throw new ScelleError('E_INTERNAL', `drive ${driveId} was not one of the drives given`);
  return d;
}

function wipeAccess(a: DriveAccess): void {
  a.identity?.secretKey.fill(0);
  if (a.secret?.kind === 'x25519') a.secret.secretKey.fill(0);
}

function driveArg(positionals: string[], command: string): string {
  const drive = positionals[0];
  if (!drive) throw new ScelleError('E_USAGE', `${command} needs the drive folder`, { reason: '<drive>' });
  return drive;
}

/** True when `path` is a drive folder on this machine (or a mount point holding one). */
function isDriveFolder(path: string): boolean {
  try {
    resolveDriveDir(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The drives given first (one, or the members of a set attached, in any order) and the paths
 * inside the drive after them: every leading argument that is a drive folder is a drive.
 */
function drivesAndPaths(positionals: string[], command: string): { driveDir: string; members: string[]; paths: string[] } {
  const driveDir = driveArg(positionals, command);
  let n = 1;
  while (n < positionals.length && isDriveFolder(positionals[n]!)) n++;
  return { driveDir, members: positionals.slice(1, n), paths: positionals.slice(n) };
}

/** Says which members of a set are attached and what the absent ones hold (open) or that they are absent (list). */
function setNotice(out: Output, set: SetAvailability | undefined): void {
  if (!set) return;
  out.info(t(out.lang, 'setMembers', set.id, set.present.join(', '), set.members));
  for (const a of set.absent) {
    out.warn(t(out.lang, 'memberAbsent', a.position, set.members, a.driveId, counted(out.lang, 'files', a.files), fmtBytes(a.bytes, out.lang)), 'member-absent');
    for (const p of a.paths.slice(0, 10)) out.warn(`  - ${p}`);
    if (a.files > 10) out.warn(`  …`);
  }
  if (set.notListed > 0) out.warn(t(out.lang, 'notListed', counted(out.lang, 'entries', set.notListed)), 'not-listed');
}

/** The text key explaining why a station is not certified. */
function certReasonKey(reason: string | null): TextKey {
  const known: Record<string, TextKey> = {
    'no-certificate': 'reasonNoCertificate',
    'unknown-root': 'reasonUnknownRoot',
    expired: 'reasonExpired',
    'issuer-expired': 'reasonIssuerExpired',
    'wrong-usage': 'reasonBrokenChain',
    'issuer-mismatch': 'reasonBrokenChain',
    'constraint-violated': 'reasonBrokenChain',
    'outlives-issuer': 'reasonBrokenChain',
  };
  return known[reason ?? ''] ?? 'reasonInvalid';
}

function stationNotice(out: Output, station: { id: string; certified: boolean; reason: string | null }): void {
  if (station.certified) out.info(t(out.lang, 'certified', station.id));
  else out.warn(t(out.lang, 'notCertified', station.id, t(out.lang, certReasonKey(station.reason))), 'station-not-certified');
}

/** Says what the drive's origin is worth (station-trust.ts): a warning unless genuine, unconfirmed or local. */
function trustNotice(out: Output, stationId: string, j: StationJudgement): void {
  const when = j.judgedAt.slice(0, 10);
  const source = t(out.lang, j.timeSource === 'receipt' ? 'timeFromReceipt' : 'timeFromManifest');
  switch (j.trust) {
    case 'genuine':
      return out.info(t(out.lang, 'trustGenuine', stationId, when));
    case 'unconfirmed':
      return out.info(t(out.lang, 'trustUnconfirmed', stationId, when));
    case 'local':
      return out.warn(t(out.lang, 'trustLocal', stationId), 'station-not-certified');
    case 'forged':
      return out.warn(t(out.lang, 'trustForged', stationId, t(out.lang, certReasonKey(j.reason))), 'station-forged');
    case 'revoked':
      return out.warn(
        t(out.lang, j.reason === 'issuer-revoked' ? 'trustIssuerRevoked' : 'trustRevoked', stationId, j.revocation?.revokedAt.slice(0, 10) ?? '', j.revocation?.reason ?? ''),
        'station-revoked',
      );
    case 'expired':
      return out.warn(t(out.lang, 'trustExpired', stationId, when, source), 'station-expired');
  }
}

/** `scelle verify <drive> [key]`: exit 0 when intact, 3 when problems were found. */
export async function verifyCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, { ...SECRET_OPTIONS, media: { type: 'boolean' } });
  const { driveDir, members, paths } = drivesAndPaths(positionals, 'verify');
  if (paths.length > 0) throw new ScelleError('E_USAGE', `not a drive folder: ${paths[0]}`, { reason: '<drive>' });
  const pinnedRoots = await loadPinnedRoots();
  const access = await driveAccess(values, { driveDir, members, pinnedRoots, required: false, stationNotice: false }, out);
  try {
    const secret = access.secret;
    const drive = access.drives[0]!;
    const report = await verify({ driveDir, members, loaded: access.drives, pinnedRoots, signal, onProgress: (p) => out.progress(p), ...(secret ? { secret } : {}) });
    const trust = await judgeDrive(drive, pinnedRoots, readCustodyConfig().serviceKeys ?? []);
    trustNotice(out, report.station.id, trust);
    const level = t(out.lang, report.level === 'full' ? 'levelFull' : 'levelMedia');
    if (report.set) {
      const s = report.set;
      out.info(t(out.lang, 'setVerified', s.present.join(', '), s.members, s.id, counted(out.lang, 'files', s.filesChecked), counted(out.lang, 'files', s.filesElsewhere)));
    }
    if (report.ok) out.info(t(out.lang, 'verifyOk', report.driveId, level));
    else {
      out.info(t(out.lang, 'verifyBad', report.driveId, counted(out.lang, 'problemsFound', report.problems.length)));
      for (const p of report.problems) {
        const s = errorSentence(out.lang, p.code as ScelleError['code'], p.details);
        out.info(`  - ${s.message} ${s.hint}`);
      }
    }
    out.emit({
      event: 'result',
      command: 'verify',
      ...report,
      trust,
      customerKey: undefined,
      problems: report.problems.map((p) => ({ ...p, ...errorSentence(out.lang, p.code as ScelleError['code'], p.details) })),
    });
    const signer = chooseCustomerSigner(report.driveId, access.keyslots, access.identity, report.customerKey);
    return await recordAfterVerify(out, report, drive, report.ok ? 0 : 3, signer);
  } finally {
    wipeAccess(access);
  }
}

/**
 * `scelle list <drive> [path] [key]`: streams the entries of the index (all, or one file or
 * folder and everything below it), one line each (`{"event":"entry",…}` with --json).
 */
export async function listCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, SECRET_OPTIONS);
  const { driveDir, members, paths } = drivesAndPaths(positionals, 'list');
  const prefix = paths[0];
  if (paths.length > 1) throw new ScelleError('E_USAGE', 'list takes drives and at most one path', { reason: '<path>' });
  const pinnedRoots = await loadPinnedRoots();
  const access = await driveAccess(values, { driveDir, members, pinnedRoots, required: true, stationNotice: true }, out);
  const secret = access.secret!;
  access.identity?.secretKey.fill(0);
  let summary: ListSummary | null = null;
  let listed = 0;
  const entries = listEntryBatches({ driveDir, members, loaded: access.drives, secret, pinnedRoots, signal, ...(prefix !== undefined ? { prefix } : {}) }, (s) => {
    summary = s;
    if (s.set) {
      out.info(t(out.lang, 'setMembers', s.set.id, s.set.present.join(', '), s.set.members));
      for (const a of s.set.absent) out.warn(t(out.lang, 'memberAbsentList', a.position, s.set.members, a.driveId, t(out.lang, 'filesItHolds')), 'member-absent');
      if (s.set.listed < s.set.totals.entries) out.warn(t(out.lang, 'notListed', counted(out.lang, 'entries', s.set.totals.entries - s.set.listed)), 'not-listed');
    }
    out.info(t(out.lang, 'listHeader', counted(out.lang, 'files', s.files), fmtBytes(s.bytes, out.lang)));
  });
  const typeMark = { file: '-', directory: 'd', symlink: 'l' } as const;
  for await (const batch of entries) {
    // A set with members absent: a file whose bytes are on one of them is marked with its position(s).
    const set = (summary as ListSummary | null)?.set;
    for (const e of batch) {
      const waits = set && e.type === 'file' ? absentMembersFor(set, e).map((a) => a.position) : [];
      const wait = out.stream(
        () => {
          const size = e.type === 'directory' ? e.bytes! : e.size;
          const mark = waits.length > 0 ? `  ${t(out.lang, 'waitsFor', waits.join(', '))}` : '';
          return `${typeMark[e.type]} ${String(size).padStart(12)}  ${e.path}${e.type === 'directory' ? '/' : ''}${e.type === 'symlink' ? ` -> ${e.linkTarget}` : ''}${mark}`;
        },
        () => `{"event":"entry",${JSON.stringify(e).slice(1, -1)}${waits.length > 0 ? `,"waitsFor":${JSON.stringify(waits)}` : ''}}`,
      );
      if (wait) await wait;
      listed++;
    }
  }
  await out.endStream();
  const s = summary as ListSummary | null;
  out.emit({ event: 'result', command: 'list', driveId: s?.driveId, files: s?.files, bytes: s?.bytes, entries: s?.entryCount, listed, ...(s?.set ? { set: s.set } : {}) });
  return 0;
}

/** Exit code of a restore that left files for a member drive not attached. */
const PARTIAL_RESTORE_EXIT = 12;

/** `scelle open <drive>… --to <folder> [path…] [key]`: restores and verifies. */
export async function openCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SECRET_OPTIONS,
    to: { type: 'string' },
    overwrite: { type: 'boolean' },
    'keep-modes': { type: 'boolean' },
    'allow-outward-links': { type: 'boolean' },
  });
  const { driveDir, members, paths } = drivesAndPaths(positionals, 'open');
  if (!values.to) throw new ScelleError('E_USAGE', 'open needs --to <folder>', { reason: '--to' });
  const pinnedRoots = await loadPinnedRoots();
  const access = await driveAccess(values, { driveDir, members, pinnedRoots, required: true, stationNotice: true }, out);
  try {
    const secret = access.secret!;
    const res = await open({
      driveDir,
      members,
      loaded: access.drives,
      dest: values.to,
      secret,
      pinnedRoots,
      overwrite: values.overwrite ? 'always' : 'never',
      keepModes: values['keep-modes'] === true,
      allowOutwardLinks: values['allow-outward-links'] === true,
      signal,
      onProgress: (p) => out.progress(p),
      ...(paths.length ? { paths } : {}),
    });
    if (res.renamed.length > 0) out.warn(t(out.lang, 'renamed', counted(out.lang, 'namesAdapted', res.renamed.length), res.renamed[0]!.from, res.renamed[0]!.to), 'renamed');
    for (const l of res.outwardLinks) out.warn(t(out.lang, 'outwardLink', l.path, l.target), 'outward-link');
    out.info(t(out.lang, 'opened', counted(out.lang, 'filesRestored', res.files), fmtBytes(res.bytes, out.lang), values.to));
    setNotice(out, res.set);
    out.emit({
      event: 'result',
      command: 'open',
      driveId: res.driveId,
      files: res.files,
      bytes: res.bytes,
      verified: res.verified,
      renamed: res.renamed,
      outwardLinks: res.outwardLinks,
      ...(res.set ? { set: res.set } : {}),
    });
    // Files left for an absent member: a partial restore (exit 12), recorded as such in custody.
    const partial = res.set !== undefined && (res.set.absent.some((a) => a.files > 0) || res.set.notListed > 0);
    let code = 0;
    if (res.members) {
      // A set: each member present gets the customer's events in its own chain, signed for it.
      res.customerKey.secretKey.fill(0);
      for (const m of res.members) {
        const drive = loadedDrive(access.drives, m.driveId);
        const signer = chooseCustomerSigner(m.driveId, drive.manifest.keyslots, access.identity, m.customerKey);
        code = Math.max(code, await recordAfterOpen(out, { ...res, driveId: m.driveId, customerKey: m.customerKey }, drive, paths.length > 0 || partial, signer));
      }
    } else {
      const signer = chooseCustomerSigner(res.driveId, access.keyslots, access.identity, res.customerKey);
      code = await recordAfterOpen(out, res, loadedDrive(access.drives, res.driveId), paths.length > 0, signer);
    }
    return code === 0 && partial ? PARTIAL_RESTORE_EXIT : code;
  } finally {
    wipeAccess(access);
  }
}
