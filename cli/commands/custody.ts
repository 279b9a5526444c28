/**
 * `scelle custody show|verify|sync|lookup|config`: the chain of custody from the command line.
 *   show <driveId|drive folder>    timeline from the local journal merged with the service's copy
 *                                  when a service is configured and reachable, each event's
 *                                  verification status (verifyChain), customer attestation and sync
 *                                  state; offline, a chain without the provider lineage (a
 *                                  customer's machine) is "not yet known", not failing; for a
 *                                  member of a sealed set, its set and position and every member's
 *                                  state (the service's copy of the set, else this journal)
 *   verify <driveId|drive folder>  exit 3 when the chain has any problem, each as a sentence
 *   sync                           pushes the outbox (CustodySyncClient): stored / duplicate /
 *                                  refused / pending counts; offline → E_CUSTODY_OFFLINE (9),
 *                                  events stay queued
 *   lookup --tracking|--order|--drive   the service's view of matching drives, verified here, and
 *                                  of the sealed set of each member found (every member's state)
 *   config [--service …] [--token-file …] [--ca …] [--service-key …]   writes or shows
 *                                  `<scelleHome>/custody.json` (the token's *path*, never the token);
 *                                  a new service origin without a new token file drops the old one
 *   rotate-token                   replaces the token in its file by a fresh one from the service
 * The token file must be private (mode 0600, owned by the user: checkPrivateFile) and is used only
 * for the service origin it was configured with.
 * Service options may be given on each command or come from custody.json.
 * Local trust: this machine's station key and, when a drive folder is named, its station's key
 * if the manifest certificate chains to a pinned root (see localChainTrust).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalizeTrackingNumber } from '../../shared/carriers/index.js';
import { verifyChain, type ChainReport } from '../../shared/custody/chain-verify.js';
import { decodeBase64Strict, type SignedEvent } from '../../shared/custody/event.js';
import type { CustodyStore } from '../../shared/custody/journal.js';
import { CustodySyncClient } from '../../shared/custody/sync-client.js';
import { isScelleError, ScelleError } from '../../shared/errors/scelle-error.js';
import { checkPrivateFile } from '../../shared/format/private-file.js';
import { parse } from '../args.js';
import { loadPinnedRoots, scelleHome } from '../config.js';
import { custodyConfigPath, readCustodyConfig, type CustodyConfig } from '../custody-config.js';
import { storeRevocations } from '../station-trust.js';
import { renewIfDue } from '../station-renewal.js';
import { httpsFetchWithCa, retryIdempotentOnReset, type FetchLike } from '../../shared/custody/http.js';
import { eventTypeLabel, localChainTrust, resolveDriveRef, withCustodyStore } from '../custody.js';
import { printSetView, setViewOf } from '../custody-set.js';
import type { Output } from '../output.js';
import { t, type TextKey } from '../text.js';
import { counted } from '../plurals.js';

export { custodyConfigPath, readCustodyConfig, type CustodyConfig };

/** The options naming the custody service and how to reach it (every service subcommand, `scelle station renew`). */
export const SERVICE_OPTIONS = {
  service: { type: 'string' },
  'token-file': { type: 'string' },
  ca: { type: 'string' },
  'service-key': { type: 'string', multiple: true },
  attempts: { type: 'string' },
} as const;

/**
 * A service public key given as base64, as a file holding it, or as a file holding the JSON of
 * GET /v1/service-key. @throws ScelleError E_KEY_FILE when it is none of those.
 */
export function parseServiceKey(value: string): string {
  let text = value.trim();
  if (existsSync(value)) {
    text = readFileSync(value, 'utf8').trim();
    if (text.startsWith('{')) {
      try {
        text = String((JSON.parse(text) as { publicKey?: unknown }).publicKey ?? '');
      } catch {
        /* checked below */
      }
    }
  }
  if (!decodeBase64Strict(text, 32))
    throw new ScelleError('E_KEY_FILE', 'not a base64 Ed25519 public key of the custody service', { path: value.slice(0, 200), problem: 'malformed' });
  return text;
}

