/**
 * Pushes the journal's outbox to the custody service and keeps the service honest:
 * every receipt's signature, event hash and Merkle inclusion are checked, and each new
 * checkpoint must be signed and consistent with the last one this machine recorded (so the
 * service cannot silently drop or rewrite events it acknowledged). HTTP API: docs/CUSTODY.md §5.
 */
import { renewalAnswerSchema, type RenewalAnswer, type RenewalRequest } from './renewal-request.js';
import { z } from 'zod';
import { ScelleError, isScelleError } from '../errors/scelle-error.js';
import { HEX_SHA256_RE } from './event-data.js';
import { parseSignedEvent, type SignedEvent } from './event.js';
import { httpsFetchWithCa, MAX_RESPONSE_BYTES, retryIdempotentOnReset, type FetchLike } from './http.js';
import type { CustodyStore, Rejection } from './journal.js';
import { leafHash, verifyConsistencyProof, verifyInclusionProof } from './merkle.js';
import { setViewSchema, type SetView } from './set-view.js';
import { parseCheckpoint, parseReceipt, verifyServiceSignature, type Checkpoint, type Receipt } from './receipt.js';

/** Configuration of a sync client. */
export interface SyncClientOptions {
  /** service base URL; must be https except for loopback hosts (localhost, 127.0.0.0/8, ::1) */
  baseUrl: string;
  /** bearer token (never logged, never put in an error) */
  token: string;
  /** base64 Ed25519 public keys of the service (current and previous, for rotation) */
  serviceKeys: readonly string[];
  store: CustodyStore;
  /** defaults to the global fetch, or to node:https with `ca` when `ca` is given */
  fetch?: FetchLike;
  /** extra CA certificate(s), PEM, that the service certificate chains to */
  ca?: string | Buffer;
  /** events per POST (default 100, the service's maximum) */
  batchSize?: number;
  /** attempts per request before giving up (default 6) */
  maxAttempts?: number;
  /** backoff base and cap in ms (defaults 500 and 30 000) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** per-request timeout in ms (default 30 000) */
  requestTimeoutMs?: number;
  /** seams for tests: sleeping and the uniform random in [0, 1) used for jitter */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** What one push did. */
export interface SyncResult {
  /** events newly stored by the service (receipt recorded) */
  stored: string[];
  /** events the service already had (receipt recorded) */
  duplicate: string[];
  /** events refused for good (recorded as rejections, never sent again) */
  rejected: Array<Omit<Rejection, 'recordedAt'>>;
  /** events the service could not judge yet (status `deferred`, or a transient rejection code): they stay pending */
  deferred: Array<{ eventId: string; code: string; message: string }>;
  /** events left in the outbox (deferred, or no result) */
  remaining: string[];
  /** the checkpoint recorded at the end, or null if nothing was pushed */
  checkpoint: Checkpoint | null;
  /** HTTP requests made, retries included */
  requests: number;
}

/** A drive as returned by GET /v1/drives, with events parsed and receipts checked. */
export interface RemoteDrive {
  driveId: string;
  events: SignedEvent[];
  /** receipts whose service signature verified */
  receipts: Receipt[];
  /** number of receipts dropped because their signature did not verify */
  badReceipts: number;
  /** the service's own verification report (informational: verify locally with verifyChain) */
  serviceVerification: unknown;
}

const hex64 = z.string().regex(HEX_SHA256_RE);
const postResponseSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      code: z.string().optional(),
      message: z.string().optional(),
      receipt: z.unknown().optional(),
    }),
  ),
  checkpoint: z.unknown(),
});
const consistencySchema = z.object({ proof: z.array(hex64) });
const rotatedTokenSchema = z.object({ token: z.string().regex(/^sct_[A-Za-z0-9_-]{43}$/), expiresAt: z.string().max(64) });
const inclusionSchema = z.object({ leafIndex: z.number().int().nonnegative(), proof: z.array(hex64) });
const remoteDriveSchema = z.object({ driveId: z.string(), events: z.array(z.unknown()), receipts: z.array(z.unknown()), verification: z.unknown() });
const drivesSchema = z.object({ drives: z.array(remoteDriveSchema), sets: z.array(setViewSchema).optional() });
const setSchema = z.object({ set: setViewSchema, drives: z.array(remoteDriveSchema) });

