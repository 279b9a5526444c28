/**
 * The engine host: how the main side reaches the engine. The app runs the engine in an Electron
 * utility process (bulk crypto, file I/O and erase never on the main process, and a stuck job
 * can be killed without the window); the e2e harness runs the same engine-worker.js in a worker
 * thread; handler unit tests run the dispatcher in-process. All speak engine-protocol.ts.
 */
import type { Progress } from '../../shared/engine/api.js';
import { fromErrorData, ScelleError } from '../../shared/errors/scelle-error.js';
import { workerThreadChannel, type EngineChannel, type EngineChannelFactory } from './engine-channel.js';
import { decodeRoots, EngineDispatcher, toErrorDto } from './engine-dispatcher.js';
import type { EngineAnswers, EngineCall, EngineErrorDto, HostMessage, SealHooks, SetJobEvent, WorkerMessage } from './engine-protocol.js';
import type { EnginePort } from './engine-port.js';

/** Receives progress of running jobs. */
export type ProgressListener = (jobId: string, progress: Progress) => void;

/** A place where engine calls run. */
export interface EngineHost {
  /** Runs a call; rejects with a ScelleError. `hooks` serve a set seal: the next drive is asked of them, members started and sealed told to them. */
  call<C extends EngineCall>(call: C, hooks?: SealHooks): Promise<EngineAnswers[C['op']]>;
  /** Asks job `jobId` to stop; resolves to true when it was running. */
  cancel(jobId: string): Promise<boolean>;
  /** Stops the host: stops jobs, closes every session (indexes closed, keys zeroed), ends the engine. */
  close(): Promise<void>;
}

/** Rebuilds a ScelleError from its DTO (unknown codes become E_INTERNAL). */
export const fromErrorDto: (dto: EngineErrorDto) => ScelleError = fromErrorData;

/** Runs the engine on the calling thread (tests, e2e harness). */
export class InProcessEngineHost implements EngineHost {
  private readonly dispatcher: EngineDispatcher;

  constructor(engine: () => Promise<EnginePort>, onProgress: ProgressListener, pinnedRoots: readonly string[] = []) {
    this.dispatcher = new EngineDispatcher(engine, onProgress, decodeRoots(pinnedRoots));
  }

  async call<C extends EngineCall>(call: C, hooks: SealHooks = {}): Promise<EngineAnswers[C['op']]> {
    try {
      return await this.dispatcher.run(call, hooks);
    } catch (e) {
      throw fromErrorDto(toErrorDto(e));
    }
  }

  async cancel(jobId: string): Promise<boolean> {
    return this.dispatcher.cancel(jobId);
  }

  async close(): Promise<void> {
    this.dispatcher.closeAll();
  }
}

/** How long `close` waits for the engine to close its sessions before ending it anyway. */
export const CLOSE_GRACE_MS = 2000;
/** How long a cancelled job has to stop by itself before its engine is killed and restarted. */
export const CANCEL_GRACE_MS = 3000;
/** Engines started at once after an unasked end, at most, per {@link RESTART_WINDOW_MS} (then at the next call). */
export const MAX_EAGER_RESTARTS = 3;
/** See {@link MAX_EAGER_RESTARTS}. */
export const RESTART_WINDOW_MS = 60_000;

/** Why a supervised engine ended without being asked to. */
export type EngineRestartReason = 'crash' | 'stuck-cancel';

/** Options of {@link SupervisedEngineHost}. */
export interface SupervisedEngineOptions {
  /** base64 Ed25519 provider roots the engine pins. */
  pinnedRoots?: readonly string[];
  /** Another engine module for the engine to load (tests only; the app never sets it). */
  engineUrl?: string;
  /** See {@link CANCEL_GRACE_MS}. */
  cancelGraceMs?: number;
  /** See {@link CLOSE_GRACE_MS}. */
  closeGraceMs?: number;
  /**
   * Told when an engine ended on its own (`crash`, with the exit reason) or was killed because a
   * cancelled job did not stop (`stuck-cancel`). A new engine is then started.
   */
  onRestart?: (reason: EngineRestartReason, detail: string) => void;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  jobId: string | null;
  hooks: SealHooks;
}

/** One started engine and the calls it owes answers to. */
interface RunningEngine {
  channel: EngineChannel;
  pending: Map<number, PendingCall>;
  /** Set once the host decided to end it (close or a stuck cancel): its exit is no crash. */
  ending: boolean;
  onClosed: (() => void) | null;
}

/**
 * Runs the engine out of the caller's thread, through `start` (an Electron utility process in
 * the app, a worker thread elsewhere), and keeps it running:
 * - it is started at the first call;
 * - when it ends on its own (a crash), its pending calls fail with E_INTERNAL and `onRestart`
 *   is told; unlocked sessions are lost with it (the user unlocks again);
 * - `cancel` asks the job to stop; when it has not stopped after `cancelGraceMs` (a stuck or
 *   hostile operation, or a synchronous one), the engine is killed: the cancelled job fails with
 *   E_CANCELLED and the other calls it was running with E_INTERNAL;
 * - after either, a new engine is started at once, at most {@link MAX_EAGER_RESTARTS} times per
 *   {@link RESTART_WINDOW_MS} (an engine that keeps crashing is then started only by the next
 *   call); after `close`, only by the next call.
 */
export class SupervisedEngineHost implements EngineHost {
  private running: RunningEngine | null = null;
  private nextId = 1;
  /** When engines were started after an unasked end (for the crash-loop limit). */
  private restarts: number[] = [];

  constructor(
    private readonly start: EngineChannelFactory,
    private readonly onProgress: ProgressListener,
    private readonly options: SupervisedEngineOptions = {},
  ) {}

