import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { httpsFetchWithCa, isStaleConnectionError, retryIdempotentOnReset, type FetchLike } from './http.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

describe.skipIf(!hasOpenssl())('httpsFetchWithCa', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let ca: string;
  let otherCa: string;
  const seen: Array<{ method?: string; auth?: string; body: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scelle-tls-'));
    const pair = selfSigned(dir, 'service');
    ca = pair.cert;
    otherCa = selfSigned(dir, 'other').cert;
    server = createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method, auth: req.headers.authorization, body });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks TLS to a server whose certificate chains to the given CA', async () => {
    const res = await httpsFetchWithCa(ca)(url, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"events":[]}' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('{"ok":true}');
    expect(seen.at(-1)).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"events":[]}' });
  });

  it('fails (as a network error) when the certificate does not chain to the CA', async () => {
    await expect(httpsFetchWithCa(otherCa)(url, { method: 'GET', headers: {} })).rejects.toMatchObject({ code: 'E_CUSTODY_SYNC', details: { network: true } });
  });

  it('refuses plain http', async () => {
    await expect(httpsFetchWithCa(ca)(url.replace('https', 'http'), { method: 'GET', headers: {} })).rejects.toMatchObject({ code: 'E_CUSTODY_SYNC' });
  });
});

/**
 * A server that resets (TCP RST) the first `resets` connections once their request arrived,
 * then answers 200: what a client sees when it reuses a kept-alive connection the server has
 * just closed (the custody bench's ECONNRESET on its first lookup after a long fill).
 */
function resettingServer(resets: number): Promise<{ url: string; server: TcpServer; connections: () => number }> {
  let n = 0;
  const server = createTcpServer((socket) => {
    const mine = n++;
    socket.once('data', () => {
      if (mine < resets) socket.resetAndDestroy();
      else socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/checkpoint`, server, connections: () => n })),
  );
}

describe('retryIdempotentOnReset over the global fetch', () => {
  const f = retryIdempotentOnReset(globalThis.fetch as unknown as FetchLike);
  const servers: TcpServer[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('a GET reset by the server is sent once more and succeeds', async () => {
    const s = await resettingServer(1);
    servers.push(s.server);
    // without the wrapper the same request fails: the reset is real
    const bare = await (globalThis.fetch as unknown as FetchLike)(s.url, { method: 'GET', headers: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isStaleConnectionError(bare)).toBe(true);
    const s2 = await resettingServer(1);
    servers.push(s2.server);
    const r = await f(s2.url, { method: 'GET', headers: {} });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"ok":true}');
    expect(s2.connections()).toBe(2);
  });

  it('only once, and never a POST', async () => {
    const twice = await resettingServer(2);
    servers.push(twice.server);
    await expect(f(twice.url, { method: 'GET', headers: {} })).rejects.toSatisfy(isStaleConnectionError);
    expect(twice.connections()).toBe(2);
    const post = await resettingServer(1);
    servers.push(post.server);
    await expect(f(post.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).rejects.toSatisfy(isStaleConnectionError);
    expect(post.connections()).toBe(1);
  });

  it('recognizes resets by code or message through the cause chain, and nothing else', () => {
    expect(isStaleConnectionError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET', message: 'other side closed' } }))).toBe(true);
    expect(isStaleConnectionError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isStaleConnectionError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(false);
    expect(isStaleConnectionError(new Error('timeout'))).toBe(false);
  });
});