/** The custody service settings a command uses, from its options and custody.json. */
export interface ServiceSettings {
  baseUrl: string;
  token: string;
  tokenFile: string;
  ca?: string;
  serviceKeys: string[];
  maxAttempts: number;
}

/**
 * The service settings from the options, else custody.json.
 * @throws ScelleError E_USAGE (no service, token or service key), E_KEY_FILE (token file not private or unreadable).
 */
export function serviceSettings(values: { service?: string; 'token-file'?: string; ca?: string; 'service-key'?: string[]; attempts?: string }): ServiceSettings {
  const cfg = readCustodyConfig();
  const baseUrl = values.service ?? cfg.service;
  if (!baseUrl) throw new ScelleError('E_USAGE', 'no custody service: give --service <url> or run "scelle custody config"', { reason: '--service <url>' });
  const tokenFile = values['token-file'] ?? cfg.tokenFile;
  if (!tokenFile) throw new ScelleError('E_USAGE', 'no token: give --token-file <file> or run "scelle custody config"', { reason: '--token-file <f>' });
  // The configured token goes only to the origin it was configured for.
  if (values['token-file'] === undefined && originOf(baseUrl) !== (cfg.tokenOrigin ?? originOf(cfg.service ?? ''))) {
    throw new ScelleError(
      'E_USAGE',
      `the configured token is for ${cfg.tokenOrigin ?? cfg.service ?? 'another service'}, not ${originOf(baseUrl)}: give --token-file with a token issued for it`,
      { reason: '--token-file <f>' },
    );
  }
  let token: string;
  try {
    checkPrivateFile(tokenFile, statSync(tokenFile));
    token = (readFileSync(tokenFile, 'utf8').split(/\r?\n/)[0] ?? '').trim();
  } catch (e) {
    if (isScelleError(e)) throw e;
    throw new ScelleError('E_KEY_FILE', `cannot read ${tokenFile}`, { path: tokenFile, problem: 'unreadable' });
  }
  if (!token) throw new ScelleError('E_KEY_FILE', `${tokenFile} is empty`, { path: tokenFile, problem: 'empty' });
  const caFile = values.ca ?? cfg.ca;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch {
      throw new ScelleError('E_KEY_FILE', `cannot read ${caFile}`, { path: caFile, problem: 'unreadable' });
    }
  }
  const serviceKeys = values['service-key']?.length ? values['service-key'].map(parseServiceKey) : (cfg.serviceKeys ?? []).map(parseServiceKey);
  if (serviceKeys.length === 0)
    throw new ScelleError('E_USAGE', 'no service key: give --service-key <key|file> or run "scelle custody config"', { reason: '--service-key <key|f>' });
  const maxAttempts = values.attempts === undefined ? 4 : Number(values.attempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20)
    throw new ScelleError('E_USAGE', '--attempts must be an integer from 1 to 20', { reason: '--attempts' });
  return { baseUrl, token, tokenFile, serviceKeys, maxAttempts, ...(ca !== undefined ? { ca } : {}) };
}

/** `scheme://host:port` of a URL, or '' when it is not one. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Replaces the token file's content: a private temp file, fsync'd, renamed over it. */
function replaceTokenFile(path: string, token: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

async function rotateTokenSub(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values } = parse(argv, SERVICE_OPTIONS);
  const settings = serviceSettings(values);
  return withCustodyStore(async (store) => {
    let rotated;
    try {
      rotated = await syncClient(settings, store).rotateToken(signal);
    } catch (e) {
      throw offlineOr(e, store.pending().length);
    }
    try {
      replaceTokenFile(settings.tokenFile, rotated.token);
    } catch (cause) {
      // The old token keeps working for a few minutes: nothing is lost if this is fixed now.
      throw new ScelleError('E_KEY_FILE', `cannot write ${settings.tokenFile}`, { path: settings.tokenFile, problem: 'not writable' }, { cause });
    }
    out.info(t(out.lang, 'tokenRotated', settings.tokenFile, rotated.expiresAt));
    out.emit({ event: 'result', command: 'custody rotate-token', tokenFile: settings.tokenFile, expiresAt: rotated.expiresAt });
    return 0;
  });
}