  /** True while an engine is running (for tests and diagnostics). */
  get isRunning(): boolean {
    return this.running !== null;
  }

  private ensure(): RunningEngine {
    if (this.running) return this.running;
    const engine: RunningEngine = { channel: null as unknown as EngineChannel, pending: new Map(), ending: false, onClosed: null };
    engine.channel = this.start({
      onMessage: (m: WorkerMessage) => this.receive(engine, m),
      onExit: (reason) => this.ended(engine, reason),
    });
    this.running = engine;
    const init: HostMessage = { kind: 'init', pinnedRoots: [...(this.options.pinnedRoots ?? [])], ...(this.options.engineUrl ? { engineUrl: this.options.engineUrl } : {}) };
    engine.channel.post(init);
    return engine;
  }

  private receive(engine: RunningEngine, m: WorkerMessage): void {
    if (m.kind === 'progress') {
      this.onProgress(m.jobId, m.progress);
      return;
    }
    if (m.kind === 'closed') {
      engine.onClosed?.();
      return;
    }
    if (m.kind === 'set') {
      this.setEvent(engine, m.jobId, m.event);
      return;
    }
    const p = engine.pending.get(m.callId);
    if (!p) return;
    engine.pending.delete(m.callId);
    if (m.kind === 'result') p.resolve(m.value);
    else p.reject(fromErrorDto(m.error));
  }

  /** A set seal's event: told to the job's hooks; a `next` request is answered once they resolve (an error when they reject or there are none). */
  private setEvent(engine: RunningEngine, jobId: string, event: SetJobEvent): void {
    const p = [...engine.pending.values()].find((x) => x.jobId === jobId);
    if (!p) return;
    if (event.type === 'started') p.hooks.onMemberStarted?.(event.member);
    if (event.type === 'sealed') p.hooks.onMemberSealed?.(event.member);
    if (event.type !== 'next') return;
    const ask = p.hooks.nextTarget;
    const answer = ask ? Promise.resolve().then(() => ask(event.request)) : Promise.reject(new ScelleError('E_USAGE', 'no one can attach the next drive'));
    answer.then(
      (target) => {
        if (!engine.ending && this.running === engine) engine.channel.post({ kind: 'nextTarget', jobId, target } satisfies HostMessage);
      },
      (e: unknown) => {
        if (!engine.ending && this.running === engine) engine.channel.post({ kind: 'nextTarget', jobId, error: toErrorDto(e) } satisfies HostMessage);
      },
    );
  }

  private ended(engine: RunningEngine, reason: string): void {
    if (this.running === engine) this.running = null;
    engine.onClosed?.();
    this.failAll(engine, () => new ScelleError('E_INTERNAL', 'the engine stopped unexpectedly; try again'));
    if (engine.ending) return;
    this.options.onRestart?.('crash', reason);
    this.restart();
  }

  /** Starts a new engine now unless one runs or the crash-loop limit is reached. */
  private restart(): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.running || this.restarts.length >= MAX_EAGER_RESTARTS) return;
    this.restarts.push(now);
    this.ensure();
  }

  private failAll(engine: RunningEngine, error: (p: PendingCall) => Error): void {
    const calls = [...engine.pending.values()];
    engine.pending.clear();
    for (const p of calls) p.reject(error(p));
  }

  call<C extends EngineCall>(call: C, hooks: SealHooks = {}): Promise<EngineAnswers[C['op']]> {
    const engine = this.ensure();
    const callId = this.nextId++;
    return new Promise((resolve, reject) => {
      engine.pending.set(callId, { resolve: resolve as (v: unknown) => void, reject, jobId: 'jobId' in call ? call.jobId : null, hooks });
      engine.channel.post({ kind: 'call', callId, call } satisfies HostMessage);
    });
  }

  async cancel(jobId: string): Promise<boolean> {
    const engine = this.running;
    if (!engine) return false;
    const isRunning = () => [...engine.pending.values()].some((p) => p.jobId === jobId);
    if (!isRunning()) return false;
    engine.channel.post({ kind: 'cancel', jobId } satisfies HostMessage);
    const timer = setTimeout(() => {
      if (engine.ending || !isRunning()) return;
      // The job did not stop: end the engine, and everything it was doing with it.
      engine.ending = true;
      if (this.running === engine) this.running = null;
      this.failAll(engine, (p) =>
        p.jobId === jobId
          ? new ScelleError('E_CANCELLED', 'the job was cancelled (the engine was restarted to stop it)')
          : new ScelleError('E_INTERNAL', 'the engine was restarted to stop a cancelled job; try again'),
      );
      engine.channel.kill();
      this.options.onRestart?.('stuck-cancel', `job ${jobId}`);
      this.restart();
    }, this.options.cancelGraceMs ?? CANCEL_GRACE_MS);
    timer.unref?.();
    return true;
  }

  async close(): Promise<void> {
    const engine = this.running;
    if (!engine) return;
    this.running = null;
    engine.ending = true;
    // Let the engine close its indexes and zero its keys, then end it.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.closeGraceMs ?? CLOSE_GRACE_MS);
      engine.onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      engine.channel.post({ kind: 'close' } satisfies HostMessage);
    });
    engine.onClosed = null;
    this.failAll(engine, () => new ScelleError('E_INTERNAL', 'the engine was closed'));
    engine.channel.kill();
  }
}

/**
 * The engine in a worker thread started from `workerUrl` (the compiled engine-worker.js), with
 * the supervision of {@link SupervisedEngineHost}: the e2e harness and the compiled-engine tests.
 */
export class WorkerEngineHost extends SupervisedEngineHost {
  constructor(workerUrl: URL, onProgress: ProgressListener, options: SupervisedEngineOptions = {}) {
    super(workerThreadChannel(workerUrl), onProgress, options);
  }
}
