/**
 * Drive ownership route: POST /v1/drives/:driveId/handoff hands a drive to another enrolled
 * station (admin, or the owning station's token). Audited. See server/custody/ownership.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DRIVE_ID_RE, AUTHOR_ID_RE } from '../../shared/custody/event.js';
import { audit } from '../audit.js';
import { handOffDrive } from '../custody/ownership.js';
import type { ServiceContext } from '../context.js';
import { requireRole } from './auth.js';
import { badRequest, HttpError } from './errors.js';

const handoffBody = z.strictObject({ toStation: z.string().regex(AUTHOR_ID_RE) });

/** HTTP status and message of each refusal; the code is the refusal itself. */
const REFUSALS = {
  'unknown-drive': [404, 'no sealed event is stored for this drive'],
  'not-owner': [403, 'only an admin or the station that holds the drive may hand it off'],
  'unknown-station': [400, 'the target station has no live enrolled key: enrol it first (POST /v1/stations)'],
  'same-station': [400, 'the drive is already held by that station'],
} as const;

/** Registers POST /v1/drives/:driveId/handoff. */
export function registerOwnershipRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/drives/:driveId/handoff', async (req) => {
    const caller = requireRole(req, 'admin', 'station');
    const { driveId } = req.params as { driveId: string };
    if (!DRIVE_ID_RE.test(driveId)) throw badRequest('malformed drive id');
    const body = handoffBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected { "toStation": "<station id>" }');
    const result = await ctx.db.transaction(async (tx) => {
      const r = await handOffDrive(tx, caller, driveId, body.data.toStation, ctx.now());
      await audit(tx, caller, typeof r === 'string' ? 'drives.handoff.refused' : 'drives.handoff', { drive: driveId, toStation: body.data.toStation }, typeof r === 'string' ? 0 : 1, ctx.now());
      return r;
    });
    if (typeof result === 'string') {
      const [status, message] = REFUSALS[result];
      throw new HttpError(status, result, message);
    }
    return result;
  });
}