/** A sync client for `s` over `store`. */
export function syncClient(s: ServiceSettings, store: CustodyStore): CustodySyncClient {
  return new CustodySyncClient({ baseUrl: s.baseUrl, token: s.token, serviceKeys: s.serviceKeys, store, maxAttempts: s.maxAttempts, ...(s.ca !== undefined ? { ca: s.ca } : {}) });
}

/** Turns "unreachable after retries" into E_CUSTODY_OFFLINE with the number of queued events. */
export function offlineOr(e: unknown, pending: number): unknown {
  if (isScelleError(e, 'E_CUSTODY_SYNC') && e.details['attempts'] !== undefined) {
    return new ScelleError('E_CUSTODY_OFFLINE', e.message, { pending }, { cause: e });
  }
  return e;
}

function statusKey(s: 'ok' | 'warning' | 'invalid'): TextKey {
  return s === 'ok' ? 'statusOk' : s === 'warning' ? 'statusWarning' : 'statusInvalid';
}

/** One sentence per chain problem, in the user's language. */
export function problemSentence(out: Output, p: ChainReport['problems'][number], events: readonly SignedEvent[]): string {
  const e = p.eventId ? events.find((x) => x.id === p.eventId) : undefined;
  const lineage = p.lineage ? t(out.lang, p.lineage === 'customer' ? 'lineageCustomer' : 'lineageProvider') : '';
  const where = e ? `${eventTypeLabel(out.lang, e.type)} #${e.seq}, ${lineage}` : [lineage, p.seq !== null ? `#${p.seq}` : ''].filter(Boolean).join(' ');
  return t(out.lang, `cp_${p.code}` as TextKey, where || '—');
}

/** The sentence of a customer event's attestation (chain-verify.ts CustomerAttestation). */
export function attestationText(out: Output, a: NonNullable<ChainReport['events'][number]['attestation']>): string {
  return t(out.lang, `att_${a.replace('-', '_')}` as TextKey);
}

function printTimeline(out: Output, events: readonly SignedEvent[], report: ChainReport, syncState: (id: string) => TextKey | null): void {
  for (const s of report.events) {
    const e = events[s.index];
    if (!e) continue;
    const lineage = t(out.lang, s.lineage === 'customer' ? 'lineageCustomer' : 'lineageProvider');
    const sync = syncState(e.id);
    const attested = s.attestation ? ` · ${attestationText(out, s.attestation)}` : '';
    out.info(
      `  ${String(s.seq ?? '?').padStart(3)}  ${lineage.padEnd(11)} ${eventTypeLabel(out.lang, e.type).padEnd(9)} ${e.at}  ${e.author.id}  ${t(out.lang, statusKey(s.status))}${s.codes.length ? ` (${s.codes.join(', ')})` : ''}${attested}${sync ? ` · ${t(out.lang, sync)}` : ''}`,
    );
  }
}

/** The service settings from custody.json alone, or null when it names no complete service (never throws). */
function configuredService(): ServiceSettings | null {
  try {
    const cfg = readCustodyConfig();
    if (!cfg.service || !cfg.tokenFile || !cfg.serviceKeys?.length) return null;
    return serviceSettings({});
  } catch {
    return null;
  }
}

/** The service's copy of one drive merged into the local one. */
interface MergedChain {
  events: SignedEvent[];
  /** event id → service receive time (local receipts and the service's signed receipts) */
  trustedTimes: Map<string, string>;
  /** ids the service holds */
  fromService: Set<string>;
  /** `merged`: the service answered; `unreachable`: it did not; `none`: no service configured */
  service: 'merged' | 'unreachable' | 'none';
}

/**
 * The local events of a drive, merged with the service's copy (drive lookup) when a service is
 * configured: the service's events first (its order), then local ones it does not hold yet
 * (pending in the outbox). Never throws for an unreachable or refusing service: it says so.
 */
