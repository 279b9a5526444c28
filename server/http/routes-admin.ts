/**
 * Admin routes: station and staff key enrolment/revocation, tokens, personal records, the audit
 * log, the integrity check, retention, the incident register and access requests. All require
 * the `admin` role.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportAccessRequest, parseAccessSubject } from '../access/access-request.js';
import { renderAccessReportPdf } from '../access/access-report-pdf.js';
import { audit, readAudit } from '../audit.js';
import { listIncidents } from '../custody/incidents.js';
import { createToken, revokeToken } from '../auth/tokens.js';
import { checkIntegrity } from '../custody/integrity.js';
import { checkStationCertificate, enrolKey, listKeys, revokeKeys } from '../custody/signing-keys.js';
import { issueAndRecord, issuedValidity } from '../custody/station-certificates.js';
import { AUTHOR_ID_RE, decodeBase64Strict } from '../../shared/custody/event.js';
import type { ServiceContext } from '../context.js';
import { deletePersonalRecord, ORDER_REF_RE, putPersonalRecord } from '../personal-records.js';
import { runRetention } from '../retention.js';
import { requireRole } from './auth.js';
import { badRequest, HttpError, notFound } from './errors.js';

const enrolBody = z.strictObject({
  publicKey: z.string(),
  certificate: z.unknown().optional(),
  issuingCertificate: z.unknown().optional(),
  stationId: z.string().regex(AUTHOR_ID_RE).optional(),
  kind: z.enum(['station', 'staff']).optional(),
});
const revokeBody = z.strictObject({ publicKey: z.string().optional(), reason: z.string().min(1).max(500) });
const tokenBody = z.strictObject({ role: z.string(), subject: z.string().nullable().optional(), label: z.string().max(200).optional(), ttlDays: z.number().optional() });

/** Registers the admin routes. */
export function registerAdminRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v1/stations', async (req, reply) => {
    const caller = requireRole(req, 'admin');
    const body = enrolBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected { publicKey, certificate, issuingCertificate?, kind? } or { publicKey, stationId, kind? }');
    if (!ctx.rootPublicKey) throw new HttpError(503, 'E_SERVER_CONFIG', 'no provider root public key is configured');
    const kind = body.data.kind ?? 'station';
    if (body.data.certificate === undefined) {
      // No certificate: the service issues the first one with its issuing key (the root stays offline).
      const { stationId, publicKey } = body.data;
      if (stationId === undefined || !decodeBase64Strict(publicKey, 32)) throw badRequest('without a certificate, give stationId and publicKey (base64 of 32 bytes)');
      const issuing = ctx.issuing;
      const validity = issuing ? issuedValidity(issuing, ctx.stationCertificateDays, undefined, ctx.now()) : null;
      if (!issuing || !validity) throw new HttpError(503, 'no-issuing-key', 'this service has no valid issuing key: enrol with a certificate signed by the root');
      const rec = await ctx.db.transaction(async (tx) => {
        const issued = await issueAndRecord(tx, issuing, stationId, publicKey, validity, caller.tokenId);
        const r = await enrolKey(tx, issued.certificate, kind, caller.tokenId, ctx.now());
        await audit(tx, caller, 'stations.enrol', { stationId, publicKey, certificateSha256: issued.certificateSha256, expiresAt: issued.certificate.expiresAt }, 1, ctx.now());
        return r;
      });
      reply.code(201);
      return { ...rec, issuingCertificate: issuing.certificate };
    }
    const cert = checkStationCertificate(body.data.certificate, body.data.publicKey, ctx.rootPublicKey, ctx.now(), body.data.issuingCertificate ?? null);
    const rec = await ctx.db.transaction(async (tx) => {
      const r = await enrolKey(tx, cert, kind, caller.tokenId, ctx.now());
      await audit(tx, caller, 'stations.enrol', { stationId: cert.stationId, publicKey: cert.publicKey }, 1, ctx.now());
      return r;
    });
    reply.code(201);
    return rec;
  });

  app.get('/v1/stations', async (req) => {
    requireRole(req, 'admin');
    return { keys: await listKeys(ctx.db) };
  });

  app.post('/v1/stations/:stationId/revoke', async (req) => {
    const caller = requireRole(req, 'admin');
    const { stationId } = req.params as { stationId: string };
    const body = revokeBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected { reason, publicKey? }');
    const revoked = await ctx.db.transaction(async (tx) => {
      const n = await revokeKeys(tx, stationId, body.data.publicKey ?? null, body.data.reason, ctx.now());
      await audit(tx, caller, 'stations.revoke', { stationId, publicKey: body.data.publicKey ?? null }, n, ctx.now());
      return n;
    });
    if (revoked === 0) throw notFound('no live key for this station');
    return { revoked };
  });

  app.post('/v1/tokens', async (req, reply) => {
    const caller = requireRole(req, 'admin');
    const body = tokenBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected { role, subject?, label?, ttlDays? }');
    const created = await ctx.db.transaction(async (tx) => {
      const t = await createToken(tx, body.data.role, body.data.subject ?? null, body.data.label ?? '', ctx.now(), body.data.ttlDays);
      await audit(tx, caller, 'tokens.create', { id: t.id, role: t.role, subject: t.subject, expiresAt: t.expiresAt }, 1, ctx.now());
      return t;
    });
    reply.code(201);
    return created;
  });

  app.delete('/v1/tokens/:id', async (req) => {
    const caller = requireRole(req, 'admin');
    const { id } = req.params as { id: string };
    const ok = await ctx.db.transaction(async (tx) => {
      const r = await revokeToken(tx, id, ctx.now());
      await audit(tx, caller, 'tokens.revoke', { id }, r ? 1 : 0, ctx.now());
      return r;
    });
    if (!ok) throw notFound('no live token with this id');
    return { revoked: true };
  });

  app.put('/v1/personal/:orderRef', async (req) => {
    const caller = requireRole(req, 'admin');
    const { orderRef } = req.params as { orderRef: string };
    return ctx.db.transaction(async (tx) => {
      const r = await putPersonalRecord(tx, orderRef, req.body, ctx.now());
      await audit(tx, caller, 'personal.write', { order: orderRef }, 1, ctx.now());
      return r;
    });
  });

  app.delete('/v1/personal/:orderRef', async (req) => {
    const caller = requireRole(req, 'admin');
    const { orderRef } = req.params as { orderRef: string };
    if (!ORDER_REF_RE.test(orderRef)) throw badRequest('malformed order reference');
    const ok = await ctx.db.transaction(async (tx) => {
      const r = await deletePersonalRecord(tx, orderRef);
      await audit(tx, caller, 'personal.delete', { order: orderRef }, r ? 1 : 0, ctx.now());
      return r;
    });
    if (!ok) throw notFound('no personal record for this order');
    await ctx.db.reclaim(['personal_records']);
    return { deleted: true };
  });

  app.get('/v1/incidents', async (req) => {
    const caller = requireRole(req, 'admin');
    const entries = await listIncidents(ctx.db);
    await audit(ctx.db, caller, 'incidents.read', {}, entries.length, ctx.now());
    return { incidents: entries };
  });

  app.get('/v1/access-request', async (req, reply) => {
    const caller = requireRole(req, 'admin');
    const q = req.query as Record<string, unknown>;
    const format = q['format'] ?? 'json';
    if (format !== 'json' && format !== 'pdf') throw badRequest('format is json or pdf');
    const { format: _format, ...rest } = q;
    const result = await exportAccessRequest(ctx.db, caller, parseAccessSubject(rest), ctx.now());
    if (format === 'json') return result;
    const pdf = await renderAccessReportPdf(result);
    return reply.type('application/pdf').header('content-disposition', 'attachment; filename="scelle-access-request.pdf"').send(Buffer.from(pdf));
  });

  app.get('/v1/audit', async (req) => {
    const caller = requireRole(req, 'admin');
    const q = z.object({ since: z.string().optional(), limit: z.coerce.number().int().min(1).max(10_000).optional() }).safeParse(req.query);
    if (!q.success) throw badRequest('expected since (RFC 3339) and limit (1..10000)');
    const entries = await readAudit(ctx.db, q.data.since ?? null, q.data.limit ?? 1000);
    await audit(ctx.db, caller, 'audit.read', { since: q.data.since ?? null }, entries.length, ctx.now());
    return { entries };
  });

  app.get('/v1/admin/integrity', async (req) => {
    const caller = requireRole(req, 'admin');
    const report = await checkIntegrity(ctx.db, [ctx.serviceKey.publicKey]);
    await audit(ctx.db, caller, 'integrity.check', {}, report.problems.length, ctx.now());
    return report;
  });

  app.post('/v1/admin/retention', async (req) => {
    requireRole(req, 'admin');
    return { deleted: await runRetention(ctx, ctx.now()) };
  });
}
