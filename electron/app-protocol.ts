/**
 * Resolves `app://scelle/<path>` requests to files of the built renderer, refusing anything
 * outside it. Pure Node so it is unit-tested; main.ts wires it to protocol.handle.
 */
import { extname, join, normalize, sep } from 'node:path';

/** Content types of the files Vite emits. */
export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The file for a request URL, or null when it is outside `root` or not the app's host. */
export function resolveAppFile(root: string, requestUrl: string, host = 'scelle'): { file: string; type: string } | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.host !== host) return null;
  let path = decodeURIComponent(u.pathname);
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0')) return null;
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return { file, type: MIME[extname(file)] ?? 'application/octet-stream' };
}
