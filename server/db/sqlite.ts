/**
 * SQLite engine of the query layer (better-sqlite3, one file, zero set-up). better-sqlite3 is
 * synchronous; this wrapper serializes transactions with an in-process queue so that an
 * `await` inside a transaction never lets another request's statements into it.
 */
import Database from 'better-sqlite3';
import { dbError, type Db, type Row, type SqlValue, type Tx } from './driver.js';

/**
 * Opens (creating if needed) the SQLite database at `file` (':memory:' for a private
 * in-memory one) in WAL mode with foreign keys and `secure_delete` on.
 * @throws ScelleError E_SERVER_DATABASE if the file cannot be opened.
 */
export function openSqlite(file: string): Db {
  let raw: Database.Database;
  try {
    raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    // Freed pages are overwritten with zeros, so deleted personal data does not linger in the
    // file's free pages (retention: see reclaim below and docs/SERVER.md).
    raw.pragma('secure_delete = ON');
  } catch (e) {
    throw dbError(e);
  }
  const db = raw;
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  const direct: Tx = {
    async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      try {
        const st = prepare(sql);
        return (st.reader ? st.all(...params) : (st.run(...params), [])) as T[];
      } catch (e) {
        throw dbError(e);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      try {
        return prepare(sql).run(...params).changes;
      } catch (e) {
        throw dbError(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        db.exec(sql);
      } catch (e) {
        throw dbError(e);
      }
    },
  };
  // Promise chain: each transaction (and each statement outside one) waits for the previous
  // transaction to settle.
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
  let closed = false;
  return {
    engine: 'sqlite',
    forUpdate: '',
    query: (sql, params) => serialize(() => direct.query(sql, params)),
    run: (sql, params) => serialize(() => direct.run(sql, params)),
    exec: (sql) => serialize(() => direct.exec(sql)),
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return serialize(async () => {
        try {
          db.exec('BEGIN IMMEDIATE');
        } catch (e) {
          throw dbError(e);
        }
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw dbError(e);
        }
      });
    },
    reclaim(_tables: readonly string[]): Promise<void> {
      return serialize(async () => {
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
          db.exec('VACUUM');
          db.pragma('wal_checkpoint(TRUNCATE)');
        } catch (e) {
          throw dbError(e);
        }
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await tail;
      db.close();
    },
  };
}
