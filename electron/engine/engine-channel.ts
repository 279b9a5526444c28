/**
 * How the engine host reaches one running engine, whatever runs it: an Electron utility
 * process in the app (engine-utility-process.ts), a worker thread in the e2e harness and the
 * compiled-engine tests (here), a scripted fake in the host's unit tests. The host starts one
 * through a factory, talks to it with engine-protocol.ts messages, and is told once when it ends.
 */
import { Worker } from 'node:worker_threads';
import type { HostMessage, WorkerMessage } from './engine-protocol.js';

/** What a running engine reports to the host. */
export interface EngineChannelEvents {
  /** A message from the engine. */
  onMessage(message: WorkerMessage): void;
  /**
   * The engine has ended (crash, exit, or `kill`), called once. `reason` is for logs: an exit
   * code or an error name, never an error's text (it may quote paths).
   */
  onExit(reason: string): void;
}

/** One running engine, as the host drives it. */
export interface EngineChannel {
  /** Sends a message (in order; messages sent before the engine is up wait for it). */
  post(message: HostMessage): void;
  /** Ends the engine now, whatever it is doing; `onExit` follows. */
  kill(): void;
}

/** Starts one engine and wires its events. Throws only when nothing could be started. */
export type EngineChannelFactory = (events: EngineChannelEvents) => EngineChannel;

/**
 * Runs the engine in a worker thread of this process, started from `workerUrl` (the compiled
 * engine-worker.js): the CLI-side and test transport. `kill` terminates the thread.
 */
export function workerThreadChannel(workerUrl: URL): EngineChannelFactory {
  return (events) => {
    const worker = new Worker(workerUrl);
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      events.onExit(reason);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (!ended) events.onMessage(m);
    });
    worker.on('error', (e: Error) => end(`error ${e.name}`));
    worker.on('exit', (code) => end(`exit code ${code}`));
    return {
      post: (m) => {
        if (!ended) worker.postMessage(m);
      },
      kill: () => {
        void worker.terminate();
      },
    };
  };
}
