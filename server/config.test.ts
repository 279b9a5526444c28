import { describe, expect, it } from 'vitest';
import { isScelleError } from '../shared/errors/scelle-error.js';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('defaults to SQLite in ./scelle-data on 127.0.0.1:8080 with hourly retention', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: null,
      sqliteFile: 'scelle-data/custody.sqlite',
      serviceKeyFile: 'scelle-data/service-key',
      retentionIntervalMinutes: 60,
      command: { kind: 'serve' },
    });
  });
  it('uses PostgreSQL when DATABASE_URL is set, and flags win over the environment', () => {
    const c = parseConfig(['--port', '9000', '--data-dir', '/srv/scelle', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {
      DATABASE_URL: 'postgres://x@h/db',
      SCELLE_PORT: '7000',
      SCELLE_HOST: '0.0.0.0',
    });
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
    expect(parseConfig(['--create-token', 'customer', '--subject', 'D1', '--label', 'l'], {}).command).toEqual({
      kind: 'create-token',
      role: 'customer',
      subject: 'D1',
      label: 'l',
      ttlDays: 90,
    });
    expect(parseConfig(['--access-request', '--order', 'ORD-1', '--format', 'pdf', '--out', 'a.pdf'], {}).command).toEqual({
      kind: 'access-request',
      subject: { order: 'ORD-1' },
      format: 'pdf',
      out: 'a.pdf',
    });
    expect(() => parseConfig(['--access-request', '--order', 'ORD-1', '--drive', 'D'], {})).toThrow(/exactly one/);
    expect(() => parseConfig(['--access-request', '--order', 'ORD-1', '--format', 'pdf'], {})).toThrow(/--out/);
  });
  it('refuses plain HTTP on a non-loopback address unless a TLS proxy is declared', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'custody.example.ca']) {
      expect(() => parseConfig(['--host', host], {})).toThrow(/refusing to serve plain HTTP.*--behind-tls-proxy/);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(parseConfig(['--host', host], {}).host).toBe(host);
    expect(parseConfig(['--host', '0.0.0.0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}).host).toBe('0.0.0.0');
    expect(parseConfig(['--host', '0.0.0.0', '--behind-tls-proxy', '10.0.0.5,10.1.0.0/16'], {})).toMatchObject({ tlsProxies: ['10.0.0.5', '10.1.0.0/16'] });
    expect(parseConfig([], { SCELLE_HOST: '0.0.0.0', SCELLE_BEHIND_TLS_PROXY: '127.0.0.1' }).tlsProxies).toEqual(['127.0.0.1']);
    // one-shot commands do not listen
    expect(parseConfig(['--host', '0.0.0.0', '--run-retention'], {}).command.kind).toBe('run-retention');
    expect(() => parseConfig(['--host', '0.0.0.0', '--behind-tls-proxy', 'proxy.example'], {})).toThrow(/IP addresses/);
  });
  it('rejects unknown flags and bad values with E_SERVER_CONFIG', () => {
    for (const argv of [['--nope'], ['--port', '70000'], ['--retention-interval', '-1'], ['--root-public-key', 'abc'], ['--log-origin', 'with space'], ['--log-origin', 'a+b']]) {
      let err: unknown;
      try {
        parseConfig(argv, {});
      } catch (e) {
        err = e;
      }
      expect(isScelleError(err, 'E_SERVER_CONFIG')).toBe(true);
    }
  });
});
