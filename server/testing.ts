/**
 * TEST-ONLY helpers for the custody service's suites: the engine matrix (SQLite always,
 * PostgreSQL when SCELLE_TEST_DATABASE_URL is set; in CI its absence is an error, not a skip),
 * a fresh database per suite, fixed keys, certificates and tokens. Nothing in production imports
 * this module; the keys here are public and worthless.
 */
import { createHash, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import pg from 'pg';
import { decodeBase64Strict, encodeBase64, eventHash, eventSigningBytes, newEventId, type CustodyEvent, type SignedEvent } from '../shared/custody/event.js';
import { retryIdempotentOnReset, type FetchLike } from '../shared/custody/http.js';
import { testSecretKey, type TestAuthor } from '../shared/custody/testing.js';
import type { StationCertificate } from '../shared/engine/api.js';
import { issueStationCertificate } from '../shared/format/station-cert.js';
import { issueIssuingCertificate } from '../shared/format/issuing-cert.js';
import { issuingKeyFrom, type IssuingKey } from './issuing-key.js';
import { createServer, type CustodyServer } from './app.js';
import { createToken } from './auth/tokens.js';
import type { RateLimits } from './http/rate-limits.js';
import type { Db } from './db/driver.js';
import { openPostgres } from './db/postgres.js';
import { openSqlite } from './db/sqlite.js';
import { ed25519PrivateKeyObject, serviceKeyFromSeed } from './service-key.js';

/** One database engine to run a suite against. */
export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** when set, the engine is unavailable and suites skip it with this message */
  skipReason: string | null;
  /** Opens a fresh, empty database; `drop` removes it. */
  open(): Promise<{ db: Db; drop: () => Promise<void> }>;
}

/**
 * The engines to test. PostgreSQL needs SCELLE_TEST_DATABASE_URL (see test/support/postgres.sh).
 * @throws Error when CI is set and SCELLE_TEST_DATABASE_URL is not: CI must test both engines.
 */