async function mergeWithService(store: CustodyStore, driveId: string, signal: AbortSignal): Promise<MergedChain> {
  const local = store.eventsForDrive(driveId);
  const trustedTimes = new Map<string, string>();
  for (const e of local) {
    const r = store.receiptFor(e.id);
    if (r) trustedTimes.set(e.id, r.receivedAt);
  }
  const settings = configuredService();
  if (!settings) return { events: [...local], trustedTimes, fromService: new Set(), service: 'none' };
  let remote;
  try {
    remote = (await syncClient({ ...settings, maxAttempts: Math.min(settings.maxAttempts, 2) }, store).lookupDrives({ drive: driveId }, signal)).find((d) => d.driveId === driveId);
  } catch (e) {
    if (!isScelleError(e)) throw e;
    return { events: [...local], trustedTimes, fromService: new Set(), service: 'unreachable' };
  }
  const fromService = new Set((remote?.events ?? []).map((e) => e.id));
  for (const r of remote?.receipts ?? []) trustedTimes.set(r.eventId, r.receivedAt);
  const events = [...(remote?.events ?? []), ...local.filter((e) => !fromService.has(e.id))];
  return { events, trustedTimes, fromService, service: 'merged' };
}

function printVerdict(out: Output, driveId: string, events: readonly SignedEvent[], report: ChainReport): void {
  if (report.ok) {
    out.info(t(out.lang, 'chainOk', driveId, counted(out.lang, 'eventsVerified', events.length)));
    return;
  }
  const listed = report.problems.length + report.anomalies.length;
  out.info(
    report.status === 'warning'
      ? t(out.lang, 'chainWarn', driveId, counted(out.lang, 'warnings', listed))
      : t(out.lang, 'chainBad', driveId, counted(out.lang, 'problems', listed)),
  );
  for (const p of report.problems) out.info(`  - ${problemSentence(out, p, events)}`);
  for (const a of report.anomalies) out.info(`  - ${anomalySentence(out, a, events)}`);
}

/** One sentence per custody anomaly (custody-state.ts), in the user's language. */
export function anomalySentence(out: Output, a: ChainReport['anomalies'][number], events: readonly SignedEvent[]): string {
  const e = events.find((x) => x.id === a.eventId);
  const lineage = e ? t(out.lang, e.author.kind === 'customer' ? 'lineageCustomer' : 'lineageProvider') : '';
  const where = e ? `${eventTypeLabel(out.lang, e.type)} #${e.seq}, ${lineage}` : a.eventId;
  return t(out.lang, `an_${a.kind.replaceAll('-', '_')}` as TextKey, where);
}

