/**
 * Runs engine calls where the engine lives (a worker thread in the app, the same thread in
 * tests): one AbortController per job for cancellation, progress routed by job id, and the
 * table of unlocked sessions. A session keeps the secret that opened the drive on this side
 * only; callers get an opaque `s_…` id and can forget it with `lock`.
 */
import { randomBytes } from 'node:crypto';
import type { DriveSecret, Progress } from '../shared/engine/api.js';
import { ScelleError, isScelleError } from '../shared/errors/scelle-error.js';
import { countSources } from './count-sources.js';
import type { EngineAnswers, EngineCall, EngineErrorDto, SealOutcome } from './engine-protocol.js';
import { collectEntries, type EnginePort } from './engine-port.js';
import { loadStationIdentity } from './station.js';

interface Session { driveDir: string; driveId: string; secret: DriveSecret; }

/** Turns anything thrown into a safe error DTO (unknown errors become E_INTERNAL without their text). */
export function toErrorDto(e: unknown): EngineErrorDto {
  if (isScelleError(e)) return { code: e.code, message: e.message, details: { ...e.details } };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'E_CANCELLED', message: 'cancelled', details: {} };
  return { code: 'E_INTERNAL', message: 'an unexpected error occurred in the engine', details: {} };
}

/** The dispatcher: `run` executes a call; `cancel` aborts a running job. */
export class EngineDispatcher {
  private readonly jobs = new Map<string, AbortController>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly engine: () => Promise<EnginePort>,
    private readonly onProgress: (jobId: string, p: Progress) => void,
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
      case 'inspect': return (await this.engine()).inspect(call.args.driveDir);
      case 'unlock': {
        const engine = await this.engine();
        const secret: DriveSecret = { kind: 'unlock-code', code: call.args.code };
        const info = await engine.inspect(call.args.driveDir);
        if (engine.unlock) await engine.unlock({ driveDir: call.args.driveDir, secret });
        else await collectEntries(await engine.list({ driveDir: call.args.driveDir, secret }));
        const sessionId = `s_${randomBytes(18).toString('base64url')}`;
        this.sessions.set(sessionId, { driveDir: call.args.driveDir, driveId: info.driveId, secret });
        return { sessionId, driveId: info.driveId };
      }
      case 'lock': return { locked: this.sessions.delete(call.args.sessionId) };
      case 'list': {
        const s = this.session(call.args.sessionId);
        return { entries: await collectEntries(await (await this.engine()).list({ driveDir: s.driveDir, secret: s.secret })) };
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
        const out: SealOutcome = { driveId: r.driveId, driveDir: r.driveDir, manifestSha256: r.manifestSha256, files: r.files, bytes: r.bytes, parts: r.parts };
        if (r.unlockCode !== undefined) out.unlockCode = r.unlockCode;
        return out;
      }
      case 'verify': {
        const engine = await this.engine();
        const secret = call.args.sessionId ? this.session(call.args.sessionId).secret : undefined;
        return engine.verify({
          driveDir: call.args.driveDir,
          ...(secret ? { secret } : {}),
          pinnedRoots: call.args.pinnedRoots.map((r) => new Uint8Array(Buffer.from(r, 'base64'))),
          signal,
          onProgress,
        });
      }
      case 'open': {
        const s = this.session(call.args.sessionId);
        const r = await (await this.engine()).open({
          driveDir: s.driveDir, secret: s.secret, dest: call.args.dest,
          ...(call.args.paths ? { paths: call.args.paths } : {}),
          ...(call.args.overwrite ? { overwrite: call.args.overwrite } : {}),
          signal, onProgress,
        });
        return { files: r.files, bytes: r.bytes, verified: r.verified };
      }
    }
  }
}