/**
 * Rejection codes that may resolve by themselves (the service lacks the lineage's predecessor
 * or the sealed event because another machine has not synced yet): such events stay pending
 * and are offered again at the next push instead of being recorded as rejected.
 */
export const TRANSIENT_REJECTION_CODES: readonly string[] = ['missing-genesis', 'gap'];

const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ScelleError('E_CANCELLED', 'sync cancelled'));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new ScelleError('E_CANCELLED', 'sync cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Capped exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^attempt)).
 * `attempt` counts from 0 for the first retry.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Thrown inside the retry loop for a failure worth retrying. */
class Retryable extends Error {
  constructor(
    readonly reason: string,
    readonly status: number | null,
  ) {
    super(reason);
  }
}

/** The client of the custody service for one local store. */
export class CustodySyncClient {
  private readonly base: URL;
  private readonly fetchFn: FetchLike;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private requests = 0;

  /**
   * @throws ScelleError E_USAGE when the URL is not https (except loopback), no service key is
   *   given, or no fetch is available.
   */
  constructor(private readonly opts: SyncClientOptions) {
    let u: URL;
    try {
      u = new URL(opts.baseUrl);
    } catch {
      throw new ScelleError('E_USAGE', 'invalid custody service URL');
    }
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
      throw new ScelleError('E_USAGE', 'the custody service must be reached over https', { url: u.origin });
    }
    if (opts.serviceKeys.length === 0) throw new ScelleError('E_USAGE', 'at least one service public key is required');
    this.base = u;
    const f = opts.fetch ?? (opts.ca !== undefined ? httpsFetchWithCa(opts.ca) : (globalThis.fetch as unknown as FetchLike | undefined));
    if (!f) throw new ScelleError('E_USAGE', 'no fetch implementation available');
    // A GET on a kept-alive connection the service just closed is resent at once (no backoff).
    this.fetchFn = retryIdempotentOnReset(f);
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
  }

  private url(path: string, query?: Record<string, string | number>): string {
    const u = new URL(path.replace(/^\//, ''), this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`);
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, String(v));
    return u.href;
  }

  /**
   * One request with retries: network errors, timeouts, 408, 429 and 5xx are retried with
   * capped exponential backoff and full jitter; other non-2xx answers stop at once.
   * @throws ScelleError E_CUSTODY_SYNC (details: status, serverCode, attempts) or E_CANCELLED.
   */
  private async request(method: 'GET' | 'POST', path: string, body?: unknown, query?: Record<string, string | number>, signal?: AbortSignal): Promise<unknown> {
    const maxAttempts = this.opts.maxAttempts ?? 6;
    const url = this.url(path, query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let last: Retryable | null = null;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) await this.sleep(backoffDelay(attempt - 1, this.opts.baseDelayMs ?? 500, this.opts.maxDelayMs ?? 30_000, this.random), signal);
      if (signal?.aborted) throw new ScelleError('E_CANCELLED', 'sync cancelled');
      try {
        return await this.once(method, url, payload, signal);
      } catch (e) {
        if (e instanceof Retryable) {
          last = e;
          continue;
        }
        throw e;
      }
    }
    throw new ScelleError('E_CUSTODY_SYNC', `custody service unavailable after ${maxAttempts} attempts: ${last?.reason ?? 'unknown'}`, {
      attempts: maxAttempts,
      status: last?.status ?? 0,
      network: last?.status === null,
    });
  }

  private async once(method: 'GET' | 'POST', url: string, payload: string | undefined, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.token}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    this.requests++;
    let status: number;
    let text: string;
    try {
      const res = await this.fetchFn(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}), signal: combined });
      status = res.status;
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw new ScelleError('E_CANCELLED', 'sync cancelled');
      throw new Retryable(timeout.aborted ? 'timeout' : `network error${e instanceof Error ? `: ${e.message}` : ''}`, null);
    }
    if (status === 408 || status === 429 || status >= 500) throw new Retryable(`HTTP ${status}`, status);
    if (status < 200 || status > 299) {
      let serverCode = '';
      try {
        const j = JSON.parse(text) as { error?: { code?: unknown } };
        if (typeof j.error?.code === 'string') serverCode = j.error.code.slice(0, 64);
      } catch {
        /* not JSON */
      }
      throw new ScelleError('E_CUSTODY_SYNC', `custody service refused the request (HTTP ${status}${serverCode ? `, ${serverCode}` : ''})`, { status, serverCode });
    }
    if (text.length > MAX_RESPONSE_BYTES) throw new ScelleError('E_CUSTODY_SYNC', 'custody service response too large', { status });
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ScelleError('E_CUSTODY_SYNC', 'custody service sent invalid JSON', { status }, { cause });
    }
  }

  private parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
    const r = schema.safeParse(json);
    if (!r.success) throw new ScelleError('E_CUSTODY_SYNC', `malformed ${what} from the custody service`, { what });
    return r.data;
  }

  /**
   * Checks that `cp` is signed by a service key and consistent with the last recorded
   * checkpoint (fetching a consistency proof), then records it. The first checkpoint a store
   * ever sees is trusted on its signature alone.
   * @throws ScelleError E_CUSTODY_SYNC on a bad signature, a smaller tree, a different root for
   *   the same size, or a consistency proof that does not verify (the service rewrote history).
   */
  async acceptCheckpoint(cp: Checkpoint, signal?: AbortSignal): Promise<Checkpoint> {
    if (!verifyServiceSignature(cp, this.opts.serviceKeys)) throw new ScelleError('E_CUSTODY_SYNC', 'checkpoint signature does not verify', { treeSize: cp.treeSize });
    const last = this.opts.store.lastCheckpoint();
    if (last) {
      if (cp.treeSize < last.treeSize)
        throw new ScelleError('E_CUSTODY_SYNC', 'the service tree shrank since the last checkpoint', { treeSize: cp.treeSize, lastTreeSize: last.treeSize });
      let proof: Uint8Array[] = [];
      if (cp.treeSize > last.treeSize && last.treeSize > 0) {
        const r = this.parse(
          consistencySchema,
          await this.request('GET', '/v1/proof/consistency', undefined, { from: last.treeSize, to: cp.treeSize }, signal),
          'consistency proof',
        );
        proof = r.proof.map(hexBytes);
      }
      if (!verifyConsistencyProof(last.treeSize, cp.treeSize, proof, hexBytes(last.rootHash), hexBytes(cp.rootHash))) {
        throw new ScelleError('E_CUSTODY_SYNC', 'the new checkpoint is not consistent with the last one', { treeSize: cp.treeSize, lastTreeSize: last.treeSize });
      }
    }
    await this.opts.store.recordCheckpoint(cp);
    return cp;
  }

  /**
   * Fetches the latest checkpoint and accepts it (see acceptCheckpoint). Run it even with an
   * empty outbox: it is what reveals dropped or rewritten events.
   * @throws ScelleError E_CUSTODY_SYNC, E_CANCELLED.
   */
  async refreshCheckpoint(signal?: AbortSignal): Promise<Checkpoint> {
    const cp = parseCheckpoint(await this.request('GET', '/v1/checkpoint', undefined, undefined, signal));
    return this.acceptCheckpoint(cp, signal);
  }

  /** Checks a receipt against the local event and the checkpoint, including Merkle inclusion. */
  private async checkReceipt(raw: unknown, eventId: string, cp: Checkpoint, signal?: AbortSignal): Promise<Receipt> {
    const r = parseReceipt(raw);
    const details = { eventId };
    if (r.eventId !== eventId) throw new ScelleError('E_CUSTODY_SYNC', 'receipt for another event', details);
    if (r.eventHash !== this.opts.store.hashOf(eventId)) throw new ScelleError('E_CUSTODY_SYNC', 'receipt names another event hash', details);
    if (!verifyServiceSignature(r, this.opts.serviceKeys)) throw new ScelleError('E_CUSTODY_SYNC', 'receipt signature does not verify', details);
    if (r.leafIndex >= cp.treeSize) throw new ScelleError('E_CUSTODY_SYNC', 'receipt leaf is outside the checkpoint', details);
    const inc = this.parse(inclusionSchema, await this.request('GET', '/v1/proof/inclusion', undefined, { hash: r.eventHash, treeSize: cp.treeSize }, signal), 'inclusion proof');
    if (inc.leafIndex !== r.leafIndex || !verifyInclusionProof(leafHash(r.eventHash), r.leafIndex, cp.treeSize, inc.proof.map(hexBytes), hexBytes(cp.rootHash))) {
      throw new ScelleError('E_CUSTODY_SYNC', 'event not included in the checkpoint tree', details);
    }
    return r;
  }

  /**
   * Pushes every pending event, in batches, idempotently by event id. Per batch: the answer's
   * checkpoint is accepted (signed, consistent), every receipt is checked (signature, event
   * hash, inclusion) before it is recorded, and rejected events are recorded as rejections so
   * they leave the outbox, except transient ones (TRANSIENT_REJECTION_CODES or status
   * `deferred`), which stay pending like events without an answer.
   * Safe to interrupt at any point: rerunning gets `duplicate` answers with the same receipts.
   * @throws ScelleError E_CUSTODY_SYNC when the service is unreachable after retries, refuses
   *   the request (4xx), answers malformed data or fails a check (nothing of that batch is
   *   recorded then); E_CANCELLED when `signal` aborts; E_CUSTODY_JOURNAL on local I/O failure.
   */
  async push(signal?: AbortSignal): Promise<SyncResult> {
    this.requests = 0;
    const result: SyncResult = { stored: [], duplicate: [], rejected: [], deferred: [], remaining: [], checkpoint: null, requests: 0 };
    const pending = this.opts.store.pending();
    const size = Math.max(1, Math.min(this.opts.batchSize ?? 100, 100));
    try {
      for (let i = 0; i < pending.length; i += size) {
        const batch = pending.slice(i, i + size);
        const ids = new Set(batch.map((e) => e.id));
        const res = this.parse(postResponseSchema, await this.request('POST', '/v1/events', { events: batch }, undefined, signal), 'response to POST /v1/events');
        const cp = parseCheckpoint(res.checkpoint);
        const receipts: Receipt[] = [];
        const rejections: Array<Omit<Rejection, 'recordedAt'>> = [];
        const answered = new Set<string>();
        const stored: string[] = [];
        const duplicate: string[] = [];
        const deferred: SyncResult['deferred'] = [];
        // check everything before recording anything
        if (!verifyServiceSignature(cp, this.opts.serviceKeys)) throw new ScelleError('E_CUSTODY_SYNC', 'checkpoint signature does not verify', { treeSize: cp.treeSize });
        for (const item of res.results) {
          if (!ids.has(item.id) || answered.has(item.id)) continue;
          if (item.status === 'stored' || item.status === 'duplicate') {
            receipts.push(await this.checkReceipt(item.receipt, item.id, cp, signal));
            (item.status === 'stored' ? stored : duplicate).push(item.id);
            answered.add(item.id);
          } else if (item.status === 'rejected' || item.status === 'deferred') {
            const r = { eventId: item.id, code: (item.code ?? item.status).slice(0, 64), message: (item.message ?? '').slice(0, 500) };
            if (item.status === 'deferred' || TRANSIENT_REJECTION_CODES.includes(r.code)) deferred.push(r);
            else rejections.push(r);
            answered.add(item.id);
          }
        }
        await this.acceptCheckpoint(cp, signal);
        await this.opts.store.recordReceipts(receipts);
        await this.opts.store.recordRejections(rejections);
        result.stored.push(...stored);
        result.duplicate.push(...duplicate);
        result.rejected.push(...rejections);
        result.deferred.push(...deferred);
        const deferredIds = new Set(deferred.map((d) => d.eventId));
        result.remaining.push(...batch.filter((e) => !answered.has(e.id) || deferredIds.has(e.id)).map((e) => e.id));
        result.checkpoint = cp;
      }
    } finally {
      result.requests = this.requests;
    }
    return result;
  }

  /**
   * Rotates this client's token (POST /v1/tokens/rotate): the service issues a new token with
   * the same role and subject and lets the current one expire shortly (docs/SERVER.md). The
   * caller must store the new token (bound to this service's origin) and use it from now on;
   * this client keeps the old one.
   * @throws ScelleError E_CUSTODY_SYNC (refused, e.g. HTTP 401 for an expired token, or a
   *   malformed answer), E_CANCELLED.
   */
  async rotateToken(signal?: AbortSignal): Promise<{ token: string; expiresAt: string }> {
    const r = this.parse(rotatedTokenSchema, await this.request('POST', '/v1/tokens/rotate', {}, undefined, signal), 'rotated token');
    return { token: r.token, expiresAt: r.expiresAt };
  }

  /**
   * Asks the service for a new station certificate (`POST /v1/stations/renew`) with a request
   * signed by the station key (renewal-request.ts). The answer is only parsed: the caller must
   * verify it chains to a pinned root before using it.
   * @throws ScelleError E_CUSTODY_SYNC (a refusal's `details.serverCode`: forbidden, bad-proof,
   *   unknown-station, station-revoked, no-issuing-key, issuing-expired, issuing-revoked), E_CANCELLED.
   */
  async renewCertificate(request: RenewalRequest, signal?: AbortSignal): Promise<RenewalAnswer> {
    return this.parse(renewalAnswerSchema, await this.request('POST', '/v1/stations/renew', request, undefined, signal), 'renewed certificate');
  }

  /**
   * Looks drives up by tracking number, order reference or drive id (exactly one).
   * Events are parsed (a malformed one is an error); receipts whose service signature fails
   * are dropped and counted. Verify the chain locally with verifyChain.
   * @throws ScelleError E_USAGE when not exactly one criterion is given; E_CUSTODY_SYNC, E_CANCELLED.
   */
  async lookupDrives(query: { tracking?: string; order?: string; drive?: string }, signal?: AbortSignal): Promise<RemoteDrive[]> {
    return (await this.lookup(query, signal)).drives;
  }

  /**
   * lookupDrives, with the view of each sealed set a drive found is a member of (`sets`, the
   * service's own views: informational, as `serviceVerification`; set-view.ts rebuilds one from
   * verified chains). Support finds a whole set by any member's tracking number this way.
   * @throws ScelleError E_USAGE when not exactly one criterion is given; E_CUSTODY_SYNC, E_CANCELLED.
   */
  async lookup(query: { tracking?: string; order?: string; drive?: string }, signal?: AbortSignal): Promise<{ drives: RemoteDrive[]; sets: SetView[] }> {
    const entries = Object.entries(query).filter(([, v]) => typeof v === 'string' && v.length > 0) as Array<[string, string]>;
    if (entries.length !== 1) throw new ScelleError('E_USAGE', 'look drives up by exactly one of tracking, order or drive');
    const res = this.parse(drivesSchema, await this.request('GET', '/v1/drives', undefined, Object.fromEntries(entries), signal), 'drive lookup');
    return { drives: this.remoteDrives(res.drives), sets: (res.sets ?? []) as SetView[] };
  }

  /**
   * A sealed set (GET /v1/sets/:setId): the service's view and the chain of every member it holds
   * (events parsed, receipts checked as in lookupDrives). Rebuild the view from locally verified
   * chains with buildSetView.
   * @throws ScelleError E_CUSTODY_SYNC (`details.status` 403 when the token may not read it, 404
   *   when the service knows no such set), E_CANCELLED.
   */
  async lookupSet(setId: string, signal?: AbortSignal): Promise<{ view: SetView; drives: RemoteDrive[] }> {
    const res = this.parse(setSchema, await this.request('GET', `/v1/sets/${encodeURIComponent(setId)}`, undefined, undefined, signal), 'set lookup');
    return { view: res.set as SetView, drives: this.remoteDrives(res.drives) };
  }

  private remoteDrives(list: z.infer<typeof drivesSchema>['drives']): RemoteDrive[] {
    return list.map((d) => {
      let events: SignedEvent[];
      try {
        events = d.events.map(parseSignedEvent);
      } catch (cause) {
        throw new ScelleError('E_CUSTODY_SYNC', 'malformed event in drive lookup', { driveId: d.driveId.slice(0, 128) }, { cause });
      }
      const receipts: Receipt[] = [];
      let badReceipts = 0;
      for (const raw of d.receipts) {
        try {
          const r = parseReceipt(raw);
          if (verifyServiceSignature(r, this.opts.serviceKeys)) receipts.push(r);
          else badReceipts++;
        } catch (e) {
          if (!isScelleError(e)) throw e;
          badReceipts++;
        }
      }
      return { driveId: d.driveId, events, receipts, badReceipts, serviceVerification: d.verification };
    });
  }
}