async function localChain(out: Output, ref: string, command: 'show' | 'verify', signal: AbortSignal): Promise<number> {
  const drive = resolveDriveRef(ref, await loadPinnedRoots());
  const trust = await localChainTrust(drive.info);
  return withCustodyStore(async (store) => {
    for (const r of store.recovery) out.warn(t(out.lang, 'chainRecovered', r.file, r.savedTo ?? '—'), 'journal-recovered');
    const merged = await mergeWithService(store, drive.driveId, signal);
    const { events, trustedTimes } = merged;
    if (merged.service === 'merged') out.info(t(out.lang, 'chainMergedService', counted(out.lang, 'events', merged.fromService.size)));
    if (merged.service === 'unreachable') out.warn(t(out.lang, 'chainServiceUnreachable'), 'custody-offline');
    if (events.length === 0) {
      if (command === 'verify') throw new ScelleError('E_CUSTODY_CHAIN', 'no custody events for this drive here', { reason: 'no-events', driveId: drive.driveId });
      out.info(t(out.lang, 'chainNoEvents', drive.driveId));
      out.emit({ event: 'result', command: `custody ${command}`, driveId: drive.driveId, events: [], report: null });
      return 0;
    }
    // Offline (or without a service), a customer's machine lacks the station's events: "not yet known".
    const report = verifyChain(events, trust, {
      driveId: drive.driveId,
      trustedTimes,
      checkOrder: merged.service !== 'merged',
      expectProviderLineage: merged.service === 'merged',
    });
    const pendingOnly = report.providerLineage === 'not-yet-known' && report.problems.length === 0 && report.anomalies.length === 0;
    const rejected = new Set(store.rejections().map((r) => r.eventId));
    const syncState = (id: string): TextKey => (store.receiptFor(id) || merged.fromService.has(id) ? 'syncedYes' : rejected.has(id) ? 'syncedRejected' : 'syncedPending');
    out.info(t(out.lang, 'chainHeader', drive.driveId, counted(out.lang, 'events', events.length)));
    printTimeline(out, events, report, syncState);
    // A member of a sealed set: which set and position, and every member's state.
    // (asked even when the drive lookup was refused: a station may read its own sets, not look drives up)
    const settings = merged.service === 'none' ? null : configuredService();
    const setView = report.set
      ? await setViewOf(
          report.set,
          drive.driveId,
          events,
          store,
          trust,
          settings ? (id) => syncClient({ ...settings, maxAttempts: Math.min(settings.maxAttempts, 2) }, store).lookupSet(id, signal) : null,
        )
      : null;
    if (report.set) printSetView(out, report.set, setView);
    if (pendingOnly) out.info(t(out.lang, 'chainProviderPending', drive.driveId));
    else printVerdict(out, drive.driveId, events, report);
    out.emit({
      event: 'result',
      command: `custody ${command}`,
      driveId: drive.driveId,
      ok: report.ok,
      status: report.status,
      providerLineage: report.providerLineage,
      customerAttestation: report.customerAttestation,
      service: merged.service,
      events: events.map((e, i) => ({
        ...e,
        verification: report.events[i]?.status ?? null,
        codes: report.events[i]?.codes ?? [],
        attestation: report.events[i]?.attestation ?? null,
        sync: syncState(e.id) === 'syncedYes' ? 'synced' : syncState(e.id) === 'syncedRejected' ? 'rejected' : 'pending',
      })),
      problems: report.problems.map((p) => ({ ...p, sentence: problemSentence(out, p, events) })),
      report,
      ...(report.set ? { set: setView ?? { setId: report.set.id, position: report.set.position, members: report.set.members } } : {}),
    });
    return command === 'verify' && !report.ok && !pendingOnly ? 3 : 0;
  });
}

/**
 * Fetches the provider's revocation list the service publishes (GET /v1/revocations, public)
 * and caches it (station-trust.ts). Returns its sequence, or null when the service publishes
 * none or it could not be had: a warning then, never a failed sync.
 */
async function refreshRevocations(s: ServiceSettings, out: Output, signal: AbortSignal): Promise<number | null> {
  try {
    const get: FetchLike = s.ca !== undefined ? httpsFetchWithCa(s.ca) : (url, init) => fetch(url, init);
    const res = await retryIdempotentOnReset(get)(new URL('/v1/revocations', s.baseUrl).href, { method: 'GET', headers: { accept: 'application/json' }, signal });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new ScelleError('E_CUSTODY_SYNC', `the revocation list answered HTTP ${res.status}`, { status: res.status });
    return storeRevocations(JSON.parse(await res.text()) as unknown, await loadPinnedRoots()).sequence;
  } catch (e) {
    out.warn(t(out.lang, 'revocationsNotRefreshed', isScelleError(e) ? e.code : 'E_CUSTODY_OFFLINE'), 'revocations-not-refreshed');
    return null;
  }
}

/**
 * Renews this station's certificate when it is within its renewal window (cli/station-renewal.ts).
 * Returns the new expiry, or null when nothing was due or it failed: a warning then, never a
 * failed sync (the current certificate is kept).
 */
async function renewCertificateIfDue(s: ServiceSettings, store: CustodyStore, out: Output, signal: AbortSignal): Promise<string | null> {
  try {
    // A refusal is final; a service that is down is tried twice, not for minutes.
    const renewed = await renewIfDue(syncClient({ ...s, maxAttempts: Math.min(s.maxAttempts, 2) }, store), { signal });
    if (renewed) out.info(t(out.lang, 'certificateRenewed', renewed.stationId, renewed.expiresAt.slice(0, 10)));
    return renewed?.expiresAt ?? null;
  } catch (e) {
    if (isScelleError(e, 'E_CANCELLED')) throw e;
    const problem = isScelleError(e) ? String(e.details['problem'] ?? e.code) : 'E_INTERNAL';
    out.warn(t(out.lang, 'certificateNotRenewed', problem), 'certificate-not-renewed');
    return null;
  }
}

