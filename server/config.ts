/**
 * Configuration of the custody service from command-line flags and environment variables
 * (flags win). Documented in docs/SERVER.md.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScelleError } from '../shared/errors/scelle-error.js';

/** The parsed configuration. */
export interface ServerConfig {
  host: string;
  port: number;
  /** PostgreSQL URL (DATABASE_URL); when null, SQLite at `sqliteFile`. */
  databaseUrl: string | null;
  sqliteFile: string;
  dataDir: string;
  serviceKeyFile: string;
  rootPublicKey: string | null;
  /** origin line of the log's checkpoint notes; null = `scelle-custody/<service key id>` */
  logOrigin: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
  /** minutes between retention runs; 0 disables the schedule */
  retentionIntervalMinutes: number;
  log: boolean;
  /** one-shot commands instead of serving */
  command: { kind: 'serve' } | { kind: 'help' } | { kind: 'run-retention' } | { kind: 'create-token'; role: string; subject: string | null; label: string };
}

/** Usage text of `node dist/server/main.js`. */
export const USAGE = `Scellé custody service

usage: node dist/server/main.js [options]
  --host <addr>                 listen address (SCELLE_HOST, default 127.0.0.1)
  --port <n>                    listen port (SCELLE_PORT, default 8443 with TLS, else 8080)
  --data-dir <dir>              SQLite file and generated service key (SCELLE_DATA_DIR, default ./scelle-data)
  --sqlite <file>               SQLite database file (SCELLE_SQLITE_FILE, default <data-dir>/custody.sqlite)
  (DATABASE_URL=postgres://…    use PostgreSQL instead of SQLite)
  --service-key-file <file>     Ed25519 seed, base64 (SCELLE_SERVICE_KEY_FILE, default <data-dir>/service-key, created if missing)
  --root-public-key <base64>    provider root key that signs station certificates (SCELLE_ROOT_PUBLIC_KEY)
  --log-origin <name>           origin line of the log's signed checkpoints (SCELLE_LOG_ORIGIN, default scelle-custody/<key id>)
  --tls-cert <pem> --tls-key <pem>  serve HTTPS (SCELLE_TLS_CERT, SCELLE_TLS_KEY)
  --retention-interval <min>    minutes between retention runs, 0 = never (SCELLE_RETENTION_INTERVAL_MINUTES, default 60)
  --log                         log requests (SCELLE_LOG=1)
  --run-retention               run retention once and exit
  --create-token <role> [--subject <id>] [--label <text>]
                                create a token (admin, station, support, customer), print it once, exit;
                                --subject is required: the station id for station, the drive id for customer
  --help`;

/**
 * Parses flags (`argv` without node and script) and `env`.
 * @throws ScelleError E_SERVER_CONFIG on an unknown flag or an invalid value.
 */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' }, sqlite: { type: 'string' },
        'service-key-file': { type: 'string' }, 'root-public-key': { type: 'string' }, 'log-origin': { type: 'string' }, 'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' }, 'retention-interval': { type: 'string' }, log: { type: 'boolean' },
        'run-retention': { type: 'boolean' }, 'create-token': { type: 'string' }, subject: { type: 'string' },
        label: { type: 'string' }, help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new ScelleError('E_SERVER_CONFIG', cause instanceof Error ? cause.message : 'invalid arguments', {}, { cause });
  }
  const pick = (flag: string | undefined, name: string): string | null => flag ?? (env[name] && env[name] !== '' ? String(env[name]) : null);
  const tlsCert = pick(values['tls-cert'], 'SCELLE_TLS_CERT');
  const tlsKey = pick(values['tls-key'], 'SCELLE_TLS_KEY');
  if ((tlsCert === null) !== (tlsKey === null)) throw new ScelleError('E_SERVER_CONFIG', 'give both --tls-cert and --tls-key, or neither');
  const int = (text: string | null, name: string, fallback: number, max: number): number => {
    if (text === null) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new ScelleError('E_SERVER_CONFIG', `${name} must be an integer between 0 and ${max}`, { name });
    return n;
  };
  const dataDir = pick(values['data-dir'], 'SCELLE_DATA_DIR') ?? 'scelle-data';
  const rootPublicKey = pick(values['root-public-key'], 'SCELLE_ROOT_PUBLIC_KEY');
  if (rootPublicKey !== null && !/^[A-Za-z0-9+/]{43}=$/.test(rootPublicKey)) throw new ScelleError('E_SERVER_CONFIG', 'root public key must be base64 of 32 bytes');
  const logOrigin = pick(values['log-origin'], 'SCELLE_LOG_ORIGIN');
  if (logOrigin !== null && !/^[\x21-\x2a\x2c-\x7e]{1,200}$/.test(logOrigin)) throw new ScelleError('E_SERVER_CONFIG', 'the log origin must be 1 to 200 printable ASCII characters without spaces or "+", e.g. custody.example.ca/log');
  const createRole = values['create-token'];
  const command: ServerConfig['command'] = values.help ? { kind: 'help' }
    : values['run-retention'] ? { kind: 'run-retention' }
    : createRole !== undefined ? { kind: 'create-token', role: createRole, subject: values.subject ?? null, label: values.label ?? `created from the command line` }
    : { kind: 'serve' };
  return {
    host: pick(values.host, 'SCELLE_HOST') ?? '127.0.0.1',
    port: int(pick(values.port, 'SCELLE_PORT'), 'port', tlsCert ? 8443 : 8080, 65535),
    databaseUrl: env['DATABASE_URL'] && env['DATABASE_URL'] !== '' ? env['DATABASE_URL'] : null,
    dataDir,
    sqliteFile: pick(values.sqlite, 'SCELLE_SQLITE_FILE') ?? join(dataDir, 'custody.sqlite'),
    serviceKeyFile: pick(values['service-key-file'], 'SCELLE_SERVICE_KEY_FILE') ?? join(dataDir, 'service-key'),
    rootPublicKey,
    logOrigin,
    tlsCert,
    tlsKey,
    retentionIntervalMinutes: int(pick(values['retention-interval'], 'SCELLE_RETENTION_INTERVAL_MINUTES'), 'retention interval', 60, 525_600),
    log: values.log === true || env['SCELLE_LOG'] === '1',
    command,
  };
}
