/**
 * The one query layer of the custody service. Every module of server/ talks to the database
 * through {@link Db} only, with SQL written once for both engines:
 * - placeholders are `?` (translated to `$1…` for PostgreSQL by the postgres driver);
 * - types are TEXT and BIGINT only (hashes and signatures as hex/base64 TEXT, times as
 *   RFC 3339 UTC TEXT, which sorts chronologically), so results look the same on both engines
 *   once BIGINT columns are read with {@link num}.
 */
import { ScelleError } from '../../shared/errors/scelle-error.js';

/** A value that can be bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** A result row: column name to value (BIGINT may come back as a string from PostgreSQL). */
export type Row = Record<string, unknown>;

/** Which engine a {@link Db} runs on. */
export type Engine = 'sqlite' | 'postgres';

/** Statements run inside one transaction (see {@link Db.transaction}). */
export interface Tx {
  /** Runs a query and returns its rows. @throws ScelleError E_SERVER_DATABASE on failure. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows changed. @throws ScelleError E_SERVER_DATABASE. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). @throws E_SERVER_DATABASE. */
  exec(sql: string): Promise<void>;
}

/** A database handle: queries outside a transaction, transactions, and close. */
export interface Db extends Tx {
  readonly engine: Engine;
  /**
   * Runs `fn` in one serializable-enough transaction: commits if it resolves, rolls back if it
   * rejects (and rethrows). On SQLite the transaction is BEGIN IMMEDIATE and transactions are
   * serialized in-process; on PostgreSQL it is READ COMMITTED and callers take row locks
   * (e.g. `SELECT … FOR UPDATE`, written {@link Db.forUpdate}) where they need serialization.
   * Inside `fn`, use only `tx`: calling the Db itself would wait for this very transaction on
   * SQLite (a deadlock) and run outside it on PostgreSQL.
   * @throws whatever `fn` throws (after rollback); ScelleError E_SERVER_DATABASE on BEGIN/COMMIT failure.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The row-locking suffix for a SELECT: ' FOR UPDATE' on PostgreSQL, '' on SQLite. */
  readonly forUpdate: string;
  /**
   * Makes the bytes of rows deleted from `tables` unrecoverable from the database's files as far
   * as the engine allows, outside any transaction (call it after the deleting transaction
   * committed). SQLite (opened with `secure_delete`, which zeroes freed content): checkpoints
   * the WAL and truncates it, VACUUMs (rewrites the file without free pages) and truncates the
   * WAL again, so neither `<file>` nor `<file>-wal` keeps the text. PostgreSQL: `VACUUM` of each
   * table, which marks dead tuples' space reusable but does not overwrite it; full erasure needs
   * `VACUUM FULL` (an exclusive lock, so it is left to the operator: docs/SERVER.md).
   * @throws ScelleError E_SERVER_DATABASE on failure (the deletion itself stays committed).
   */
  reclaim(tables: readonly string[]): Promise<void>;
  /** Closes the connection(s). Idempotent. */
  close(): Promise<void>;
}

/**
 * Reads a BIGINT/INTEGER column (number on SQLite, string on PostgreSQL) as a safe integer.
 * @throws ScelleError E_SERVER_DATABASE if the value is not an integer.
 */
export function num(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new ScelleError('E_SERVER_DATABASE', 'expected an integer column', { value: String(v) });
  }
  return n;
}

/** Reads a TEXT column; null/undefined become null. */
export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

/** Wraps a driver error into ScelleError E_SERVER_DATABASE, keeping the driver's message and code. */
export function dbError(cause: unknown): ScelleError {
  if (cause instanceof ScelleError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  return new ScelleError('E_SERVER_DATABASE', `database error: ${message}`, { driverCode: code }, { cause });
}
