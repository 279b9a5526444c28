/**
 * Custody routes: event ingest, checkpoints and Merkle proofs (docs/CUSTODY.md §5).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ingestBatch, latestCheckpoint, MAX_BATCH } from '../custody/ingest.js';
import { storedConsistencyProof, storedInclusionProof } from '../custody/merkle-store.js';
import type { ServiceContext } from '../context.js';
import { num } from '../db/driver.js';
import { requireRole } from './auth.js';
import { badRequest, notFound } from './errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const size = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

async function treeSize(ctx: ServiceContext): Promise<number> {
  return num((await ctx.db.query(`SELECT size FROM tree_state WHERE id = 1`))[0]?.['size']);
}

/** Registers POST /v1/events, GET /v1/checkpoint, GET /v1/proof/consistency, GET /v1/proof/inclusion. */
export function registerCustodyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/events', async (req) => {
    const caller = requireRole(req, 'station', 'customer');
    const body = req.body as { events?: unknown } | null;
    if (!body || typeof body !== 'object' || !Array.isArray(body.events)) throw badRequest('expected { "events": [...] }');
    if (body.events.length > MAX_BATCH) throw badRequest(`at most ${MAX_BATCH} events per request`);
    return ingestBatch(ctx, caller, body.events);
  });

  app.get('/v1/checkpoint', async (req) => {
    requireRole(req, 'admin', 'station', 'support', 'customer');
    const cp = await latestCheckpoint(ctx.db);
    if (!cp) throw notFound('no checkpoint yet');
    return cp;
  });

  app.get('/v1/proof/consistency', async (req) => {
    requireRole(req, 'admin', 'station', 'support', 'customer');
    const q = z.object({ from: size, to: size }).safeParse(req.query);
    if (!q.success) throw badRequest('expected from and to, integers');
    const current = await treeSize(ctx);
    if (q.data.from > q.data.to || q.data.to > current) throw badRequest(`need from ≤ to ≤ ${current}`);
    return { proof: (await storedConsistencyProof(ctx.db, q.data.from, q.data.to)).map(hex) };
  });

  app.get('/v1/proof/inclusion', async (req) => {
    const caller = requireRole(req, 'admin', 'station', 'support', 'customer');
    const q = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), treeSize: size }).safeParse(req.query);
    if (!q.success) throw badRequest('expected hash (lowercase hex SHA-256) and treeSize');
    const row = (await ctx.db.query(`SELECT leaf_index, drive_id FROM events WHERE event_hash = ?`, [q.data.hash]))[0];
    // A customer may only learn about its own drive's events.
    if (!row || (caller.role === 'customer' && String(row['drive_id']) !== caller.subject)) throw notFound('no such event');
    const leafIndex = num(row['leaf_index']);
    const current = await treeSize(ctx);
    if (q.data.treeSize > current || leafIndex >= q.data.treeSize) throw badRequest(`need leafIndex < treeSize ≤ ${current}`);
    return { leafIndex, proof: (await storedInclusionProof(ctx.db, leafIndex, q.data.treeSize)).map(hex) };
  });
}