async function syncSub(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values } = parse(argv, SERVICE_OPTIONS);
  const settings = serviceSettings(values);
  return withCustodyStore(async (store) => {
    const client = syncClient(settings, store);
    try {
      const res = await client.push(signal);
      const cp = res.checkpoint ?? (await client.refreshCheckpoint(signal));
      out.info(
        t(
          out.lang,
          'syncDone',
          counted(out.lang, 'eventsStored', res.stored.length),
          counted(out.lang, 'alreadyKnown', res.duplicate.length),
          counted(out.lang, 'refused', res.rejected.length),
          counted(out.lang, 'pending', store.pending().length),
        ),
      );
      for (const r of res.rejected) out.info(t(out.lang, 'syncRejectedLine', r.eventId, r.code, r.message));
      for (const d of res.deferred) out.info(t(out.lang, 'syncDeferredLine', d.eventId, d.code));
      out.info(t(out.lang, 'syncCheckpoint', counted(out.lang, 'events', cp.treeSize)));
      const revocations = await refreshRevocations(settings, out, signal);
      const renewed = await renewCertificateIfDue(settings, store, out, signal);
      out.emit({
        event: 'result',
        command: 'custody sync',
        revocations,
        certificateRenewed: renewed,
        stored: res.stored.length,
        duplicate: res.duplicate.length,
        rejected: res.rejected,
        deferred: res.deferred,
        pending: store.pending().length,
        treeSize: cp.treeSize,
        requests: res.requests,
      });
      return 0;
    } catch (e) {
      throw offlineOr(e, store.pending().length);
    }
  });
}

async function lookupSub(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { values } = parse(argv, { ...SERVICE_OPTIONS, tracking: { type: 'string' }, order: { type: 'string' }, drive: { type: 'string' } });
  const given = [values.tracking, values.order, values.drive].filter((v) => v !== undefined);
  if (given.length !== 1) throw new ScelleError('E_USAGE', 'lookup needs exactly one of --tracking, --order, --drive', { reason: '--tracking | --order | --drive' });
  const query =
    values.tracking !== undefined
      ? { tracking: normalizeTrackingNumber(values.tracking) }
      : values.order !== undefined
        ? { order: values.order }
        : { drive: values.drive as string };
  const settings = serviceSettings(values);
  const trust = await localChainTrust(null);
  return withCustodyStore(async (store) => {
    let drives;
    let sets;
    try {
      ({ drives, sets } = await syncClient(settings, store).lookup(query, signal));
    } catch (e) {
      throw offlineOr(e, store.pending().length);
    }
    if (drives.length === 0) out.info(t(out.lang, 'lookupNone'));
    const results = [];
    for (const d of drives) {
      const trustedTimes = new Map(d.receipts.map((r) => [r.eventId, r.receivedAt] as const));
      const report = verifyChain(d.events, trust, { driveId: d.driveId, trustedTimes, checkOrder: false });
      const serviceStatus = (d.serviceVerification as { status?: unknown } | null)?.status;
      const received = new Set(d.receipts.map((r) => r.eventId));
      out.info(
        t(
          out.lang,
          'lookupDrive',
          d.driveId,
          counted(out.lang, 'events', d.events.length),
          counted(out.lang, 'receiptsSigned', d.receipts.length),
          t(out.lang, statusKey(report.status)),
          typeof serviceStatus === 'string' ? serviceStatus : '—',
        ),
      );
      printTimeline(out, d.events, report, (id) => (received.has(id) ? 'syncedYes' : null));
      for (const p of report.problems) out.info(`  - ${problemSentence(out, p, d.events)}`);
      for (const a of report.anomalies) out.info(`  - ${anomalySentence(out, a, d.events)}`);
      // A set member: the whole set, whichever member's tracking number was asked (the service's view).
      const set = report.set ? sets.find((x) => x.setId === report.set!.id) : undefined;
      if (report.set) printSetView(out, report.set, set ? { ...set, source: 'service' } : null);
      results.push({
        driveId: d.driveId,
        events: d.events,
        receipts: d.receipts,
        badReceipts: d.badReceipts,
        localVerification: report,
        serviceStatus: typeof serviceStatus === 'string' ? serviceStatus : null,
      });
    }
    out.emit({ event: 'result', command: 'custody lookup', query, drives: results, sets });
    return 0;
  });
}

