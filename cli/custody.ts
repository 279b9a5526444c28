/**
 * Recording the chain of custody from the command line (docs/CUSTODY.md): the local journal
 * and outbox live in `<scelleHome>/custody/` (a CustodyStore). The data commands call one
 * helper each after they succeeded:
 *   seal   → `sealed`   (provider lineage, signed by the station key)
 *   verify → `verified` by the station when this machine has a station key and sealed the
 *            drive here, else `received` by the customer when the drive's key was given
 *   open   → `received` (once per drive on this machine) and `opened` (customer lineage)
 * Customer events are signed with the customer's own key when the drive was sealed for it
 * (customer-identity.ts), else with the key derived from the drive's data key; the first one
 * anchors on the manifest SHA-256. Recording never hides that the data operation itself
 * succeeded: when the journal cannot be written, a warning says so (a JSON `warning` event
 * with --json) and the command exits with CUSTODY_NOT_RECORDED_EXIT instead of 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticTrust, type ChainTrust } from '../shared/custody/chain-verify.js';
import { DRIVE_ID_RE, encodeBase64, makeEvent, signEvent, type CustodyEvent, type Lineage, type SignedEvent } from '../shared/custody/event.js';
import type { EventDataMap, EventType } from '../shared/custody/event-data.js';
import { CustodyStore } from '../shared/custody/journal.js';
import { sealedEventsData } from '../shared/custody/set-view.js';
import { loadDrive, type LoadedDrive } from '../shared/engine/drive.js';
import type { CustomerCustodyKey, DriveInfo, OpenResult, SealResult, StationIdentity, VerifyReport } from '../shared/engine/api.js';
import { DRIVE_DIR_PREFIX } from '../shared/engine/drive-layout.js';
import { isScelleError, ScelleError } from '../shared/errors/scelle-error.js';
import { readStationKeyFile } from '../shared/format/key-files.js';
import { configPaths, scelleHome } from './config.js';
import { errorSentence } from './messages.js';
import type { Output } from './output.js';
import { t, type TextKey } from './text.js';
import type { CustomerSigner } from './customer-identity.js';

/** Exit code when the data operation succeeded but its custody event could not be recorded (also E_CUSTODY_JOURNAL). */
export const CUSTODY_NOT_RECORDED_EXIT = 8;

/** The local custody journal folder: `<home>/custody`. */
export function custodyDir(home: string = scelleHome()): string {
  return join(home, 'custody');
}

/**
 * Opens the local store, runs `fn`, and always closes it (releasing its lock).
 * @throws ScelleError E_CUSTODY_JOURNAL when the store cannot be opened (locked by another
 *   live process, corrupt record, I/O); whatever `fn` throws.
 */
