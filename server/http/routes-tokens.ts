/**
 * Token self-service: POST /v1/tokens/rotate lets any token's holder replace it before it
 * expires (docs/SERVER.md "Roles and tokens").
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit.js';
import { rotateToken } from '../auth/tokens.js';
import type { ServiceContext } from '../context.js';
import { requireRole } from './auth.js';
import { badRequest } from './errors.js';

const rotateBody = z.strictObject({ ttlDays: z.number().optional() }).nullable().optional();

/** Registers POST /v1/tokens/rotate (every role): answers 201 `{ id, token, role, subject, label, expiresAt }`. */
export function registerTokenRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/tokens/rotate', async (req, reply) => {
    const caller = requireRole(req, 'admin', 'station', 'support', 'customer');
    const body = rotateBody.safeParse(req.body ?? null);
    if (!body.success) throw badRequest('expected {} or { ttlDays }');
    const created = await ctx.db.transaction(async (tx) => {
      const t = await rotateToken(tx, caller, ctx.now(), body.data?.ttlDays);
      await audit(tx, caller, 'tokens.rotate', { from: caller.tokenId, id: t.id, expiresAt: t.expiresAt }, 1, ctx.now());
      return t;
    });
    reply.code(201);
    return created;
  });
}
