/**
 * The minimal HTTP client surface the sync client needs, so that it can run over the global
 * fetch (default), over node:https with an extra trusted CA (a provider's private PKI), or
 * over a fake in tests.
 */
import { request as httpsRequest } from 'node:https';
import { ScelleError } from '../errors/scelle-error.js';

/** A request as the sync client issues it. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The part of a response the sync client reads. */
export interface HttpResponse {
  status: number;
  text(): Promise<string>;
}

/** A fetch-like function. The global `fetch` satisfies it. */
export type FetchLike = (url: string, init: HttpRequest) => Promise<HttpResponse>;

/** Largest response body read (16 MiB): a drive lookup can be large, a runaway server cannot. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A FetchLike over node:https that trusts only `ca` (PEM, one or more certificates; it
 * replaces the public root store, i.e. it pins the provider's PKI): the service's certificate
 * must chain to it. Chosen over an undici Agent because undici is not a dependency of this
 * project and node:https takes `ca` directly. Only https URLs are accepted. Network and TLS
 * failures reject with ScelleError E_CUSTODY_SYNC (`details.network = true`), like fetch.
 */
export function httpsFetchWithCa(ca: string | Buffer): FetchLike {
  return (url, init) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:') {
        reject(new ScelleError('E_CUSTODY_SYNC', 'a custom CA requires an https URL', { network: false }));
        return;
      }
      const req = httpsRequest(u, { method: init.method, headers: init.headers, ca, signal: init.signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text: () => Promise.resolve(body) });
        });
        res.on('error', (e) => reject(new ScelleError('E_CUSTODY_SYNC', 'network error', { network: true }, { cause: e })));
      });
      req.on('error', (e) => reject(new ScelleError('E_CUSTODY_SYNC', 'network error', { network: true }, { cause: e })));
      if (init.body !== undefined) req.write(init.body);
      req.end();
    });
}

/** Error codes and messages of a connection the server closed just as it was reused. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const STALE_MESSAGE = /socket hang up|other side closed|ECONNRESET/i;

/**
 * True when `e` (or one of its causes) says the connection was reset or closed under the
 * request: what a kept-alive connection gives when the server closed it just before reuse.
 */
export function isStaleConnectionError(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && STALE_CODES.has(code)) return true;
    const message = (cur as { message?: unknown }).message;
    if (typeof message === 'string' && STALE_MESSAGE.test(message)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Wraps a FetchLike so that an idempotent request (GET, PUT, DELETE) that fails because its
 * connection was reset or closed (isStaleConnectionError) is sent once more, at once, on a new
 * connection: a server closing an idle kept-alive connection just as the client reuses it is
 * not an outage. POST is never resent here (callers with idempotent POSTs retry with backoff),
 * nor a request whose signal is aborted; the second failure is returned as is.
 */
export function retryIdempotentOnReset(fetchFn: FetchLike): FetchLike {
  return async (url, init) => {
    try {
      return await fetchFn(url, init);
    } catch (e) {
      if (init.method === 'POST' || init.signal?.aborted || !isStaleConnectionError(e)) throw e;
      return fetchFn(url, init);
    }
  };
}
