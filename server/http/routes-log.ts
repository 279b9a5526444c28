/**
 * The public transparency-log routes (no token: docs/CUSTODY.md §5.1, docs/SERVER.md), so that
 * monitors and witnesses speaking C2SP tlog-checkpoint / signed-note / tlog-tiles can follow
 * the custody log. The log prefix is `/v1/log/`:
 *
 * - `GET /v1/log/checkpoint`: the latest checkpoint as a signed note (text/plain);
 * - `GET /v1/log/checkpoint/<size>`: the checkpoint the service published at that tree size;
 * - `GET /v1/log/checkpoints?after=<size>&limit=<n>`: past checkpoints, oldest first (JSON);
 * - `GET /v1/log/tile/<L>/<N>[.p/<W>]`, `GET /v1/log/tile/entries/<N>[.p/<W>]`: tiles;
 * - `GET /v1/log/info`: origin, verifier key and tile height.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { latestCheckpoint } from '../custody/ingest.js';
import { noteVerifierKey, signCheckpointNote } from '../custody/checkpoint-note.js';
import { parseTilePath, readTile, TILE_HEIGHT, TILE_WIDTH } from '../custody/log-tiles.js';
import type { ServiceContext } from '../context.js';
import { num } from '../db/driver.js';
import { badRequest, notFound } from './errors.js';

/** The routes of this module, answered without a token (see http/auth.ts). */
export const LOG_ROUTES = ['/v1/log/info', '/v1/log/checkpoint', '/v1/log/checkpoint/:size', '/v1/log/checkpoints', '/v1/log/tile/*'] as const;

/** At most this many past checkpoints per listing. */
export const MAX_CHECKPOINTS_PER_PAGE = 1000;

const size = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

function sendNote(reply: FastifyReply, note: string): FastifyReply {
  return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
}

/** Registers the public log routes. */
export function registerLogRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const note = (treeSize: number, rootHash: string): string => signCheckpointNote(ctx.serviceKey, ctx.logOrigin, treeSize, rootHash);

  app.get('/v1/log/info', async () => ({
    origin: ctx.logOrigin,
    verifierKey: noteVerifierKey(ctx.logOrigin, ctx.serviceKey),
    tileHeight: TILE_HEIGHT,
    entry: 'the 32 raw bytes of an event hash; leaf hash = SHA-256(0x00 || entry)',
  }));

  app.get('/v1/log/checkpoint', async (_req, reply) => {
    const cp = await latestCheckpoint(ctx.db);
    if (!cp) throw notFound('no checkpoint yet');
    return sendNote(reply, note(cp.treeSize, cp.rootHash));
  });

  app.get('/v1/log/checkpoint/:size', async (req, reply) => {
    const p = size.safeParse((req.params as { size: string }).size);
    if (!p.success) throw badRequest('the tree size must be a decimal integer');
    const row = (await ctx.db.query(`SELECT tree_size, root_hash FROM checkpoints WHERE tree_size = ?`, [p.data]))[0];
    if (!row) throw notFound('no checkpoint was published at this tree size');
    return sendNote(reply, note(num(row['tree_size']), String(row['root_hash'])));
  });

  app.get('/v1/log/checkpoints', async (req) => {
    const q = z.object({ after: size.optional(), limit: z.coerce.number().int().min(1).max(MAX_CHECKPOINTS_PER_PAGE).optional() }).safeParse(req.query);
    if (!q.success) throw badRequest(`expected after (a tree size) and limit (1 to ${MAX_CHECKPOINTS_PER_PAGE}), both optional`);
    const rows = await ctx.db.query(`SELECT tree_size, root_hash, timestamp FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT ?`, [
      q.data.after ?? -1,
      q.data.limit ?? 100,
    ]);
    return {
      checkpoints: rows.map((r) => ({
        treeSize: num(r['tree_size']),
        rootHash: String(r['root_hash']),
        timestamp: String(r['timestamp']),
        note: note(num(r['tree_size']), String(r['root_hash'])),
      })),
    };
  });

  app.get('/v1/log/tile/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    const t = parseTilePath(rest);
    if (!t) throw notFound('not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
    const bytes = await ctx.db.transaction(async (tx) => {
      const treeSize = num((await tx.query(`SELECT size FROM tree_state WHERE id = 1`))[0]?.['size']);
      return readTile(tx, t, treeSize);
    });
    if (!bytes) throw notFound('the log does not hold this tile (yet)');
    // A tile's contents never change once it exists: full and partial tiles are immutable.
    return reply
      .header('content-type', 'application/octet-stream')
      .header('cache-control', t.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'public, max-age=60')
      .send(Buffer.from(bytes));
  });
}
