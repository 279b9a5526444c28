/**
 * Request authentication and role checks for the Fastify routes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller, Role } from '../auth/caller.js';
import { authenticate } from '../auth/tokens.js';
import type { ServiceContext } from '../context.js';
import { forbidden, HttpError, unauthorized } from './errors.js';
import type { RateLimiter } from './rate-limits.js';
import { LOG_ROUTES } from './routes-log.js';
import { PUBLIC_GET_ROUTES } from './public-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or null on public routes. */
    caller: Caller | null;
  }
}

/** Routes that need no token. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/v1/service-key', ...LOG_ROUTES]);

/** 401 for a token past its lifetime: the holder must rotate earlier or ask for a new one. */
const expired = (): HttpError => new HttpError(401, 'token-expired', 'this token has expired: ask an administrator for a new one (rotate tokens before they expire)');

/**
 * Installs the hook that rate-limits and authenticates every request: each request counts
 * against its address's limit (public routes too); an address with too many failed
 * authentications is answered 429 before its token is looked up; outside
 * {@link PUBLIC_ROUTES}, a missing, unknown or revoked token is answered 401 (`unauthorized`),
 * an expired one 401 (`token-expired`), and a valid one counts against its token's limit; all
 * before any route runs.
 */
export function installAuth(app: FastifyInstance, ctx: ServiceContext, limiter: RateLimiter): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (req) => {
    await limiter.address(req);
    const path = req.routeOptions.url ?? req.url;
    if (PUBLIC_ROUTES.has(path) || (req.method === 'GET' && PUBLIC_GET_ROUTES.includes(path))) return;
    await limiter.failuresAllowed(req);
    const caller = await authenticate(ctx.db, req.headers.authorization, ctx.now());
    if (typeof caller === 'string') {
      await limiter.failure(req);
      throw caller === 'expired' ? expired() : unauthorized();
    }
    await limiter.token(req, caller.tokenId);
    req.caller = caller;
  });
}

/**
 * The caller, if its role is one of `roles`.
 * @throws HttpError 401 when unauthenticated, 403 when the role is not allowed.
 */
export function requireRole(req: FastifyRequest, ...roles: Role[]): Caller {
  const c = req.caller;
  if (!c) throw unauthorized();
  if (!roles.includes(c.role)) throw forbidden(`role ${c.role} may not do this`);
  return c;
}
