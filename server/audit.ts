/**
 * The audit log: one append-only row for every lookup of custody or personal data (who, what
 * query, when, how many results), and for administrative actions. Readable by admins only.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './auth/caller.js';
import { num, str, type Row, type Tx } from './db/driver.js';

/** One audit row as returned to admins. */
export interface AuditEntry {
  id: string;
  at: string;
  tokenId: string | null;
  role: string | null;
  action: string;
  query: string;
  resultCount: number;
}

/**
 * Appends an audit row. `query` is a short JSON description of what was asked (never a token).
 * @throws ScelleError E_SERVER_DATABASE when the row cannot be written (the caller must then
 *   fail the request: no lookup without its audit row).
 */
export async function audit(tx: Tx, caller: Caller | null, action: string, query: Record<string, unknown>, resultCount: number, now: Date): Promise<void> {
  await tx.run(`INSERT INTO audit_log (id, at, token_id, role, action, query, result_count) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    randomUUID(),
    now.toISOString(),
    caller?.tokenId ?? null,
    caller?.role ?? null,
    action,
    JSON.stringify(query),
    resultCount,
  ]);
}

/** Audit rows, newest first, optionally since `since` (RFC 3339), at most `limit`. */
export async function readAudit(tx: Tx, since: string | null, limit: number): Promise<AuditEntry[]> {
  const rows = since
    ? await tx.query(`SELECT * FROM audit_log WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?`, [since, limit])
    : await tx.query(`SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?`, [limit]);
  return rows.map(auditEntryOfRow);
}

/** The entry of an `audit_log` row. */
export function auditEntryOfRow(r: Row): AuditEntry {
  return {
    id: String(r['id']),
    at: String(r['at']),
    tokenId: str(r['token_id']),
    role: str(r['role']),
    action: String(r['action']),
    query: String(r['query']),
    resultCount: num(r['result_count']),
  };
}
