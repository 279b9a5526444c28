/**
 * The desktop side of custody, over shared/custody: every event is signed (by the station key,
 * or by the customer key through the engine host), appended to the local `CustodyStore`
 * journal (fsync'd) and left in its outbox; `CustodySyncClient` then pushes the outbox,
 * checking each signed receipt (service signature, event hash, Merkle inclusion) and that each
 * new checkpoint is consistent with the last one this station saw. Lookups check the receipts'
 * signatures, refresh the checkpoint and verify each chain locally with verifyChain.
 * Credentials and pinned service keys come from the enrolment file (see enrolment.ts,
 * docs/DESKTOP.md). Wire contract: docs/CUSTODY.md §5.
 */
import { readFile } from 'node:fs/promises';
import { verifyChain, type ChainReport, type ChainTrust, type KeyTrust } from '../shared/custody/chain-verify.js';
import { decodeBase64Strict, lineageOf, makeEvent, signEvent, type EventType, type SignedEvent } from '../shared/custody/event.js';
import { CustodyStore } from '../shared/custody/journal.js';
import { CustodySyncClient, type RemoteDrive, type SyncResult } from '../shared/custody/sync-client.js';
import { ScelleError, isScelleError } from '../shared/errors/scelle-error.js';
import type { CustodySetDto, CustodyTimelineDto } from '../shared/ipc/index.js';
import type { SetView } from '../shared/custody/set-view.js';
import type { CustodyPort, CustomerSigner, LookupKind, SettingsStore } from './ports.js';
import { renewalDue, renewStationCertificate } from '../shared/custody/station-renewal.js';
import { loadStationIdentity, saveStationIdentity } from './station.js';

/** Retry policy of the desktop: short, so that the UI answers within seconds when offline. */
export interface CustodyClientOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
}

/** Age after which the app rotates its custody tokens at the next successful sync (30 days). */
export const ROTATE_TOKENS_AFTER_MS = 30 * 86_400_000;

const DEFAULTS: Required<CustodyClientOptions> = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000, requestTimeoutMs: 8_000 };

/**
 * Turns a sync failure into the error the UI shows: unreachable after retries, timeouts and
 * 5xx/408/429 become E_CUSTODY_OFFLINE (events stay queued); refusals and failed checks stay
 * E_CUSTODY_SYNC.
 */
export function toCustodyError(e: unknown): unknown {
  if (!isScelleError(e, 'E_CUSTODY_SYNC')) return e;
  const status = typeof e.details['status'] === 'number' ? e.details['status'] : -1;
  if (e.details['network'] === true || status === 0 || status === 408 || status === 429 || status >= 500) {
    return new ScelleError('E_CUSTODY_OFFLINE', 'the custody service cannot be reached; events stay queued on this station', { status: Math.max(status, 0) }, { cause: e });
  }
  return e;
}

/**
 * Key trust for local verification of a looked-up chain. The station keys' enrolment registry
 * lives on the service (a station never sees the others' certificates), so a provider key is
 * trusted unless the service's own report (signed receipts prove which events it holds) flags
 * an event by that key as `unknown-key` or `revoked-key`. Everything else (signatures, links,
 * forks, gaps, customer keys, anchors) is verified here.
 */
export function trustFromServiceReport(events: readonly SignedEvent[], report: unknown): ChainTrust {
  const verdict = new Map<string, KeyTrust>();
  const problems = (report as { problems?: { code?: unknown; eventId?: unknown }[] } | null)?.problems;
  for (const p of Array.isArray(problems) ? problems : []) {
    const e = events.find((x) => x.id === p.eventId);
    if (!e || e.author.kind === 'customer') continue;
    if (p.code === 'revoked-key') verdict.set(e.author.publicKey, 'revoked');
    else if (p.code === 'unknown-key' && verdict.get(e.author.publicKey) !== 'revoked') verdict.set(e.author.publicKey, 'unknown');
  }
  return { isStationKeyTrusted: (pk) => verdict.get(pk) ?? 'trusted' };
}

/**
 * The set a looked-up drive belongs to, from the service's set views (GET /v1/drives `sets`), in
 * the shape the Support timeline shows; null for a drive sealed alone.
 */
export function setOfDrive(driveId: string, report: ChainReport, sets: readonly SetView[]): CustodySetDto | null {
  const own = report.set;
  const view = own ? sets.find((s) => s.setId === own.id) : undefined;
  if (!own || !view) return null;
  return {
    setId: view.setId,
    position: own.position,
    members: view.members,
    ok: view.ok,
    memberViews: view.memberViews.map((m) => ({
      position: m.position,
      driveId: m.driveId,
      state: m.state,
      carrier: m.shipment?.carrier ?? null,
      trackingNumber: m.shipment?.trackingNumber ?? null,
      incident: m.openIncident?.kind ?? null,
      chain: m.chain,
      anomalies: m.anomalies.length,
    })),
  };
}

