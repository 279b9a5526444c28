/**
 * The API the preload exposes as `window.scelle`, typed from the channel table: channel
 * `engine.seal` is `scelle.engine.seal(request)`, answering an IpcResult envelope. Events are
 * received with `scelle.events.on('job.progress', listener)`, which returns an unsubscribe
 * function. This module has no runtime dependency but channel-names.ts, so the preload bundle
 * stays small and zod-free.
 */
import type { EventChannel, EventOf, InvokeChannel, RequestOf, ResponseOf } from './channels.js';
import type { IpcResult } from './envelope.js';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from './channel-names.js';

type NamespaceOf<C> = C extends `${infer N}.${string}` ? N : never;
type MethodOf<C, N extends string> = C extends `${N}.${infer M}` ? M : never;

/** The namespaced invoke functions, e.g. `drives.list`. */
export type ScelleInvokeApi = {
  readonly [N in NamespaceOf<InvokeChannel>]: {
    readonly [M in MethodOf<InvokeChannel, N>]: `${N}.${M}` extends infer C extends InvokeChannel ? (request: RequestOf<C>) => Promise<IpcResult<ResponseOf<C>>> : never;
  };
};

/** Subscription to main → renderer events. */
export interface ScelleEventsApi {
  /** Calls `listener` on each event of `channel` until the returned function is called. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void;
}

/** Everything the renderer can reach of the main process: `window.scelle`. */
export type ScelleApi = ScelleInvokeApi & { readonly events: ScelleEventsApi };

/** Sends one request on a channel and resolves to its envelope (never rejects for app errors). */
export type InvokeTransport = (channel: InvokeChannel, request: unknown) => Promise<IpcResult<unknown>>;
/** Subscribes to an event channel; returns an unsubscribe function. */
export type EventTransport = (channel: EventChannel, listener: (payload: unknown) => void) => () => void;

/**
 * Builds `window.scelle` over any transport (Electron's ipcRenderer in the preload, fetch in
 * the test harness). Unknown event channels are refused with a TypeError.
 */
export function buildScelleApi(invoke: InvokeTransport, subscribe: EventTransport): ScelleApi {
  const api: Record<string, Record<string, (request: unknown) => Promise<IpcResult<unknown>>>> = {};
  for (const channel of INVOKE_CHANNEL_NAMES) {
    const [ns, method] = channel.split('.') as [string, string];
    const group = (api[ns] ??= {});
    group[method] = (request: unknown) => invoke(channel, request ?? {});
  }
  const events: ScelleEventsApi = {
    on(channel, listener) {
      if (!(EVENT_CHANNEL_NAMES as readonly string[]).includes(channel)) throw new TypeError(`unknown event channel ${String(channel)}`);
      return subscribe(channel, listener as (payload: unknown) => void);
    },
  };
  return { ...api, events } as unknown as ScelleApi;
}
