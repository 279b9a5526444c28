/**
 * A small JSON-over-HTTP(S) client for the custody service, with a custom CA, a bearer token
 * and a timeout. Every network failure is E_CUSTODY_SYNC (the UI says "offline, kept locally").
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ScelleError } from '../shared/errors/scelle-error.js';

/** Options of one request. */
export interface HttpJsonOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string | null;
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | null;
  timeoutMs?: number;
}

/** Sends a request and parses the JSON answer. Errors: E_CUSTODY_SYNC (unreachable, timeout, non-2xx, bad JSON). */
export function httpJson(url: string, opts: HttpJsonOptions = {}): Promise<unknown> {
  const u = new URL(url);
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body) { headers['content-type'] = 'application/json'; headers['content-length'] = String(body.length); }
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: opts.method ?? 'GET', headers, timeout: opts.timeoutMs ?? 8000, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new ScelleError('E_CUSTODY_SYNC', 'the custody service answered something that is not JSON', { status }));
          return;
        }
        if (status < 200 || status >= 300) {
          const code = (json as { error?: { code?: unknown } })?.error?.code;
          reject(new ScelleError('E_CUSTODY_SYNC', `the custody service refused the request (${status})`, { status, ...(typeof code === 'string' ? { serviceCode: code } : {}) }));
          return;
        }
        resolve(json);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new ScelleError('E_CUSTODY_SYNC', 'the custody service cannot be reached', { reason: (e as NodeJS.ErrnoException).code ?? 'network' }, { cause: e })));
    if (body) req.write(body);
    req.end();
  });
}
