import { describe, expect, it } from 'vitest';
import { isScelleError } from '../shared/errors/scelle-error.js';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('defaults to SQLite in ./scelle-data on 127.0.0.1:8080 with hourly retention', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: null, sqliteFile: 'scelle-data/custody.sqlite', serviceKeyFile: 'scelle-data/service-key', retentionIntervalMinutes: 60, command: { kind: 'serve' } });
  });
  it('uses PostgreSQL when DATABASE_URL is set, and flags win over the environment', () => {
    const c = parseConfig(['--port', '9000', '--data-dir', '/srv/scelle'], { DATABASE_URL: 'postgres://x@h/db', SCELLE_PORT: '7000', SCELLE_HOST: '0.0.0.0' });
    expect(c).toMatchObject({ databaseUrl: 'postgres://x@h/db', port: 9000, host: '0.0.0.0', sqliteFile: '/srv/scelle/custody.sqlite' });
  });
  it('serves TLS on 8443 when given a certificate and key, and refuses one without the other', () => {
    expect(parseConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {})).toMatchObject({ port: 8443, tlsCert: 'c.pem', tlsKey: 'k.pem' });
    expect(() => parseConfig(['--tls-cert', 'c.pem'], {})).toThrow(/both/);
  });
  it('takes the log origin from --log-origin or SCELLE_LOG_ORIGIN (default: none, the service derives one)', () => {
    expect(parseConfig([], {}).logOrigin).toBeNull();
    expect(parseConfig([], { SCELLE_LOG_ORIGIN: 'custody.example.ca/log' }).logOrigin).toBe('custody.example.ca/log');
    expect(parseConfig(['--log-origin', 'a.ca/x'], { SCELLE_LOG_ORIGIN: 'b.ca/y' }).logOrigin).toBe('a.ca/x');
  });
  it('parses one-shot commands', () => {
    expect(parseConfig(['--run-retention'], {}).command).toEqual({ kind: 'run-retention' });
    expect(parseConfig(['--create-token', 'customer', '--subject', 'D1', '--label', 'l'], {}).command).toEqual({ kind: 'create-token', role: 'customer', subject: 'D1', label: 'l' });
  });
  it('rejects unknown flags and bad values with E_SERVER_CONFIG', () => {
    for (const argv of [['--nope'], ['--port', '70000'], ['--retention-interval', '-1'], ['--root-public-key', 'abc'], ['--log-origin', 'with space'], ['--log-origin', 'a+b']]) {
      let err: unknown;
      try { parseConfig(argv, {}); } catch (e) { err = e; }
      expect(isScelleError(err, 'E_SERVER_CONFIG')).toBe(true);
    }
  });
});
