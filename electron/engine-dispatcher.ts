/**
 * Runs engine calls where the engine lives (a worker thread in the app, the same thread in
 * tests): one AbortController per job for cancellation, progress routed by job id, and the
 * table of unlocked sessions. A session keeps, on this side only, the secret that opened the
 * drive, its data key and its index; callers get an opaque `s_…` id and forget it with `lock`
 * (which zeroes the data key). The data key also derives the customer's custody key, so
 * "received" and "opened" events are signed here without the key ever leaving.
 */
import { randomBytes } from 'node:crypto';
import { deriveCustomerKey } from '../shared/custody/customer-key.js';
import { signEvent } from '../shared/custody/event.js';
import type { DriveSecret, IndexEntry, Progress } from '../shared/engine/api.js';
import { ScelleError, isScelleError } from '../shared/errors/scelle-error.js';
import { countSources } from './count-sources.js';
import type { EngineAnswers, EngineCall, EngineErrorDto, SealOutcome } from './engine-protocol.js';
import { unlockWith, type EnginePort, type PinnedRoots } from './engine-port.js';
import { loadStationIdentity } from './station.js';

interface Session { driveDir: string; driveId: string; manifestSha256: string; secret: DriveSecret; dataKey: Uint8Array; entries: IndexEntry[] }

/** Turns anything thrown into a safe error DTO (unknown errors become E_INTERNAL without their text). */
export function toErrorDto(e: unknown): EngineErrorDto {
  if (isScelleError(e)) return { code: e.code, message: e.message, details: { ...e.details } };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'E_CANCELLED', message: 'cancelled', details: {} };
  return { code: 'E_INTERNAL', message: 'an unexpected error occurred in the engine', details: {} };
}

/** Decodes base64 root keys (invalid or wrong-length entries are dropped). */
export function decodeRoots(roots: readonly string[]): Uint8Array[] {
  return roots.map((r) => new Uint8Array(Buffer.from(r, 'base64'))).filter((k) => k.length === 32);
}

