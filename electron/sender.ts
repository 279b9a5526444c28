/**
 * Which frames may call the IPC handlers: only the app's own pages. In the packaged app that
 * is the `app://scelle` origin; in the e2e harness, the harness's own http origin.
 */

/** The origin the packaged renderer is served from. */
export const APP_ORIGIN = 'app://scelle';

/** Returns a predicate accepting URLs whose origin is exactly one of `origins`. */
export function trustedSenders(origins: readonly string[]): (url: string) => boolean {
  const allowed = new Set(origins);
  return (url: string) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const origin = u.protocol === 'app:' ? `app://${u.host}` : u.origin;
    return allowed.has(origin);
  };
}