/** Turns a looked-up drive and its local verification into the timeline the renderer shows (with its set when `sets` holds it). */
export function toTimeline(d: RemoteDrive, report: ChainReport, sets: readonly SetView[] = []): CustodyTimelineDto {
  const received = new Map(d.receipts.map((r) => [r.eventId, r.receivedAt]));
  const status = new Map(report.events.map((e) => [e.id, e.status]));
  const attestation = new Map(report.events.map((e) => [e.id, e.attestation]));
  const events = [...d.events].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
  const pick = (key: string) => [...new Set(events.map((e) => e.data[key]).filter((v): v is string => typeof v === 'string'))];
  const unreceipted = d.events.some((e) => !received.has(e.id));
  const problem =
    report.problems.find((p) => !['time-backwards', 'reordered'].includes(p.code))?.code ??
    (d.badReceipts > 0 || unreceipted ? 'bad-receipt' : null) ??
    report.anomalies[0]?.kind ??
    null;
  return {
    driveId: d.driveId,
    trackingNumbers: pick('trackingNumber'),
    orderRefs: pick('orderRef'),
    chainOk: report.ok && problem === null,
    chainProblem: problem,
    anomalies: report.anomalies.map((a) => ({ kind: a.kind, eventId: a.eventId, relatedEventId: a.relatedEventId })),
    set: setOfDrive(d.driveId, report, sets),
    events: events.map((e) => ({
      id: e.id,
      seq: e.seq,
      type: e.type,
      at: e.at,
      receivedAt: received.get(e.id) ?? null,
      author: { kind: e.author.kind, id: e.author.id },
      data: e.data,
      signatureOk: status.get(e.id) !== 'invalid',
      attestation: attestation.get(e.id) ?? null,
    })),
  };
}

/** CustodyPort over shared/custody: a CustodyStore journal in `journalDir` and the sync client. */
export class HttpCustodyClient implements CustodyPort {
  private store: Promise<CustodyStore> | null = null;
  private readonly options: Required<CustodyClientOptions>;