function configSub(argv: string[], out: Output): number {
  const { values } = parse(argv, { service: { type: 'string' }, 'token-file': { type: 'string' }, ca: { type: 'string' }, 'service-key': { type: 'string', multiple: true } });
  const home = scelleHome();
  const path = custodyConfigPath(home);
  const cfg = readCustodyConfig(home);
  const changed = values.service !== undefined || values['token-file'] !== undefined || values.ca !== undefined || values['service-key'] !== undefined;
  if (changed) {
    if (values.service !== undefined) {
      try {
        const u = new URL(values.service);
        if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      } catch {
        throw new ScelleError('E_USAGE', 'the custody service address must be an https:// URL', { reason: '--service <url>' });
      }
      const before = cfg.tokenOrigin ?? originOf(cfg.service ?? '');
      cfg.service = values.service;
      // A token is bound to the origin it was issued for: a new origin drops it.
      if (cfg.tokenFile !== undefined && values['token-file'] === undefined && before !== originOf(values.service)) {
        out.warn(t(out.lang, 'tokenDropped', cfg.tokenFile, originOf(values.service)));
        delete cfg.tokenFile;
        delete cfg.tokenOrigin;
      }
    }
    if (values['token-file'] !== undefined) {
      if (!existsSync(values['token-file'])) throw new ScelleError('E_KEY_FILE', `cannot read ${values['token-file']}`, { path: values['token-file'], problem: 'missing' });
      checkPrivateFile(values['token-file'], statSync(values['token-file']));
      cfg.tokenFile = resolve(values['token-file']);
      cfg.tokenOrigin = originOf(cfg.service ?? '');
    }
    if (values.ca !== undefined) {
      if (!existsSync(values.ca)) throw new ScelleError('E_KEY_FILE', `cannot read ${values.ca}`, { path: values.ca, problem: 'missing' });
      cfg.ca = resolve(values.ca);
    }
    if (values['service-key'] !== undefined) cfg.serviceKeys = values['service-key'].map(parseServiceKey);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(path, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
    out.info(t(out.lang, 'configDone', path));
  }
  out.info(
    t(
      out.lang,
      'configShow',
      cfg.service ?? t(out.lang, 'none'),
      cfg.tokenFile ?? t(out.lang, 'none'),
      cfg.ca ?? t(out.lang, 'none'),
      cfg.serviceKeys?.length ? cfg.serviceKeys.join(', ') : t(out.lang, 'none'),
    ),
  );
  out.emit({ event: 'result', command: 'custody config', path, config: cfg });
  return 0;
}

/**
 * Dispatches `scelle custody <sub>`; returns the exit code. Errors: E_USAGE (2);
 * E_CUSTODY_JOURNAL (8) when the local journal cannot be opened (a corrupt record names its
 * line); E_CUSTODY_OFFLINE (9) when the service is unreachable (events stay queued);
 * E_CUSTODY_SYNC (11) when it refuses or fails a check; E_KEY_FILE for unreadable token, CA
 * or key files. `verify` returns 3 when the chain has problems.
 */
export async function custodyCommand(argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'show':
    case 'verify': {
      const { positionals } = parse(rest, {});
      const ref = positionals[0];
      if (!ref) throw new ScelleError('E_USAGE', `custody ${sub} needs a drive id or drive folder`, { reason: '<driveId|drive>' });
      return localChain(out, ref, sub, signal);
    }
    case 'sync':
      return syncSub(rest, out, signal);
    case 'lookup':
      return lookupSub(rest, out, signal);
    case 'config':
      return configSub(rest, out);
    case 'rotate-token':
      return rotateTokenSub(rest, out, signal);
    default:
      throw new ScelleError('E_USAGE', 'custody needs show, verify, sync, lookup, config or rotate-token', { reason: 'custody show|verify|sync|lookup|config|rotate-token' });
  }
}
