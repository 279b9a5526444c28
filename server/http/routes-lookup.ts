/**
 * Lookup routes, each audited (one audit row per request, with the result count):
 * GET /v1/drives (support, admin; a customer only for its own drive), whose answer also holds the
 * view of each sealed set a drive found is a member of (`sets`);
 * GET /v1/sets/:setId (support, admin; a station that holds or sealed a member; a customer whose
 * drive is a member): the set view and every member's chain;
 * GET /v1/personal/:orderRef (support, admin).
 */
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit.js';
import { findDriveIds, loadDrive, type DriveQuery } from '../custody/lookup.js';
import { loadSet, maySeeSet, setIdsOf } from '../custody/sets.js';
import { DRIVE_ID_RE } from '../../shared/custody/event.js';
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
      // A set member found by any of its tracking numbers (or order, or id) brings its whole set.
      const sets = [];
      for (const setId of new Set((await setIdsOf(tx, ids)).values())) {
        const found = await loadSet(tx, setId);
        if (found && maySeeSet(caller, found)) sets.push(found.set);
      }
      await audit(tx, caller, 'drives.lookup', sets.length > 0 ? { ...query, sets: sets.map((s) => s.setId) } : query, drives.length, ctx.now());
      return { drives, sets };
    });
  });

  app.get('/v1/sets/:setId', async (req) => {
    const caller = requireRole(req, 'admin', 'support', 'station', 'customer');
    const { setId } = req.params as { setId: string };
    if (!DRIVE_ID_RE.test(setId)) throw badRequest('malformed set id');
    const privileged = caller.role === 'admin' || caller.role === 'support';
    // Read and audit in one transaction. Stations and customers get the same refusal whether the
    // set is unknown or not theirs, so that a refusal does not tell them a set exists.
    const found = await ctx.db.transaction(async (tx) => {
      const s = await loadSet(tx, setId);
      const allowed = s !== null && maySeeSet(caller, s);
      await audit(tx, caller, allowed || privileged ? 'sets.view' : 'sets.view.denied', { set: setId }, allowed ? s.drives.length : 0, ctx.now());
      return { s, allowed };
    });
    if (!found.allowed) {
      if (privileged) throw notFound('no stored sealed event names this set');
      throw forbidden('this token may read only the sets of its own drives');
    }
    return found.s;
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
