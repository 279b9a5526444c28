/**
 * Drive ownership route: POST /v1/drives/:driveId/handoff hands a drive to another enrolled
 * station: by the holding station with a signed statement (shared/custody/handoff.ts), or by
 * an admin. Audited, refused attempts too. See server/custody/ownership.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AUTHOR_ID_RE, DRIVE_ID_RE } from '../../shared/custody/event.js';
import { signedHandoffSchema } from '../../shared/custody/handoff.js';
import { audit } from '../audit.js';
import { handOffDrive, type HandoffRefusalCode } from '../custody/ownership.js';
import type { ServiceContext } from '../context.js';
import { requireRole } from './auth.js';
import { badRequest, HttpError } from './errors.js';

const handoffBody = z.strictObject({ toStation: z.string().regex(AUTHOR_ID_RE), signed: signedHandoffSchema.optional() });

/** HTTP status of each refusal; the error code is the refusal itself. */
const STATUS: Record<HandoffRefusalCode, number> = { 'unknown-drive': 404, 'not-owner': 403, 'unknown-station': 400, 'same-station': 400, 'bad-handoff': 400 };

/** Registers POST /v1/drives/:driveId/handoff. */
export function registerOwnershipRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/drives/:driveId/handoff', async (req) => {
    const caller = requireRole(req, 'admin', 'station');
    const { driveId } = req.params as { driveId: string };
    if (!DRIVE_ID_RE.test(driveId)) throw badRequest('malformed drive id');
    const body = handoffBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected { "toStation": "<station id>", "signed"?: { statement, publicKey, signature } }');
    const result = await ctx.db.transaction(async (tx) => {
      const r = await handOffDrive(tx, caller, driveId, body.data.toStation, body.data.signed ?? null, ctx.now());
      const refused = 'refusal' in r;
      await audit(
        tx,
        caller,
        refused ? 'drives.handoff.refused' : 'drives.handoff',
        { drive: driveId, toStation: body.data.toStation, ...(refused ? { refusal: r.refusal } : {}) },
        refused ? 0 : 1,
        ctx.now(),
      );
      return r;
    });
    if ('refusal' in result) throw new HttpError(STATUS[result.refusal], result.refusal, result.message);
    return result;
  });
}
