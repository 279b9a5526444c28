/**
 * The custody service as a Fastify instance: `createServer(options)` opens (or takes) the
 * database, applies migrations, makes sure a first checkpoint exists and registers every route.
 * Used by server/main.ts and by the tests.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { defaultLogOrigin, LOG_ORIGIN_RE } from './custody/checkpoint-note.js';
import { signCheckpoint } from './custody/receipts.js';
import { latestCheckpoint, storeCheckpoint } from './custody/ingest.js';
import { storedRoot } from './custody/merkle-store.js';
import { DEFAULT_STATION_CERTIFICATE_DAYS } from './custody/station-certificates.js';
import type { ServiceContext } from './context.js';
import { num, type Db } from './db/driver.js';
import { migrate } from './db/migrations.js';
import { installAuth } from './http/auth.js';
import { toErrorResponse } from './http/errors.js';
import { registerAdminRoutes } from './http/routes-admin.js';
import { registerCustodyRoutes } from './http/routes-custody.js';
import { registerLogRoutes } from './http/routes-log.js';
import { registerLookupRoutes } from './http/routes-lookup.js';
import { registerOwnershipRoutes } from './http/routes-ownership.js';
import { registerRenewalRoutes } from './http/routes-renewal.js';
import { registerRevocationRoutes } from './http/routes-revocations.js';
import { registerTokenRoutes } from './http/routes-tokens.js';
import { DEFAULT_RATE_LIMITS, installRateLimits, RateLimitedError, type RateLimits } from './http/rate-limits.js';
import { runRetention } from './retention.js';
import type { IssuingKey } from './issuing-key.js';
import type { ServiceKey } from './service-key.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** An open database (see db/sqlite.ts, db/postgres.ts); closed by `close()`. */
  db: Db;
  serviceKey: ServiceKey;
  /** base64 Ed25519 provider root public key; null disables station enrolment (503). */
  rootPublicKey: string | null;
  /** The issuing key for station certificates (issuing-key.ts); absent: no renewal (409 no-issuing-key). */
  issuing?: IssuingKey | null;
  /** Days of life of an issued station certificate (default 30; capped by the issuing certificate). */
  stationCertificateDays?: number;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Fastify request logging (default off). Logs never include tokens or bodies. */
  logger?: boolean;
  /** The log origin of checkpoint notes (default `scelle-custody/<service key id>`). */
  logOrigin?: string;
  /** The clock (a seam for tests; default the system clock). */
  now?: () => Date;
  /** Requests per minute per address, per token and failed authentications per address (default DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimits;
  /**
   * Addresses (or CIDR ranges) of TLS-terminating proxies in front of the service: their
   * X-Forwarded-For names the client whose address the rate limits count. Default none.
   */
  trustedProxies?: readonly string[];
}

/** Largest request body accepted (a full batch of events is far smaller); larger: 413 `too-large`. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A created service. */
export interface CustodyServer {
  app: FastifyInstance;
  ctx: ServiceContext;
  /** Deletes personal records past their deletion date. See retention.ts. */
  runRetention(now: Date): Promise<number>;
  /** Closes the HTTP server and the database. */
  close(): Promise<void>;
}

/**
 * Builds the service (not yet listening: call `app.listen`).
 * @throws ScelleError E_SERVER_DATABASE when migrations fail; E_SERVER_CONFIG on an invalid log origin.
 */
export async function createServer(options: ServerOptions): Promise<CustodyServer> {
  const logOrigin = options.logOrigin ?? defaultLogOrigin(options.serviceKey);
  if (!LOG_ORIGIN_RE.test(logOrigin)) throw new ScelleError('E_SERVER_CONFIG', 'the log origin must be 1 to 200 printable ASCII characters without spaces or "+"');
  const ctx: ServiceContext = {
    db: options.db,
    serviceKey: options.serviceKey,
    rootPublicKey: options.rootPublicKey,
    issuing: options.issuing ?? null,
    stationCertificateDays: options.stationCertificateDays ?? DEFAULT_STATION_CERTIFICATE_DAYS,
    logOrigin,
    now: options.now ?? (() => new Date()),
  };
  await migrate(ctx.db);
  await ctx.db.transaction(async (tx) => {
    const size = num((await tx.query(`SELECT size FROM tree_state WHERE id = 1${ctx.db.forUpdate}`))[0]?.['size']);
    const cp = await latestCheckpoint(tx);
    if (!cp || cp.treeSize !== size) {
      const root = Buffer.from(await storedRoot(tx, size)).toString('hex');
      await storeCheckpoint(tx, signCheckpoint(ctx.serviceKey, size, root, ctx.now().toISOString()), ctx.db.engine);
    }
  });
  const app = Fastify({
    logger: options.logger ? { redact: ['req.headers.authorization'] } : false,
    bodyLimit: MAX_BODY_BYTES,
    ...(options.trustedProxies && options.trustedProxies.length > 0 ? { trustProxy: [...options.trustedProxies] } : {}),
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = toErrorResponse(err);
    if (err instanceof RateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
    if (status >= 500) app.log.error({ err }, 'request failed');
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: { code: 'not-found', message: 'no such route' } });
  });
  installAuth(app, ctx, await installRateLimits(app, options.rateLimits ?? DEFAULT_RATE_LIMITS));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/v1/service-key', async () => ({ publicKey: ctx.serviceKey.publicKey, keyId: ctx.serviceKey.keyId }));
  registerCustodyRoutes(app, ctx);
  registerLookupRoutes(app, ctx);
  registerOwnershipRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerRevocationRoutes(app, ctx);
  registerRenewalRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  let closed = false;
  return {
    app,
    ctx,
    runRetention: (now) => runRetention(ctx, now),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await ctx.db.close();
    },
  };
}