export function testEngines(): TestEngine[] {
  const url = process.env['SCELLE_TEST_DATABASE_URL'];
  if (process.env['CI'] && !url) {
    throw new Error('CI is set but SCELLE_TEST_DATABASE_URL is not: the custody service must be tested on PostgreSQL too (see test/support/postgres.sh)');
  }
  return [
    {
      name: 'sqlite',
      skipReason: null,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'scelle-server-test-'));
        const db = openSqlite(join(dir, 'custody.sqlite'));
        return {
          db,
          drop: async () => {
            await db.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skipReason: url ? null : 'SCELLE_TEST_DATABASE_URL is not set; run `eval "$(test/support/postgres.sh)"` to test PostgreSQL too',
      async open() {
        if (!url) throw new Error('no SCELLE_TEST_DATABASE_URL');
        const schema = `t_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const db = openPostgres(url, 20, schema);
        return {
          db,
          drop: async () => {
            await db.close();
            const c = new pg.Client({ connectionString: url });
            await c.connect();
            await c.query(`DROP SCHEMA ${schema} CASCADE`);
            await c.end();
          },
        };
      },
    },
  ];
}

/** The test provider root key (TEST ONLY). */
export const TEST_ROOT_SECRET = testSecretKey('provider root');
/** base64 public key of {@link TEST_ROOT_SECRET}. */
export const TEST_ROOT_PUBLIC = encodeBase64(ed25519.getPublicKey(TEST_ROOT_SECRET));
/** The test service key (TEST ONLY). */
export const TEST_SERVICE_KEY = serviceKeyFromSeed(testSecretKey('custody service'));

/** The test issuing key's secret (TEST ONLY). */
export const TEST_ISSUING_SECRET = testSecretKey('custody issuing key');

/**
 * The test issuing key, certified by the test root from a day before `now` for `days` days,
 * station certificates of at most `maxStationDays` (TEST ONLY).
 */
export function testIssuingKey(now: Date = new Date(), days = 365, maxStationDays = 90): IssuingKey {
  const certificate = issueIssuingCertificate({
    rootSecretKey: TEST_ROOT_SECRET,
    issuingId: 'test-issuing',
    issuingPublicKey: ed25519.getPublicKey(TEST_ISSUING_SECRET),
    issuedAt: new Date(now.getTime() - 86_400_000),
    expiresAt: new Date(now.getTime() + days * 86_400_000),
    maxStationValidityDays: maxStationDays,
  });
  return issuingKeyFrom(TEST_ISSUING_SECRET, certificate, TEST_ROOT_PUBLIC);
}

/** A station certificate for `who`, issued by `rootSecret` (default the test root) (TEST ONLY). */
export function testCertificate(who: TestAuthor, rootSecret: Uint8Array = TEST_ROOT_SECRET, expiresAt: string | null = null): StationCertificate {
  return issueStationCertificate({
    rootSecretKey: rootSecret,
    stationId: who.author.id,
    stationPublicKey: decodeBase64Strict(who.author.publicKey, 32) as Uint8Array,
    issuedAt: new Date('2025-01-01T00:00:00.000Z'),
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
  });
}

/** A running test service with one token per role (TEST ONLY). */
export interface TestService {
  server: CustodyServer;
  db: Db;
  baseUrl: string;
  tokens: { admin: string; station: string; support: string; customer: string };
  /** Closes the server and drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts the service on a fresh database of `engine`, listening on a loopback port, with
 * tokens for each role (customer bound to `customerDrive`, station to `stationId`) and, unless
 * `issuing` is null, the test issuing key (TEST ONLY).
 */
export async function startTestService(
  engine: TestEngine,
  opts: { customerDrive: string; stationId: string; now?: () => Date; rateLimits?: RateLimits; issuing?: IssuingKey | null; stationCertificateDays?: number },
): Promise<TestService> {
  const { db, drop } = await engine.open();
  const server = await createServer({
    db,
    serviceKey: TEST_SERVICE_KEY,
    rootPublicKey: TEST_ROOT_PUBLIC,
    // By default the service can renew station certificates (testIssuingKey); null: it cannot.
    issuing: opts.issuing === undefined ? testIssuingKey(opts.now ? opts.now() : new Date()) : opts.issuing,
    ...(opts.stationCertificateDays !== undefined ? { stationCertificateDays: opts.stationCertificateDays } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
  });
  const now = opts.now ? opts.now() : new Date();
  const tokens = {
    admin: (await createToken(db, 'admin', null, 'test admin', now)).token,
    station: (await createToken(db, 'station', opts.stationId, 'test station', now)).token,
    support: (await createToken(db, 'support', null, 'test support', now)).token,
    customer: (await createToken(db, 'customer', opts.customerDrive, 'test customer', now)).token,
  };
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    db,
    baseUrl: address,
    tokens,
    async stop() {
      await server.app.close();
      await drop();
    },
  };
}

const fetchWithResetRetry = retryIdempotentOnReset(globalThis.fetch as unknown as FetchLike);

/**
 * fetch() JSON helper: returns status and parsed body (TEST ONLY). Goes through the clients'
 * fetch path (an idempotent request on a connection the service just closed is resent once).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: bodies are checked by the assertions
export async function call(base: string, token: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetchWithResetRetry(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * Signs an event with node:crypto (same deterministic RFC 8032 signature as signEvent, ~15×
 * faster): for generating large test loads only (TEST ONLY). Does not re-validate the event.
 */
export function fastSign(e: CustodyEvent, secretKey: Uint8Array): SignedEvent {
  return { ...e, sig: encodeBase64(new Uint8Array(sign(null, eventSigningBytes(e), ed25519PrivateKeyObject(secretKey)))) };
}

/**
 * `drives` provider chains of `perDrive` events (sealed, verified, shipped, then notes), all
 * by `station`, for load tests; drive ids are `${prefix}-<n>` and tracking numbers unique (TEST ONLY).
 */
export function loadChains(station: TestAuthor, customerPublicKey: string, prefix: string, drives: number, perDrive: number): SignedEvent[][] {
  const key = ed25519PrivateKeyObject(station.secretKey);
  const t0 = Date.parse('2025-03-01T00:00:00.000Z');
  const out: SignedEvent[][] = [];
  for (let d = 0; d < drives; d++) {
    const driveId = `${prefix}-${d}`;
    const chain: SignedEvent[] = [];
    for (let seq = 0; seq < perDrive; seq++) {
      const prev = chain[seq - 1];
      const type = seq === 0 ? 'sealed' : seq === 1 ? 'verified' : seq === 2 ? 'shipped' : 'note';
      const data =
        seq === 0
          ? { manifestSha256: createHash('sha256').update(driveId).digest('hex'), files: 1, bytes: 100, parts: 1, customerPublicKey, stationCertificateSha256: 'ab'.repeat(32) }
          : seq === 1
            ? { level: 'media', ok: true, problems: 0 }
            : seq === 2
              ? { carrier: 'other', trackingNumber: `LT${prefix.toUpperCase().replace(/[^A-Z0-9]/g, '')}${String(d).padStart(9, '0')}` }
              : { noteRef: `note-${d}-${seq}` };
      const at = new Date(t0 + d * 1000 + seq * 60_000);
      const e: CustodyEvent = { v: 1, id: newEventId(at), driveId, seq, prev: prev ? eventHash(prev) : null, type, at: at.toISOString(), author: station.author, data };
      chain.push({ ...e, sig: encodeBase64(new Uint8Array(sign(null, eventSigningBytes(e), key))) });
    }
    out.push(chain);
  }
  return out;
}
