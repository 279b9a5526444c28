/**
 * Request authentication and role checks for the Fastify routes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller, Role } from '../auth/caller.js';
import { authenticate } from '../auth/tokens.js';
import type { ServiceContext } from '../context.js';
import { forbidden, unauthorized } from './errors.js';
import { LOG_ROUTES } from './routes-log.js';
import { REVOCATION_PUBLIC_ROUTES } from './routes-revocations.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or null on public routes. */
    caller: Caller | null;
  }
}

/** Routes that need no token. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/v1/service-key', ...LOG_ROUTES]);

/**
 * Installs the hook that authenticates every request except {@link PUBLIC_ROUTES}: a missing,
 * unknown or revoked token is answered 401 before any route runs.
 */
export function installAuth(app: FastifyInstance, ctx: ServiceContext): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (req) => {
    const path = req.routeOptions.url ?? req.url;
    if (PUBLIC_ROUTES.has(path) || (req.method === 'GET' && (REVOCATION_PUBLIC_ROUTES as readonly string[]).includes(path))) return;
    const caller = await authenticate(ctx.db, req.headers.authorization);
    if (!caller) throw unauthorized();
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
