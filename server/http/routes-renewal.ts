/**
 * Station certificate renewal: `POST /v1/stations/renew` (station token; body
 * `{ statement, signature }` of shared/custody/renewal-request.ts) → `201 { certificate,
 * issuingCertificate, certificateSha256 }`. Every issuance and every refusal is audited
 * (`stations.renew`, `stations.renew.refused`). See server/custody/station-renewal.ts.
 */
import type { FastifyInstance } from 'fastify';
import { renewalRequestSchema } from '../../shared/custody/renewal-request.js';
import { audit } from '../audit.js';
import type { ServiceContext } from '../context.js';
import { RENEWAL_REFUSAL_STATUS, renewStationCertificate } from '../custody/station-renewal.js';
import { requireRole } from './auth.js';
import { badRequest, HttpError } from './errors.js';

/** Registers the renewal route. */
export function registerRenewalRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/stations/renew', async (req, reply) => {
    const caller = requireRole(req, 'station');
    const body = renewalRequestSchema.safeParse(req.body);
    if (!body.success) throw badRequest('expected { "statement": { type, stationId, publicKey, at, validityDays? }, "signature" }');
    const { statement } = body.data;
    const outcome = await ctx.db.transaction(async (tx) => {
      const r = await renewStationCertificate(tx, ctx, caller, body.data);
      const refused = 'refusal' in r;
      await audit(
        tx,
        caller,
        refused ? 'stations.renew.refused' : 'stations.renew',
        {
          stationId: statement.stationId,
          publicKey: statement.publicKey,
          ...(refused ? { refusal: r.refusal } : { certificateSha256: r.answer.certificateSha256, expiresAt: r.expiresAt }),
        },
        refused ? 0 : 1,
        ctx.now(),
      );
      return r;
    });
    if ('refusal' in outcome) throw new HttpError(RENEWAL_REFUSAL_STATUS[outcome.refusal], outcome.refusal, outcome.message);
    reply.code(201);
    return outcome.answer;
  });
}
