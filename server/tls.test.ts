import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type CustodyServer } from './app.js';
import { openSqlite } from './db/sqlite.js';
import { TEST_ROOT_PUBLIC, TEST_SERVICE_KEY } from './testing.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scelle-tls-'));
  let server: CustodyServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the given certificate and key', async () => {
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
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    server = await createServer({
      db: openSqlite(join(dir, 'db.sqlite')),
      serviceKey: TEST_SERVICE_KEY,
      rootPublicKey: TEST_ROOT_PUBLIC,
      tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
    });
    const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
    expect(address.startsWith('https://')).toBe(true);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${address}/healthz`, { ca: cert }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ ok: true });
  });
});
