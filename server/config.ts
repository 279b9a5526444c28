/**
 * Configuration of the custody service from command-line flags and environment variables
 * (flags win). Documented in docs/SERVER.md.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { parseAccessSubject, type AccessSubject } from './access/access-request.js';
import { DEFAULT_TOKEN_TTL_DAYS } from './auth/tokens.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './http/rate-limits.js';
import { DEFAULT_STATION_CERTIFICATE_DAYS } from './custody/station-certificates.js';
import { MAX_STATION_VALIDITY_DAYS } from '../shared/format/station.js';

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
  /** The issuing key file and its certificate (both or neither): station certificate renewal. */
  issuingKeyFile: string | null;
  issuingCertificateFile: string | null;
  /** Life of an issued station certificate, in days (1..90; capped by the issuing certificate). */
  stationCertificateDays: number;
  /** origin line of the log's checkpoint notes; null = `scelle-custody/<service key id>` */
  logOrigin: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
  /** minutes between retention runs; 0 disables the schedule */
  retentionIntervalMinutes: number;
  log: boolean;
  /**
   * Addresses/CIDR ranges of the TLS-terminating proxies in front of the service (empty: none).
   * Declaring one allows plain HTTP on a non-loopback address and makes rate limits count the
   * client named by the proxy's X-Forwarded-For.
   */
  tlsProxies: string[];
  /** requests per minute: per address, failed authentications per address, per token */
  rateLimits: RateLimits;
  /** one-shot commands instead of serving */
  command:
    | { kind: 'serve' }
    | { kind: 'help' }
    | { kind: 'run-retention' }
    | { kind: 'create-token'; role: string; subject: string | null; label: string; ttlDays: number }
    | { kind: 'access-request'; subject: AccessSubject; format: 'json' | 'pdf'; out: string | null };
}

