/**
 * The app's engine transport: engine-worker.js in an Electron utility process (a Node.js child
 * process that Electron starts and sandboxes like its own services). Killing it stops a stuck
 * job without touching the window. Needs Electron's main process; everything it plugs into
 * (engine-host.ts, engine-channel.ts) is tested in plain Node.
 */
import { fileURLToPath } from 'node:url';
import { utilityProcess } from 'electron';
import type { EngineChannelFactory } from './engine-channel.js';
import type { HostMessage, WorkerMessage } from './engine-protocol.js';

/** Starts `modulePath` (the compiled engine-worker.js) in a utility process per engine. */
export function utilityProcessChannel(moduleUrl: URL): EngineChannelFactory {
  return (events) => {
    const child = utilityProcess.fork(fileURLToPath(moduleUrl), [], { serviceName: 'Scellé engine', stdio: 'inherit' });
    let spawned = false;
    let ended = false;
    const queue: HostMessage[] = [];
    child.once('spawn', () => {
      spawned = true;
      for (const m of queue.splice(0)) child.postMessage(m);
    });
    child.on('message', (m: WorkerMessage) => {
      if (!ended) events.onMessage(m);
    });
    child.once('exit', (code: number) => {
      ended = true;
      events.onExit(`exit code ${code}`);
    });
    return {
      post: (m) => {
        if (ended) return;
        if (spawned) child.postMessage(m);
        else queue.push(m);
      },
      kill: () => {
        if (!ended) child.kill();
      },
    };
  };
}
