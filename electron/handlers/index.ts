/**
 * The main-process IPC handlers, in plain Node: one entry point taking a transport-agnostic
 * message `{ channel, senderUrl, payload }`, which checks the sender, validates the payload
 * against shared/ipc, runs the call and answers an IpcResult envelope. Electron's ipcMain and
 * the e2e harness's HTTP bridge both call `handle`. Payloads are never logged.
 *
 * The channels are implemented per feature (settings.ts, drives.ts, engine.ts, custody.ts,
 * customer-keys.ts, carriers.ts, documents.ts); the sender check, the schema validation of requests and answers
 * and the error envelope stay here, so no feature can skip them.
 */
import { isScelleError } from '../../shared/errors/scelle-error.js';
import { eventChannels, invokeChannels, ipcFail, ipcOk, type EventChannel, type EventOf, type InvokeChannel, type IpcResult } from '../../shared/ipc/index.js';
import { PathGrants } from '../path-grants.js';
import { carrierHandlers } from './carriers.js';
import { createHandlerContext, type ChannelHandlers, type HandlerDeps } from './context.js';
import { custodyHandlers } from './custody.js';
import { customerKeyHandlers } from './customer-keys.js';
import { documentHandlers } from './documents.js';
import { drivesHandlers } from './drives.js';
import { engineHandlers } from './engine.js';
import { settingsHandlers } from './settings.js';

export type { HandlerDeps } from './context.js';

/** One IPC request as any transport delivers it. */
export interface IpcMessage {
  channel: string;
  /** URL of the frame that sent the request (Electron's senderFrame.url, or the harness page). */
  senderUrl: string;
  payload: unknown;
}

/** The handlers: `handle` answers one message; `grants` is exposed for tests. */
export interface Handlers {
  handle(message: IpcMessage): Promise<IpcResult<unknown>>;
  readonly grants: PathGrants;
}

const isChannel = (c: string): c is InvokeChannel => Object.prototype.hasOwnProperty.call(invokeChannels, c);

/**
 * Builds the handlers over `deps`. `handle` never throws: an unknown channel, an untrusted
 * sender or a request outside the contract answers E_IPC_INVALID; an answer outside the
 * contract or an unexpected failure answers E_INTERNAL; a ScelleError keeps its code.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const grants = new PathGrants();
  const ctx = createHandlerContext(deps, grants);
  // Every channel of the contract must be implemented by exactly one feature (checked by the type).
  const impl: ChannelHandlers<InvokeChannel> = {
    ...settingsHandlers(ctx),
    ...drivesHandlers(ctx),
    ...engineHandlers(ctx),
    ...custodyHandlers(ctx),
    ...customerKeyHandlers(ctx),
    ...carrierHandlers(ctx),
    ...documentHandlers(ctx),
  };

  const handle = async (message: IpcMessage): Promise<IpcResult<unknown>> => {
    if (!isChannel(message.channel)) return ipcFail('E_IPC_INVALID', 'unknown channel', {});
    if (!deps.isTrustedSender(message.senderUrl)) {
      deps.log?.(`ipc: refused ${message.channel} from an untrusted frame`);
      return ipcFail('E_IPC_INVALID', 'this window may not call the app', {});
    }
    const spec = invokeChannels[message.channel];
    const parsed = spec.request.safeParse(message.payload ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return ipcFail('E_IPC_INVALID', 'the request does not match the contract', { channel: message.channel, field: first ? first.path.join('.') : '' });
    }
    try {
      const value = await (impl[message.channel] as (r: unknown) => Promise<unknown>)(parsed.data);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        deps.log?.(`ipc: ${message.channel} produced an answer outside the contract`);
        return ipcFail('E_INTERNAL', 'the answer does not match the contract', { channel: message.channel });
      }
      return ipcOk(checked.data);
    } catch (e) {
      if (isScelleError(e)) {
        if (e.code === 'E_INTERNAL') deps.log?.(`ipc: ${message.channel} failed: ${e.message}`);
        return ipcFail(e.code, e.message, { ...e.details });
      }
      deps.log?.(`ipc: ${message.channel} failed unexpectedly: ${(e as Error)?.name ?? 'error'}`);
      return ipcFail('E_INTERNAL', 'an unexpected error occurred', {});
    }
  };

  return { handle, grants };
}

/** Checks an event payload against its schema before it is sent (used by emit implementations). */
export function checkEvent<E extends EventChannel>(channel: E, payload: unknown): EventOf<E> {
  return eventChannels[channel].parse(payload) as EventOf<E>;
}