/** True for a listen address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
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
  --issuing-key-file <file>     the service's issuing key, certified by the root (SCELLE_ISSUING_KEY_FILE)
  --issuing-certificate <file>  its issuing certificate (SCELLE_ISSUING_CERTIFICATE): both or neither
  --station-cert-days <n>       life of the station certificates it issues, 1-90 (SCELLE_STATION_CERT_DAYS, default 30)
  --log-origin <name>           origin line of the log's signed checkpoints (SCELLE_LOG_ORIGIN, default scelle-custody/<key id>)
  --tls-cert <pem> --tls-key <pem>  serve HTTPS (SCELLE_TLS_CERT, SCELLE_TLS_KEY)
  --retention-interval <min>    minutes between retention runs, 0 = never (SCELLE_RETENTION_INTERVAL_MINUTES, default 60)
  --behind-tls-proxy <addr>     plain HTTP for a TLS-terminating proxy at <addr> (IP or CIDR, comma-separated;
                                SCELLE_BEHIND_TLS_PROXY): required to serve plain HTTP on a non-loopback address
  --rate-limit-per-address <n>  requests per minute from one address (SCELLE_RATE_LIMIT_PER_ADDRESS, default ${DEFAULT_RATE_LIMITS.perAddress})
  --rate-limit-per-token <n>    requests per minute with one token (SCELLE_RATE_LIMIT_PER_TOKEN, default ${DEFAULT_RATE_LIMITS.perToken})
  --rate-limit-auth-failures <n>  failed authentications per minute from one address (SCELLE_RATE_LIMIT_AUTH_FAILURES, default ${DEFAULT_RATE_LIMITS.authFailuresPerAddress})
  --log                         log requests (SCELLE_LOG=1)
  --run-retention               run retention once and exit
  --create-token <role> [--subject <id>] [--label <text>] [--ttl-days <n>]
                                create a token (admin, station, support, customer), print it once, exit;
                                --subject is required: the station id for station, the drive id for customer
  --access-request --order <ref> | --drive <id> | --contact <text> [--format json|pdf] [--out <file>]
                                export everything held about an order, drive or customer contact (audited), exit
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
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        sqlite: { type: 'string' },
        'service-key-file': { type: 'string' },
        'root-public-key': { type: 'string' },
        'issuing-key-file': { type: 'string' },
        'issuing-certificate': { type: 'string' },
        'station-cert-days': { type: 'string' },
        'log-origin': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'retention-interval': { type: 'string' },
        log: { type: 'boolean' },
        'run-retention': { type: 'boolean' },
        'create-token': { type: 'string' },
        subject: { type: 'string' },
        label: { type: 'string' },
        help: { type: 'boolean' },
        'ttl-days': { type: 'string' },
        'behind-tls-proxy': { type: 'string' },
        'rate-limit-per-address': { type: 'string' },
        'rate-limit-per-token': { type: 'string' },
        'rate-limit-auth-failures': { type: 'string' },
        'access-request': { type: 'boolean' },
        order: { type: 'string' },
        drive: { type: 'string' },
        contact: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
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
  const issuingKeyFile = pick(values['issuing-key-file'], 'SCELLE_ISSUING_KEY_FILE');
  const issuingCertificateFile = pick(values['issuing-certificate'], 'SCELLE_ISSUING_CERTIFICATE');
  if ((issuingKeyFile === null) !== (issuingCertificateFile === null))
    throw new ScelleError('E_SERVER_CONFIG', 'give both --issuing-key-file and --issuing-certificate, or neither');
  if (issuingKeyFile !== null && rootPublicKey === null) throw new ScelleError('E_SERVER_CONFIG', 'an issuing key needs --root-public-key (the root that certified it)');
  const stationCertificateDays = int(
    pick(values['station-cert-days'], 'SCELLE_STATION_CERT_DAYS'),
    'station certificate days',
    DEFAULT_STATION_CERTIFICATE_DAYS,
    MAX_STATION_VALIDITY_DAYS,
  );
  if (stationCertificateDays < 1)
    throw new ScelleError('E_SERVER_CONFIG', `station certificate days must be an integer between 1 and ${MAX_STATION_VALIDITY_DAYS}`, { name: 'station certificate days' });
  const logOrigin = pick(values['log-origin'], 'SCELLE_LOG_ORIGIN');
  if (logOrigin !== null && !/^[\x21-\x2a\x2c-\x7e]{1,200}$/.test(logOrigin))
    throw new ScelleError('E_SERVER_CONFIG', 'the log origin must be 1 to 200 printable ASCII characters without spaces or "+", e.g. custody.example.ca/log');
  const createRole = values['create-token'];
  let command: ServerConfig['command'];
  if (values.help) command = { kind: 'help' };
  else if (values['run-retention']) command = { kind: 'run-retention' };
  else if (createRole !== undefined) {
    command = {
      kind: 'create-token',
      role: createRole,
      subject: values.subject ?? null,
      label: values.label ?? `created from the command line`,
      ttlDays: int(values['ttl-days'] ?? null, 'token lifetime in days', DEFAULT_TOKEN_TTL_DAYS, 365),
    };
  } else if (values['access-request']) {
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'pdf') throw new ScelleError('E_SERVER_CONFIG', '--format is json or pdf');
    let subject: AccessSubject;
    try {
      subject = parseAccessSubject({ order: values.order, drive: values.drive, contact: values.contact });
    } catch (cause) {
      throw new ScelleError(
        'E_SERVER_CONFIG',
        `--access-request needs exactly one of --order, --drive or --contact (${cause instanceof Error ? cause.message : ''})`,
        {},
        { cause },
      );
    }
    if (format === 'pdf' && !values.out) throw new ScelleError('E_SERVER_CONFIG', 'a PDF export needs --out <file>');
    command = { kind: 'access-request', subject, format, out: values.out ?? null };
  } else command = { kind: 'serve' };
  const host = pick(values.host, 'SCELLE_HOST') ?? '127.0.0.1';
  const tlsProxies = (pick(values['behind-tls-proxy'], 'SCELLE_BEHIND_TLS_PROXY') ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const p of tlsProxies) {
    if (!/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(p)) throw new ScelleError('E_SERVER_CONFIG', `--behind-tls-proxy takes IP addresses or CIDR ranges, not "${p.slice(0, 64)}"`);
  }
  if (command.kind === 'serve' && tlsCert === null && tlsProxies.length === 0 && !isLoopbackHost(host)) {
    throw new ScelleError(
      'E_SERVER_CONFIG',
      `refusing to serve plain HTTP on ${host}: give --tls-cert and --tls-key, or --behind-tls-proxy <proxy address> when a TLS-terminating proxy forwards to this service, or listen on 127.0.0.1`,
      { host },
    );
  }
  const rateLimits: RateLimits = {
    perAddress: int(pick(values['rate-limit-per-address'], 'SCELLE_RATE_LIMIT_PER_ADDRESS'), 'rate limit per address', DEFAULT_RATE_LIMITS.perAddress, 1_000_000) || 1,
    perToken: int(pick(values['rate-limit-per-token'], 'SCELLE_RATE_LIMIT_PER_TOKEN'), 'rate limit per token', DEFAULT_RATE_LIMITS.perToken, 1_000_000) || 1,
    authFailuresPerAddress:
      int(pick(values['rate-limit-auth-failures'], 'SCELLE_RATE_LIMIT_AUTH_FAILURES'), 'failed authentications limit', DEFAULT_RATE_LIMITS.authFailuresPerAddress, 1_000_000) || 1,
  };
  return {
    host,
    port: int(pick(values.port, 'SCELLE_PORT'), 'port', tlsCert ? 8443 : 8080, 65535),
    databaseUrl: env['DATABASE_URL'] && env['DATABASE_URL'] !== '' ? env['DATABASE_URL'] : null,
    dataDir,
    sqliteFile: pick(values.sqlite, 'SCELLE_SQLITE_FILE') ?? join(dataDir, 'custody.sqlite'),
    serviceKeyFile: pick(values['service-key-file'], 'SCELLE_SERVICE_KEY_FILE') ?? join(dataDir, 'service-key'),
    rootPublicKey,
    issuingKeyFile,
    issuingCertificateFile,
    stationCertificateDays,
    logOrigin,
    tlsCert,
    tlsKey,
    retentionIntervalMinutes: int(pick(values['retention-interval'], 'SCELLE_RETENTION_INTERVAL_MINUTES'), 'retention interval', 60, 525_600),
    log: values.log === true || env['SCELLE_LOG'] === '1',
    tlsProxies,
    rateLimits,
    command,
  };
}
