/**
 * Lookup routes, each audited (one audit row per request, with the result count):
 * GET /v1/drives (support, admin; a customer only for its own drive) and
 * GET /v1/personal/:orderRef (support, admin).
 */
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit.js';
import { findDriveIds, loadDrive, type DriveQuery } from '../custody/lookup.js';
import type { ServiceContext } from '../context.js';
import { getPersonalRecord, ORDER_REF_RE } from '../personal-records.js';
import { normalizeTrackingQuery, trackingCandidates } from '../tracking.js';
import { requireRole } from './auth.js';
import { badRequest, forbidden, notFound } from './errors.js';

function parseDriveQuery(q: Record<string, unknown>): DriveQuery {
  const given = (['tracking', 'order', 'drive'] as const).filter((k) => typeof q[k] === 'string' && q[k] !== '');
  if (given.length !== 1) throw badRequest('give exactly one of tracking, order, drive');
  const k = given[0] as 'tracking' | 'order' | 'drive';
  const v = String(q[k]);
  if (v.length > 200) throw badRequest('query too long');
  if (k === 'tracking') {
    const t = normalizeTrackingQuery(v);
    if (t === '') throw badRequest('empty tracking number');
    return { tracking: t };
  }
  return k === 'order' ? { order: v } : { drive: v };
}

/** Registers the audited lookup routes. */
export function registerLookupRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/drives', async (req) => {
    const caller = requireRole(req, 'admin', 'support', 'customer');
    const query = parseDriveQuery(req.query as Record<string, unknown>);
    if (caller.role === 'customer' && !('drive' in query && query.drive === caller.subject)) {
      await audit(ctx.db, caller, 'drives.lookup.denied', query, 0, ctx.now());
      throw forbidden('a customer token may only look up its own drive');
    }
    // Read and audit in one transaction: no answer leaves without its audit row.
    return ctx.db.transaction(async (tx) => {
      const ids = await findDriveIds(tx, query, 'tracking' in query ? trackingCandidates(String((req.query as Record<string, unknown>)['tracking'])) : undefined);
      const drives = [];
      for (const id of ids) drives.push(await loadDrive(tx, id));
      await audit(tx, caller, 'drives.lookup', query, drives.length, ctx.now());
      return { drives };
    });
  });

  app.get('/v1/personal/:orderRef', async (req) => {
    const caller = requireRole(req, 'admin', 'support');
    const { orderRef } = req.params as { orderRef: string };
    if (!ORDER_REF_RE.test(orderRef)) throw badRequest('malformed order reference');
    const record = await ctx.db.transaction(async (tx) => {
      const r = await getPersonalRecord(tx, orderRef);
      await audit(tx, caller, 'personal.read', { order: orderRef }, r ? 1 : 0, ctx.now());
      return r;
    });
    if (!record) throw notFound('no personal record for this order');
    return record;
  });
}
