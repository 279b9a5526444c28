import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsFetchWithCa } from './http.js';

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
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
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
      req.on('data', (c: Buffer) => { body += c.toString(); });
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
