/**
 * TEST-ONLY: the REAL custody service (server/ `createServer`) for the e2e tests and the
 * handler tests: a fresh SQLite database in a temporary folder, HTTP on 127.0.0.1, the test
 * provider root and service key of server/testing.ts (public, worthless keys), and an admin
 * token. `issueEnrolment` plays the provider's part of enrolment through the service's real
 * admin API (POST /v1/stations, POST /v1/tokens) and writes the `scelle-enrolment/1` file the
 * station imports (docs/DESKTOP.md, "Station enrolment").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type CustodyServer } from '../../server/app.js';
import { createToken } from '../../server/auth/tokens.js';
import { openSqlite } from '../../server/db/sqlite.js';
import { TEST_ROOT_PUBLIC, TEST_ROOT_SECRET, TEST_SERVICE_KEY, testIssuingKey } from '../../server/testing.js';
import { issueStationCertificate } from '../../shared/format/station-cert.js';
import { loadStationIdentity } from '../../electron/station.js';

/** The provider root public key the test stations are certified under (pin it in the app). */
export const E2E_ROOT_PUBLIC = TEST_ROOT_PUBLIC;

/** A running real custody service. */
export interface E2eCustody {
  url: string;
  adminToken: string;
  /** base64 service public keys to pin. */
  serviceKeys: string[];
  server: CustodyServer;
  /** Stops listening (the port then refuses connections); the database stays until `close`. */
  stop(): Promise<void>;
  /** Stops the service and deletes its database. */
  close(): Promise<void>;
  /**
   * Certifies the station in `stationKeyFile` with the test root (or, with `shortLived`, has the
   * service issue its first certificate with its issuing key), enrols its key with the service,
   * creates station and support tokens, and writes the enrolment file into `dir`. Returns the
   * file's path.
   */
  issueEnrolment(stationKeyFile: string, dir: string, opts?: { stationId?: string; rootSecret?: Uint8Array; enrolWithService?: boolean; shortLived?: boolean }): Promise<string>;
}

async function api(base: string, token: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`custody service ${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Starts the real custody service on a loopback port with a fresh SQLite database. */
export async function startE2eCustody(): Promise<E2eCustody> {
  const dir = await mkdtemp(join(tmpdir(), 'scelle-e2e-custody-'));
  const db = openSqlite(join(dir, 'custody.sqlite'));
  const server = await createServer({ db, serviceKey: TEST_SERVICE_KEY, rootPublicKey: TEST_ROOT_PUBLIC, issuing: testIssuingKey() });
  const adminToken = (await createToken(db, 'admin', null, 'e2e admin', new Date())).token;
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    await server.app.close();
  };
  return {
    url,
    adminToken,
    serviceKeys: [TEST_SERVICE_KEY.publicKey],
    server,
    stop,
    async close() {
      if (listening) await server.close();
      else await db.close();
      listening = false;
      await rm(dir, { recursive: true, force: true });
    },
    async issueEnrolment(stationKeyFile, outDir, opts = {}) {
      const station = await loadStationIdentity(stationKeyFile);
      station.secretKey.fill(0);
      const stationId = opts.stationId ?? station.id;
      let certificate = issueStationCertificate({ rootSecretKey: opts.rootSecret ?? TEST_ROOT_SECRET, stationId, stationPublicKey: station.publicKey });
      let issuingCertificate: unknown = null;
      let stationToken = 'sct_not-enrolled-with-the-service';
      let supportToken: string | null = null;
      if (opts.shortLived) {
        const issued = await api(url, adminToken, 'POST', '/v1/stations', { publicKey: certificate.publicKey, stationId, kind: 'station' });
        certificate = issued['certificate'] as typeof certificate;
        issuingCertificate = issued['issuingCertificate'];
      } else if (opts.enrolWithService !== false) {
        await api(url, adminToken, 'POST', '/v1/stations', { publicKey: certificate.publicKey, certificate, kind: 'station' });
      }
      if (opts.enrolWithService !== false) {
        stationToken = String((await api(url, adminToken, 'POST', '/v1/tokens', { role: 'station', subject: stationId, label: `e2e ${stationId}` }))['token']);
        supportToken = String((await api(url, adminToken, 'POST', '/v1/tokens', { role: 'support', label: 'e2e support' }))['token']);
      }
      const file = join(outDir, `enrolment-${stationId}-${Date.now()}.json`);
      const bundle = {
        format: 'scelle-enrolment/1',
        certificate,
        ...(issuingCertificate ? { issuingCertificate } : {}),
        custody: { url, serviceKeys: [TEST_SERVICE_KEY.publicKey], stationToken, supportToken, caPem: null },
      };
      await writeFile(file, JSON.stringify(bundle, null, 2), { mode: 0o600 });
      return file;
    },
  };
}