/** The dispatcher: `run` executes a call; `cancel` aborts a running job. */
export class EngineDispatcher {
  private readonly jobs = new Map<string, AbortController>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly engine: () => Promise<EnginePort>,
    private readonly onProgress: (jobId: string, p: Progress) => void,
    private readonly pinnedRoots: PinnedRoots = [],
  ) {}

  /** Aborts job `jobId`; true when it was running. */
  cancel(jobId: string): boolean {
    const c = this.jobs.get(jobId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** Number of open sessions (for tests and diagnostics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Executes one call. Errors are ScelleErrors (E_CANCELLED when aborted). */
  async run<C extends EngineCall>(call: C): Promise<EngineAnswers[C['op']]> {
    if (!('jobId' in call)) return (await this.runQuick(call)) as EngineAnswers[C['op']];
    if (this.jobs.has(call.jobId)) throw new ScelleError('E_USAGE', 'a job with this id is already running', { jobId: call.jobId });
    const controller = new AbortController();
    this.jobs.set(call.jobId, controller);
    try {
      const value = await this.runJob(call, controller.signal);
      if (controller.signal.aborted) throw new ScelleError('E_CANCELLED', 'the job was cancelled');
      return value as EngineAnswers[C['op']];
    } catch (e) {
      if (controller.signal.aborted && !isScelleError(e, 'E_CANCELLED')) throw new ScelleError('E_CANCELLED', 'the job was cancelled', {}, { cause: e });
      throw e;
    } finally {
      this.jobs.delete(call.jobId);
    }
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new ScelleError('E_USAGE', 'this drive is no longer unlocked; unlock it again', {});
    return s;
  }

  private async runQuick(call: Exclude<EngineCall, { jobId: string }>): Promise<unknown> {
    switch (call.op) {
      case 'inspect': return (await this.engine()).inspect(call.args.driveDir, this.pinnedRoots);
      case 'unlock': {
        const secret: DriveSecret = { kind: 'unlock-code', code: call.args.code };
        const u = await unlockWith(await this.engine(), call.args.driveDir, secret, this.pinnedRoots);
        const sessionId = `s_${randomBytes(18).toString('base64url')}`;
        this.sessions.set(sessionId, { driveDir: u.info.driveDir, driveId: u.info.driveId, manifestSha256: u.info.manifestSha256, secret, dataKey: u.dataKey, entries: u.entries });
        return { sessionId, driveId: u.info.driveId };
      }
      case 'lock': {
        const s = this.sessions.get(call.args.sessionId);
        s?.dataKey.fill(0);
        return { locked: this.sessions.delete(call.args.sessionId) };
      }
      case 'list': return { entries: this.session(call.args.sessionId).entries };
      case 'customerAuthor': {
        const s = this.session(call.args.sessionId);
        const k = deriveCustomerKey(s.dataKey, s.driveId);
        k.secretKey.fill(0);
        return { driveId: s.driveId, authorId: k.authorId, publicKey: k.publicKey, manifestSha256: s.manifestSha256 };
      }
      case 'customerSign': {
        const s = this.session(call.args.sessionId);
        const k = deriveCustomerKey(s.dataKey, s.driveId);
        try {
          if (call.args.event.driveId !== s.driveId || call.args.event.author.kind !== 'customer') throw new ScelleError('E_CUSTODY_SIGNATURE', 'only this drive’s customer events can be signed here', {});
          return signEvent(call.args.event, k.secretKey);
        } finally {
          k.secretKey.fill(0);
        }
      }
    }
  }

  private async runJob(call: Extract<EngineCall, { jobId: string }>, signal: AbortSignal): Promise<unknown> {
    const onProgress = (p: Progress) => this.onProgress(call.jobId, p);
    switch (call.op) {
      case 'count': {
        const started = Date.now();
        return countSources(call.args.paths, {
          signal,
          onCount: (c) => onProgress({ phase: 'scan', bytesDone: c.bytes, bytesTotal: 0, filesDone: c.files, filesTotal: 0, bytesPerSecond: c.bytes / Math.max(0.001, (Date.now() - started) / 1000), etaSeconds: null }),
        });
      }
      case 'seal': {
        const engine = await this.engine();
        const station = await loadStationIdentity(call.args.stationKeyFile);
        const r = await engine.seal({
          sources: call.args.sources,
          target: call.args.target,
          recipients: { unlockCode: call.args.unlockCode, x25519: call.args.x25519.map((k) => ({ label: k.label, publicKey: new Uint8Array(Buffer.from(k.publicKey, 'base64')) })) },
          station,
          ...(call.args.partPlaintextSize ? { partPlaintextSize: call.args.partPlaintextSize } : {}),
          signal,
          onProgress,
        });
        station.secretKey.fill(0);
        const out: SealOutcome = { driveId: r.driveId, driveDir: r.driveDir, manifestSha256: r.manifestSha256, files: r.files, bytes: r.bytes, parts: r.parts, customerPublicKey: r.customerPublicKey };
        if (r.unlockCode !== undefined) out.unlockCode = r.unlockCode;
        return out;
      }
      case 'verify': {
        const engine = await this.engine();
        const secret = call.args.sessionId ? this.session(call.args.sessionId).secret : undefined;
        const report = await engine.verify({ driveDir: call.args.driveDir, ...(secret ? { secret } : {}), pinnedRoots: this.pinnedRoots, signal, onProgress });
        const { customerKey, ...safe } = report;
        customerKey?.secretKey.fill(0);
        return safe;
      }
      case 'open': {
        const s = this.session(call.args.sessionId);
        const r = await (await this.engine()).open({
          driveDir: s.driveDir, secret: s.secret, dest: call.args.dest, pinnedRoots: this.pinnedRoots,
          ...(call.args.paths ? { paths: call.args.paths } : {}),
          ...(call.args.overwrite ? { overwrite: call.args.overwrite } : {}),
          signal, onProgress,
        });
        r.customerKey.secretKey.fill(0);
        return { files: r.files, bytes: r.bytes, verified: r.verified };
      }
    }
  }
}