export async function withCustodyStore<T>(fn: (store: CustodyStore) => Promise<T>, home: string = scelleHome()): Promise<T> {
  const store = await CustodyStore.open(custodyDir(home));
  try {
    return await fn(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The station's author block (id and base64 public key). */
export function stationAuthor(station: StationIdentity): CustodyEvent['author'] {
  return { kind: 'station', id: station.id, publicKey: encodeBase64(station.publicKey) };
}

/** The customer's author block from the drive-derived key. */
export function customerAuthor(key: CustomerCustodyKey): CustodyEvent['author'] {
  return { kind: 'customer', id: key.authorId, publicKey: key.publicKey };
}

/** The station identity of this machine when `station.key` exists (never creates one), else null. @throws ScelleError E_KEY_FILE when it exists but is unreadable. */
export async function loadStationIfPresent(home: string = scelleHome()): Promise<StationIdentity | null> {
  const { stationKey } = configPaths(home);
  return existsSync(stationKey) ? readStationKeyFile(stationKey) : null;
}

/** What to append: the event's type, drive, author and data; seq/prev come from the journal. */
export interface AppendRequest<T extends EventType> {
  type: T;
  driveId: string;
  author: CustodyEvent['author'];
  secretKey: Uint8Array;
  data: EventDataMap[T];
  /** manifest SHA-256: put into `data.anchor` when this is the first customer event of the drive here */
  anchor?: string;
}

/**
 * Builds, signs and durably appends one event after the journal's head of its lineage.
 * A customer genesis gets `data.anchor`; a provider event needs the drive's lineage here
 * (its genesis is the `sealed` event this station recorded).
 * @throws ScelleError E_CUSTODY_CHAIN (malformed, fork, no provider lineage here: details.reason
 *   `no-provider-lineage`), E_CUSTODY_SIGNATURE, E_CUSTODY_JOURNAL.
 */
export async function appendEvent<T extends EventType>(store: CustodyStore, req: AppendRequest<T>): Promise<{ event: SignedEvent; hash: string }> {
  const lineage: Lineage = req.author.kind === 'customer' ? 'customer' : 'provider';
  const next = store.nextEvent(req.driveId, lineage);
  if (lineage === 'provider' && next.seq === 0 && req.type !== 'sealed') {
    throw new ScelleError('E_CUSTODY_CHAIN', 'this machine has no provider lineage for the drive (it did not seal it here)', {
      reason: 'no-provider-lineage',
      driveId: req.driveId,
    });
  }
  const data = { ...req.data } as Record<string, unknown>;
  if (lineage === 'customer' && next.seq === 0 && req.anchor) data['anchor'] = req.anchor;
  const unsigned = makeEvent({ type: req.type, driveId: req.driveId, seq: next.seq, prev: next.prev, author: req.author, data: data as EventDataMap[T] });
  const event = signEvent(unsigned, req.secretKey);
  const { hash } = await store.append(event);
  return { event, hash };
}

/** The localized name of an event type. */
export function eventTypeLabel(lang: Output['lang'], type: string): string {
  const keys: Record<string, TextKey> = {
    sealed: 'evSealed',
    verified: 'evVerified',
    shipped: 'evShipped',
    delivered: 'evDelivered',
    received: 'evReceived',
    opened: 'evOpened',
    erased: 'evErased',
    incident: 'evIncident',
    note: 'evNote',
  };
  const k = keys[type];
  return k ? t(lang, k) : type;
}

/** Tells the user which events were recorded (a `custody` JSON event with --json). */
export function reportRecorded(out: Output, events: readonly SignedEvent[]): void {
  for (const e of events) out.info(t(out.lang, 'custodyRecorded', eventTypeLabel(out.lang, e.type), e.driveId));
  out.emit({
    event: 'custody',
    recorded: events.map((e) => ({ id: e.id, type: e.type, driveId: e.driveId, lineage: e.author.kind === 'customer' ? 'customer' : 'provider', seq: e.seq })),
  });
}

/**
 * Runs `record` after a successful data operation whose own exit code is `exitCode`.
 * Success: says what was recorded and returns `exitCode`. Failure: warns (JSON `warning`
 * event `custody-not-recorded` with the error code) that the operation succeeded but the
 * custody event was not recorded, and returns CUSTODY_NOT_RECORDED_EXIT when `exitCode` was 0
 * (a non-zero `exitCode` is kept: it says more). Never throws.
 */
export async function recordOrWarn(out: Output, exitCode: number, record: () => Promise<SignedEvent[]>): Promise<number> {
  try {
    reportRecorded(out, await record());
    return exitCode;
  } catch (e) {
    const err = isScelleError(e) ? e : new ScelleError('E_CUSTODY_JOURNAL', e instanceof Error ? e.message : String(e));
    const s = errorSentence(out.lang, err.code, err.details);
    if (out.json) out.emit({ event: 'warning', code: 'custody-not-recorded', errorCode: err.code, message: t(out.lang, 'custodyNotRecorded', s.message, s.hint) });
    else out.warn(t(out.lang, 'custodyNotRecorded', s.message, s.hint));
    return exitCode === 0 ? CUSTODY_NOT_RECORDED_EXIT : exitCode;
  }
}

/**
 * After `scelle seal`: records the `sealed` event of the drive, or of every member of a sealed
 * set (`result.set`: see recordSealedSet), signed by the station. With `customerKey` (base64
 * Ed25519, the customer's own key the drive was sealed for) each event names it with
 * `customerAttestation: customer-key`; otherwise it names the drive's data-key customer key
 * (`data-key`). Returns the final exit code (see recordOrWarn).
 */
export function recordAfterSeal(out: Output, station: StationIdentity, result: SealResult, home: string = scelleHome(), customerKey?: string): Promise<number> {
  return recordOrWarn(out, 0, () => withCustodyStore((store) => appendSealed(store, station, result, customerKey), home));
}

/**
 * After a sealed set (`scelle seal --to A --to B …`): records one `sealed` event per member, each
 * in its member's own chain, naming the set (id, its position, the member count, every member's
 * drive id) and what the member holds (its parts and tar bytes; files and bytes when the engine
 * gives them), counts and bytes only (shared/custody/set-view.ts sealedEventsData). A member
 * whose `sealed` event this journal already holds is skipped, so calling it again after a failure
 * records only what is missing. Says what was recorded; returns the final exit code (see
 * recordOrWarn: a journal that cannot be written is a warning and CUSTODY_NOT_RECORDED_EXIT).
 * Same as recordAfterSeal, which calls it for a result that has `set`.
 */
export function recordSealedSet(
  out: Output,
  station: StationIdentity,
  result: SealResult & { set: NonNullable<SealResult['set']> },
  home: string = scelleHome(),
  customerKey?: string,
): Promise<number> {
  return recordAfterSeal(out, station, result, home, customerKey);
}

/** Appends the `sealed` event of each drive of `result` not yet sealed in this journal. */
async function appendSealed(store: CustodyStore, station: StationIdentity, result: SealResult, customerKey?: string): Promise<SignedEvent[]> {
  const recorded: SignedEvent[] = [];
  for (const { driveId, data } of sealedEventsData(result, result.stationCertificateSha256, customerKey)) {
    if (result.set && store.head(driveId, 'provider')) continue;
    recorded.push((await appendEvent(store, { type: 'sealed', driveId, author: stationAuthor(station), secretKey: station.secretKey, data })).event);
  }
  return recorded;
}

function wipe(key: CustomerCustodyKey | undefined): void {
  key?.secretKey.fill(0);
}

/**
 * After `scelle verify`: records `verified` (level, ok, problem count) signed by this
 * machine's station key when it has one and holds the drive's provider lineage; otherwise
 * `received` signed by `signer` (the customer's own key, or the data-key key when the drive's
 * key was given; once per drive on this machine); otherwise nothing (a note says why, and
 * which key is missing). `drive` is the drive verified, as loaded for the command: the customer
 * event anchors on the SHA-256 of its manifest, the bytes that were checked and used. Wipes the
 * report's customer key. Returns the final exit code (see recordOrWarn).
 */
export async function recordAfterVerify(
  out: Output,
  report: VerifyReport,
  drive: LoadedDrive,
  exitCode: number,
  signer: CustomerSigner,
  home: string = scelleHome(),
): Promise<number> {
  const customerKey = report.customerKey;
  try {
    return await recordOrWarn(out, exitCode, () =>
      withCustodyStore(async (store) => {
        const data = { level: report.level, ok: report.ok, problems: report.problems.length };
        const station = await loadStationIfPresent(home);
        try {
          if (station && store.head(report.driveId, 'provider')) {
            const { event } = await appendEvent(store, { type: 'verified', driveId: report.driveId, author: stationAuthor(station), secretKey: station.secretKey, data });
            return [event];
          }
        } finally {
          station?.secretKey.fill(0);
        }
        if (signer.kind === 'customer-key' || signer.kind === 'data-key') {
          if (hasCustomerEvent(store.eventsForDrive(report.driveId), 'received')) {
            out.info(t(out.lang, 'custodyAlreadyReceived', report.driveId));
            return [];
          }
          const anchor = drive.info.manifestSha256;
          const { event } = await appendEvent(store, { type: 'received', driveId: report.driveId, author: signer.author, secretKey: signer.secretKey, data, anchor });
          return [event];
        }
        out.info(t(out.lang, signer.kind === 'needs-customer-key' ? 'custodyNeedsCustomerKey' : 'custodyNoSigner'));
        return [];
      }, home),
    );
  } finally {
    wipe(customerKey);
  }
}

function hasCustomerEvent(events: readonly SignedEvent[], type: EventType): boolean {
  return events.some((e) => e.type === type && e.author.kind === 'customer');
}

/**
 * After `scelle open`: records, in the customer lineage signed by `signer` (the customer's own
 * key, or the data-key key; with no usable signer a note says which key is missing),
 * `received` (level full, ok, 0 problems: every restored stream authenticated) unless one is
 * already recorded for this drive here or only some files were restored, then `opened`
 * (files and bytes restored, partial). The first customer event anchors on the SHA-256 of
 * `drive`'s manifest (the drive opened, as loaded for the command: the bytes checked and used).
 * Wipes the customer key. Returns the final exit code (see recordOrWarn).
 */
export async function recordAfterOpen(
  out: Output,
  res: OpenResult & { driveId: string },
  drive: LoadedDrive,
  partial: boolean,
  signer: CustomerSigner,
  home: string = scelleHome(),
): Promise<number> {
  const key = res.customerKey;
  try {
    return await recordOrWarn(out, 0, () =>
      withCustodyStore(async (store) => {
        if (signer.kind !== 'customer-key' && signer.kind !== 'data-key') {
          out.info(t(out.lang, signer.kind === 'needs-customer-key' ? 'custodyNeedsCustomerKey' : 'custodyNoSigner'));
          return [];
        }
        const anchor = drive.info.manifestSha256;
        const { author, secretKey } = signer;
        const recorded: SignedEvent[] = [];
        if (!partial && !hasCustomerEvent(store.eventsForDrive(res.driveId), 'received')) {
          recorded.push(
            (await appendEvent(store, { type: 'received', driveId: res.driveId, author, secretKey, data: { level: 'full', ok: res.verified === true, problems: 0 }, anchor }))
              .event,
          );
        }
        recorded.push(
          (
            await appendEvent(store, {
              type: 'opened',
              driveId: res.driveId,
              author,
              secretKey,
              data: { ok: res.verified === true, filesRestored: res.files, bytesRestored: res.bytes, partial },
              anchor,
            })
          ).event,
        );
        return recorded;
      }, home),
    );
  } finally {
    wipe(key);
  }
}

/** The drive a custody command is about: a drive folder (manifest checked) or a drive id. */
export interface DriveRef {
  driveId: string;
  /** set when `ref` named an existing drive folder */
  info: DriveInfo | null;
}

/**
 * Resolves a drive folder (or a mount point holding one) or a drive id (`SCELLE-` prefix
 * allowed). @throws ScelleError E_USAGE when it is neither; E_FORMAT_* when an existing
 * folder is not a valid drive.
 */
export function resolveDriveRef(ref: string, pinnedRoots: readonly Uint8Array[]): DriveRef {
  if (existsSync(ref)) {
    const info = loadDrive(ref, pinnedRoots).info;
    return { driveId: info.driveId, info };
  }
  const name = basename(ref);
  const id = name.startsWith(DRIVE_DIR_PREFIX) ? name.slice(DRIVE_DIR_PREFIX.length) : ref;
  if (!DRIVE_ID_RE.test(id)) throw new ScelleError('E_USAGE', `${ref} is neither a drive folder nor a drive id`, { reason: ref });
  return { driveId: id, info: null };
}

/**
 * Station keys this machine trusts when it verifies a chain locally: its own station key,
 * and the key of the drive's station when its manifest certificate chains to a pinned root.
 * Staff keys are not known locally (they are unknown-key until looked up on the service).
 */
export async function localChainTrust(info: DriveInfo | null, home: string = scelleHome()): Promise<ChainTrust> {
  const stations: string[] = [];
  const station = await loadStationIfPresent(home).catch(() => null);
  if (station) {
    stations.push(encodeBase64(station.publicKey));
    station.secretKey.fill(0);
  }
  if (info?.station.certified) stations.push(info.station.publicKey);
  return staticTrust({ stations });
}

let cachedVersion: string | null = null;

/** The name and version of this tool, for sanitization records (package.json's version). */
export function toolInfo(): { name: string; version: string } {
  if (cachedVersion === null) {
    cachedVersion = '0.0.0';
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 5; i++) {
      const p = join(dir, 'package.json');
      if (existsSync(p)) {
        try {
          const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
          if (pkg.name === 'scelle' && typeof pkg.version === 'string') {
            cachedVersion = pkg.version;
            break;
          }
        } catch {
          /* keep looking */
        }
      }
      dir = dirname(dir);
    }
  }
  return { name: 'Scellé CLI (scelle erase)', version: cachedVersion };
}