  constructor(
    private readonly settings: SettingsStore,
    private readonly journalDir: string,
    private readonly stationKeyFile: string,
    options: CustodyClientOptions = {},
    /** base64 provider root keys this build pins: a renewed certificate must chain to one of them. */
    private readonly pinnedRoots: readonly string[] = [],
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The journal, opened (and locked) on first use. */
  journal(): Promise<CustodyStore> {
    if (!this.store) {
      this.store = CustodyStore.open(this.journalDir);
      this.store.catch(() => {
        this.store = null;
      });
    }
    return this.store;
  }

  /** Closes the journal (releases its lock). */
  async close(): Promise<void> {
    const s = this.store;
    this.store = null;
    if (s) await (await s).close();
  }

  /**
   * A sync client for `role`. Errors: E_CUSTODY_SYNC `not-configured` (no address),
   * `not-enrolled` (no token or no pinned service key).
   */
  private async client(role: 'station' | 'support'): Promise<CustodySyncClient> {
    const s = await this.settings.get();
    if (!s.custodyUrl) throw new ScelleError('E_CUSTODY_SYNC', 'no custody service is configured', { reason: 'not-configured' });
    const secrets = await this.settings.secrets();
    const token = role === 'support' ? (secrets.supportToken ?? secrets.stationToken) : secrets.stationToken;
    if (!token || secrets.serviceKeys.length === 0) throw new ScelleError('E_CUSTODY_SYNC', 'this station is not enrolled with the custody service', { reason: 'not-enrolled' });
    let ca: string | undefined;
    if (s.custodyCaPath) {
      try {
        ca = await readFile(s.custodyCaPath, 'utf8');
      } catch (cause) {
        throw new ScelleError('E_CUSTODY_SYNC', 'the custody service CA file cannot be read', { reason: 'ca-unreadable' }, { cause });
      }
    }
    try {
      return new CustodySyncClient({
        baseUrl: s.custodyUrl,
        token,
        serviceKeys: secrets.serviceKeys,
        store: await this.journal(),
        ...(ca !== undefined ? { ca } : {}),
        ...this.options,
      });
    } catch (e) {
      if (isScelleError(e, 'E_USAGE')) throw new ScelleError('E_CUSTODY_SYNC', e.message, { reason: 'not-configured' }, { cause: e });
      throw e;
    }
  }

  /**
   * Looks drives up (support token), checks the receipts and the checkpoint's consistency,
   * and verifies each chain locally. Errors: E_CUSTODY_OFFLINE when unreachable,
   * E_CUSTODY_SYNC when refused, not configured or a check fails.
   */
  async lookup(kind: LookupKind, value: string): Promise<CustodyTimelineDto[]> {
    try {
      const client = await this.client('support');
      await client.refreshCheckpoint();
      const { drives, sets } = await client.lookup({ [kind]: value });
      return drives
        .filter((d) => d.events.length > 0)
        .map((d) => {
          const report = verifyChain(d.events, trustFromServiceReport(d.events, d.serviceVerification), {
            driveId: d.driveId,
            trustedTimes: new Map(d.receipts.map((r) => [r.eventId, r.receivedAt])),
          });
          return toTimeline(d, report, sets);
        });
    } catch (e) {
      throw toCustodyError(e);
    }
  }

  /**
   * Pushes the outbox now, then rotates the tokens when they are due (see rotateTokensIfDue) and
   * renews the station's certificate when it is due (see renewCertificateIfDue).
   * Errors: E_CUSTODY_OFFLINE (events stay queued), E_CUSTODY_SYNC.
   */
  async sync(): Promise<SyncResult> {
    let result: SyncResult;
    try {
      result = await (await this.client('station')).push();
    } catch (e) {
      throw toCustodyError(e);
    }
    // Best effort: a failed rotation is tried again at the next sync, long before expiry.
    await this.rotateTokensIfDue().catch(() => undefined);
    // Best effort too: the renewal window is a third of the certificate's life (10 days of 30),
    // and the sync runs every five minutes; a seal with an expired certificate is refused.
    await this.renewCertificateIfDue().catch(() => undefined);
    return result;
  }

  /**
   * Renews the station's certificate through the service (station token, request signed by the
   * station key) when it has expired or less than a third of its life remains, and stores the
   * new certificate with its issuing certificate in the station key file, once it is checked to
   * chain to a pinned root. A certificate without expiry or a local station is never renewed.
   * @returns true when the certificate was renewed.
   * @throws ScelleError E_STATION_RENEWAL (refused, or an answer that does not verify; the
   *   current certificate is kept), E_CUSTODY_SYNC / E_CUSTODY_OFFLINE, E_KEY_FILE.
   */
  async renewCertificateIfDue(now: Date = new Date()): Promise<boolean> {
    const station = await loadStationIdentity(this.stationKeyFile);
    try {
      if (!renewalDue(station.certificate, now)) return false;
      const roots = this.pinnedRoots.map((r) => decodeBase64Strict(r, 32)).filter((k): k is Uint8Array => k !== null);
      const answer = await renewStationCertificate(await this.client('station'), station, roots);
      await saveStationIdentity(this.stationKeyFile, { ...station, certificate: answer.certificate, issuingCertificate: answer.issuingCertificate });
      return true;
    } catch (e) {
      throw toCustodyError(e);
    } finally {
      station.secretKey.fill(0);
    }
  }

  /**
   * Replaces the station (and support) tokens by fresh ones from the service when they were
   * stored more than ROTATE_TOKENS_AFTER_MS ago (service tokens expire after 90 days by
   * default), and stores them sealed for the same origin. The service keeps the old tokens
   * valid for a few minutes, so a rotation interrupted before storing loses nothing durable.
   * @returns true when the tokens were rotated.
   * @throws ScelleError E_CUSTODY_SYNC / E_CUSTODY_OFFLINE when the service refuses or cannot be reached.
   */
  async rotateTokensIfDue(now: Date = new Date()): Promise<boolean> {
    const secrets = await this.settings.secrets();
    const issued = secrets.issuedAt ? Date.parse(secrets.issuedAt) : NaN;
    if (!secrets.stationToken || (Number.isFinite(issued) && now.getTime() - issued < ROTATE_TOKENS_AFTER_MS)) return false;
    const url = (await this.settings.get()).custodyUrl;
    if (!url) return false;
    try {
      const station = await (await this.client('station')).rotateToken();
      const support = secrets.supportToken ? await (await this.client('support')).rotateToken() : null;
      await this.settings.setSecrets({ stationToken: station.token, supportToken: support?.token ?? null, serviceKeys: secrets.serviceKeys, issuedAt: now.toISOString() }, url);
      return true;
    } catch (e) {
      throw toCustodyError(e);
    }
  }

  async record(input: { driveId: string; type: string; data: Record<string, unknown>; customer?: CustomerSigner }): Promise<{ eventId: string; synced: boolean }> {
    const store = await this.journal();
    const customer = input.customer;
    const next = store.nextEvent(input.driveId, customer ? 'customer' : 'provider');
    const position = { type: input.type as EventType, driveId: input.driveId, ...next };
    let event: SignedEvent;
    if (customer) {
      const data = next.seq === 0 ? { ...input.data, anchor: customer.anchor } : input.data;
      event = await customer.sign(makeEvent({ ...position, author: { kind: 'customer', id: customer.authorId, publicKey: customer.publicKey }, data: data as never }));
    } else {
      const station = await loadStationIdentity(this.stationKeyFile);
      try {
        event = signEvent(
          makeEvent({ ...position, author: { kind: 'station', id: station.id, publicKey: Buffer.from(station.publicKey).toString('base64') }, data: input.data as never }),
          station.secretKey,
        );
      } finally {
        station.secretKey.fill(0);
      }
    }
    if (lineageOf(event) !== (customer ? 'customer' : 'provider')) throw new ScelleError('E_CUSTODY_CHAIN', 'the event was signed for another lineage', {});
    await store.append(event);
    try {
      const r = await this.sync();
      return { eventId: event.id, synced: r.stored.includes(event.id) || r.duplicate.includes(event.id) };
    } catch (e) {
      // Queued: offline, not enrolled or refused. The event is in the journal's outbox and is
      // pushed with the next event or sync.
      if (isScelleError(e, 'E_CUSTODY_OFFLINE') || isScelleError(e, 'E_CUSTODY_SYNC')) return { eventId: event.id, synced: false };
      throw e;
    }
  }
}
