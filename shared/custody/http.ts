/**
 * The minimal HTTP client surface the sync client needs, so that it can run over the global
 * fetch (default), over node:https with an extra trusted CA (a provider's private PKI), or
 * over a fake in tests.
 */
import { request as httpsRequest } from 'node:https';
import { ScelleError } from '../errors/scelle-error.js';

/** A request as the sync client issues it. */
export interface HttpRequest {
  method: 'GET' | 'POST';
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
