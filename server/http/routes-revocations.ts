/**
 * The provider's revocation list of station certificates (server/custody/revocation-store.ts):
 * - `GET /v1/revocations`: the newest list, signed by the provider root (public: anyone can
 *   check it against the root they pin, and a drive's verdict must not need a token);
 * - `PUT /v1/revocations` (admin): stores a newer list signed by the configured provider root;
 *   an older one is refused (409), a malformed or foreign one too (400), and each upload is audited.
 */
import type { FastifyInstance } from 'fastify';
import { isScelleError } from '../../shared/errors/scelle-error.js';
import { audit } from '../audit.js';
import type { ServiceContext } from '../context.js';
import { latestRevocationList, storeRevocationList } from '../custody/revocation-store.js';
import { requireRole } from './auth.js';
import { HttpError, notFound } from './errors.js';

/** Registers the revocation list routes. */
export function registerRevocationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/revocations', async (_req, reply) => {
    const list = await latestRevocationList(ctx.db);
    if (!list) throw notFound('no revocation list has been published');
    void reply.header('cache-control', 'no-cache');
    return list;
  });

  app.put('/v1/revocations', async (req) => {
    const caller = requireRole(req, 'admin');
    if (!ctx.rootPublicKey) throw new HttpError(503, 'E_SERVER_CONFIG', 'no provider root public key is configured');
    try {
      return await ctx.db.transaction(async (tx) => {
        const { list, stored } = await storeRevocationList(tx, ctx.rootPublicKey!, req.body, ctx.now());
        await audit(tx, caller, 'revocations.publish', { sequence: list.sequence, revoked: list.revoked.length }, stored ? 1 : 0, ctx.now());
        return { sequence: list.sequence, revoked: list.revoked.length, stored };
      });
    } catch (e) {
      if (isScelleError(e) && e.code === 'E_REVOCATION_LIST') {
        const problem = String(e.details.problem ?? '');
        throw new HttpError(problem === 'rollback' || problem === 'conflict' ? 409 : 400, `revocations-${problem}`, e.message);
      }
      throw e;
    }
  });
}
