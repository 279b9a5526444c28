/**
 * Calls into the app's IPC handlers as the renderer at `origin` does, for the handler tests:
 * `call` returns the envelope; `value` returns its value and throws (naming the channel and
 * the error code) when the handler answered with an error. `world` is read at each call, so
 * the helpers can be made before the harness exists.
 */
import type { HarnessWorld } from '../e2e/harness-deps.js';

export function handlerCalls(world: () => HarnessWorld, origin: string) {
  const call = (channel: string, payload: unknown = {}, senderUrl = `${origin}/index.html`) => world().handlers.handle({ channel, senderUrl, payload });
  const value = async <T = Record<string, unknown>>(channel: string, payload: unknown = {}): Promise<T> => {
    const r = await call(channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };
  return { call, value };
}
