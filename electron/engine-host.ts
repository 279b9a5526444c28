/**
 * The engine host: how the main side reaches the engine. The app runs the engine in a
 * worker thread (bulk crypto and file I/O never on the main thread); tests and the e2e
 * harness may run it in-process. Both speak the same calls (engine-protocol.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Progress } from '../shared/engine/api.js';
import { fromErrorData, ScelleError } from '../shared/errors/scelle-error.js';
import { decodeRoots, EngineDispatcher, toErrorDto } from './engine-dispatcher.js';
import type { EngineAnswers, EngineCall, EngineErrorDto, HostMessage, WorkerMessage } from './engine-protocol.js';
import type { EnginePort } from './engine-port.js';

/** Receives progress of running jobs. */
export type ProgressListener = (jobId: string, progress: Progress) => void;

/** A place where engine calls run. */
export interface EngineHost {
  /** Runs a call; rejects with a ScelleError. */
  call<C extends EngineCall>(call: C): Promise<EngineAnswers[C['op']]>;
  /** Asks job `jobId` to stop; resolves to true when it was running. */
  cancel(jobId: string): Promise<boolean>;
  /** Stops the host: stops jobs, closes every session (indexes closed, keys zeroed), ends the worker. */
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

  async call<C extends EngineCall>(call: C): Promise<EngineAnswers[C['op']]> {
    try {
      return await this.dispatcher.run(call);
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

/** How long `close` waits for the worker to close its sessions before ending it anyway. */
const CLOSE_GRACE_MS = 2000;

/**
 * Runs the engine in a worker thread started from `workerUrl` (the compiled
 * engine-worker.js). If the worker dies, pending calls fail with E_INTERNAL and the next call
 * starts a new worker (its sessions are lost: the user unlocks again).
 */
export class WorkerEngineHost implements EngineHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private onClosed: (() => void) | null = null;

  /** `workerData` reaches the worker: `{ pinnedRoots: string[] (base64), engineUrl?: string }`. */
  constructor(private readonly workerUrl: URL, private readonly onProgress: ProgressListener, private readonly workerData: { pinnedRoots: string[]; engineUrl?: string } = { pinnedRoots: [] }) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerUrl, { workerData: this.workerData });
    w.on('message', (m: WorkerMessage) => {
      if (m.kind === 'progress') { this.onProgress(m.jobId, m.progress); return; }
      if (m.kind === 'closed') { this.onClosed?.(); return; }
      const p = this.pending.get(m.callId);
      if (!p) return;
      this.pending.delete(m.callId);
      if (m.kind === 'result') p.resolve(m.value);
      else p.reject(fromErrorDto(m.error));
    });
    const fail = () => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new ScelleError('E_INTERNAL', 'the engine stopped unexpectedly'));
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    this.worker = w;
    return w;
  }

  call<C extends EngineCall>(call: C): Promise<EngineAnswers[C['op']]> {
    const w = this.ensure();
    const callId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(callId, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ kind: 'call', callId, call } satisfies HostMessage);
    });
  }

  async cancel(jobId: string): Promise<boolean> {
    if (!this.worker) return false;
    this.worker.postMessage({ kind: 'cancel', jobId } satisfies HostMessage);
    return true;
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    // Let the worker close its indexes and zero its keys, then end it.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_GRACE_MS);
      this.onClosed = () => { clearTimeout(timer); resolve(); };
      w.once('exit', () => { clearTimeout(timer); resolve(); });
      w.postMessage({ kind: 'close' } satisfies HostMessage);
    });
    this.onClosed = null;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new ScelleError('E_INTERNAL', 'the engine was closed'));
    this.pending.clear();
    await w.terminate();
  }
}
