/**
 * Entry point of the engine, in an Electron utility process (the app) or a worker thread (the
 * e2e harness and tests): serves engine calls from the host over whichever port it was started
 * with. The first message is `init` (the pinned roots; `engineUrl` may name another engine
 * module, for tests).
 */
import { parentPort } from 'node:worker_threads';
import { fromErrorData, ScelleError } from '../../shared/errors/scelle-error.js';
import { decodeRoots, EngineDispatcher, toErrorDto } from './engine-dispatcher.js';
import { loadEngine, type EnginePort } from './engine-port.js';
import type { EngineCall, HostMessage, SealHooks, WorkerMessage } from './engine-protocol.js';

/** The engine's side of its link to the host. */
export interface EngineEndpoint {
  post(message: WorkerMessage): void;
  onMessage(listener: (message: HostMessage) => void): void;
}

/** Loads the engine module named by `init` (the real engine when none). */
export type EngineLoader = (engineUrl?: string) => Promise<EnginePort>;

const defaultLoader: EngineLoader = (engineUrl) => (engineUrl ? loadEngine(engineUrl) : loadEngine());

/**
 * Serves engine calls on `endpoint` until the process or thread ends. Calls that arrive before
 * `init` fail with E_INTERNAL; a second `init` is ignored.
 */
export function serveEngine(endpoint: EngineEndpoint, load: EngineLoader = defaultLoader): void {
  const send = (m: WorkerMessage) => endpoint.post(m);
  let dispatcher: EngineDispatcher | null = null;
  /** A job's question to the host (the next drive's folder) waiting for its answer. */
  const waiting = new Map<string, { resolve: (target: string) => void; reject: (e: Error) => void }>();
  /** The hooks of a job: its set events go to the host, and the next drive is asked of it. */
  const hooksFor = (call: EngineCall): SealHooks => {
    if (!('jobId' in call) || call.op !== 'seal') return {};
    const { jobId } = call;
    return {
      nextTarget: (request) =>
        new Promise<string>((resolve, reject) => {
          waiting.set(jobId, { resolve, reject });
          send({ kind: 'set', jobId, event: { type: 'next', request } });
        }),
      onMemberStarted: (member) => send({ kind: 'set', jobId, event: { type: 'started', member } }),
      onMemberSealed: (member) => send({ kind: 'set', jobId, event: { type: 'sealed', member } }),
    };
  };
  endpoint.onMessage((m) => {
    if (m.kind === 'init') {
      if (dispatcher) return;
      let loaded: Promise<EnginePort> | null = null;
      dispatcher = new EngineDispatcher(
        () => (loaded ??= load(m.engineUrl)),
        (jobId, progress) => send({ kind: 'progress', jobId, progress }),
        decodeRoots(m.pinnedRoots),
      );
      return;
    }
    if (!dispatcher) {
      if (m.kind === 'call') send({ kind: 'error', callId: m.callId, error: toErrorDto(new ScelleError('E_INTERNAL', 'the engine was not started')) });
      if (m.kind === 'close') send({ kind: 'closed' });
      return;
    }
    if (m.kind === 'cancel') {
      dispatcher.cancel(m.jobId);
      return;
    }
    if (m.kind === 'nextTarget') {
      const w = waiting.get(m.jobId);
      if (!w) return;
      waiting.delete(m.jobId);
      if ('target' in m) w.resolve(m.target);
      else w.reject(fromErrorData(m.error));
      return;
    }
    if (m.kind === 'close') {
      dispatcher.closeAll();
      send({ kind: 'closed' });
      return;
    }
    const call = m.call;
    dispatcher
      .run(call, hooksFor(call))
      .then(
        (value) => send({ kind: 'result', callId: m.callId, value }),
        (e: unknown) => send({ kind: 'error', callId: m.callId, error: toErrorDto(e) }),
      )
      .finally(() => {
        if ('jobId' in call) waiting.delete(call.jobId);
      });
  });
}

/** The port Electron gives a utility process (`process.parentPort`), as far as the engine uses it. */
interface UtilityParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** The endpoint this module was started with: a worker thread's port, a utility process's, or none. */
function startedEndpoint(): EngineEndpoint | null {
  if (parentPort) {
    const port = parentPort;
    return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', (m: HostMessage) => l(m)) };
  }
  const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (utility) return { post: (m) => utility.postMessage(m), onMessage: (l) => utility.on('message', (e) => l(e.data as HostMessage)) };
  return null;
}

const endpoint = startedEndpoint();
if (endpoint) serveEngine(endpoint);
