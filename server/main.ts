/**
 * Entry point of the custody service: `node dist/server/main.js [options]` (see config.ts and
 * docs/SERVER.md). Serves until SIGINT/SIGTERM; or runs a one-shot command and exits.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { exportAccessRequest } from './access/access-request.js';
import { renderAccessReportPdf } from './access/access-report-pdf.js';
import { createServer } from './app.js';
import { createToken } from './auth/tokens.js';
import { USAGE, parseConfig, type ServerConfig } from './config.js';
import type { Db } from './db/driver.js';
import { migrate } from './db/migrations.js';
import { loadIssuingKey } from './issuing-key.js';
import { openPostgres } from './db/postgres.js';
import { openSqlite } from './db/sqlite.js';
import { scheduleRetention } from './retention.js';
import { loadServiceKeyFile } from './service-key.js';
import { isScelleError, ScelleError } from '../shared/errors/scelle-error.js';

function openDb(cfg: ServerConfig): Db {
  if (cfg.databaseUrl) return openPostgres(cfg.databaseUrl);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  return openSqlite(cfg.sqliteFile);
}

async function main(): Promise<number> {
  const cfg = parseConfig(process.argv.slice(2), process.env);
  if (cfg.command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const serviceKey = loadServiceKeyFile(cfg.serviceKeyFile, true, (n) => new Uint8Array(randomBytes(n)));
  const db = openDb(cfg);
  if (cfg.command.kind === 'create-token') {
    try {
      await migrate(db);
      const t = await createToken(db, cfg.command.role, cfg.command.subject, cfg.command.label, new Date(), cfg.command.ttlDays);
      // The token is printed once, to stdout, for the operator; only its hash is stored.
      console.log(JSON.stringify({ id: t.id, role: t.role, subject: t.subject, expiresAt: t.expiresAt, token: t.token }));
      return 0;
    } finally {
      await db.close();
    }
  }
  if (cfg.command.kind === 'access-request') {
    try {
      await migrate(db);
      // Audited as access.export with no token (the operator ran it on the service's machine).
      const x = await exportAccessRequest(db, null, cfg.command.subject, new Date());
      const bytes = cfg.command.format === 'pdf' ? await renderAccessReportPdf(x) : Buffer.from(`${JSON.stringify(x, null, 2)}\n`);
      if (cfg.command.out) {
        try {
          // flag 'wx': never overwrite an existing file
          writeFileSync(cfg.command.out, bytes, { flag: 'wx', mode: 0o600 });
        } catch (cause) {
          const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
          throw new ScelleError('E_SERVER_CONFIG', exists ? `${cfg.command.out} already exists: choose another --out file` : `cannot write ${cfg.command.out}`, {}, { cause });
        }
      } else process.stdout.write(bytes);
      return 0;
    } finally {
      await db.close();
    }
  }
  const server = await createServer({
    db,
    serviceKey,
    rootPublicKey: cfg.rootPublicKey,
    issuing: cfg.issuingKeyFile && cfg.issuingCertificateFile ? await loadIssuingKey(cfg.issuingKeyFile, cfg.issuingCertificateFile, cfg.rootPublicKey) : null,
    stationCertificateDays: cfg.stationCertificateDays,
    logger: cfg.log,
    rateLimits: cfg.rateLimits,
    trustedProxies: cfg.tlsProxies,
    ...(cfg.logOrigin ? { logOrigin: cfg.logOrigin } : {}),
    ...(cfg.tlsCert && cfg.tlsKey ? { tls: { cert: readFileSync(cfg.tlsCert), key: readFileSync(cfg.tlsKey) } } : {}),
  });
  if (cfg.command.kind === 'run-retention') {
    const n = await server.runRetention(new Date());
    console.log(JSON.stringify({ deletedPersonalRecords: n }));
    await server.close();
    return 0;
  }
  const stop =
    cfg.retentionIntervalMinutes > 0
      ? scheduleRetention(server.ctx, cfg.retentionIntervalMinutes * 60_000, (e) => console.error('retention failed:', isScelleError(e) ? e.code : e))
      : () => undefined;
  const address = await server.app.listen({ host: cfg.host, port: cfg.port });
  console.log(`scelle custody service listening on ${address} (${db.engine}; service key ${serviceKey.keyId})`);
  await new Promise<void>((resolve) => {
    const shutdown = (): void => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  stop();
  await server.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(isScelleError(e) ? `${e.code}: ${e.message}` : e);
    process.exitCode = 1;
  },
);
