/**
 * PostgreSQL engine of the query layer (pg). Queries use `?` placeholders like SQLite; they are
 * rewritten to `$1…` here (outside quoted strings and identifiers).
 */
import pg from 'pg';
import { dbError, type Db, type Row, type SqlValue, type Tx } from './driver.js';

/** Rewrites `?` placeholders to `$1, $2…`, leaving quoted text and identifiers untouched. */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

function wrap(client: pg.Pool | pg.PoolClient): Tx {
  const cache = new Map<string, string>();
  const text = (sql: string): string => {
    let t = cache.get(sql);
    if (t === undefined) {
      t = toPgPlaceholders(sql);
      cache.set(sql, t);
    }
    return t;
  };
  return {
    async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      try {
        return (await client.query(text(sql), params as SqlValue[])).rows as T[];
      } catch (e) {
        throw dbError(e);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      try {
        return (await client.query(text(sql), params as SqlValue[])).rowCount ?? 0;
      } catch (e) {
        throw dbError(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (e) {
        throw dbError(e);
      }
    },
  };
}

/**
 * Connects a pool to the PostgreSQL database at `url` (postgres://…). The first query fails
 * if the server is unreachable.
 * @param poolSize maximum number of connections (default 10).
 * @param schema when given, every connection uses this schema (search_path); it must exist
 *   (tests use one fresh schema per suite).
 */
export function openPostgres(url: string, poolSize = 10, schema?: string): Db {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw dbError(new Error('invalid schema name'));
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  // An idle client's error (e.g. the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  const direct = wrap(pool);
  let closed = false;
  return {
    engine: 'postgres',
    forUpdate: ' FOR UPDATE',
    query: direct.query,
    run: direct.run,
    exec: direct.exec,
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw dbError(e);
      }
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw dbError(e);
      } finally {
        client.release();
      }
    },
    async reclaim(tables: readonly string[]): Promise<void> {
      for (const t of tables) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(t)) throw dbError(new Error('invalid table name'));
        // VACUUM cannot run inside a transaction block: one pooled connection, autocommit.
        await direct.exec(`VACUUM ${t}`);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
