/**
 * The provider's revocation list of station certificates as the custody service keeps it
 * (shared/format/revocation.ts): the admin uploads each new list signed by the provider root;
 * the service keeps every list (append-only) and serves the newest, so that stations and
 * customers' machines can cache it for offline checks.
 */
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { decodeBase64 } from '../../shared/format/base64.js';
import { newerRevocationList, verifyRevocationList, type RevocationList } from '../../shared/format/revocation.js';
import type { Db, Tx } from '../db/driver.js';

/** The newest stored list, or null. */
export async function latestRevocationList(db: Db | Tx): Promise<RevocationList | null> {
  const row = (await db.query(`SELECT body FROM revocation_lists ORDER BY sequence DESC LIMIT 1`))[0];
  return row ? (JSON.parse(String(row['body'])) as RevocationList) : null;
}

/**
 * Checks `doc` against the provider root and stores it as the newest list. Storing the same
 * sequence again is idempotent when the list is identical.
 * @throws ScelleError E_REVOCATION_LIST (malformed, unknown-root, bad-signature, rollback, or a
 *   different list under a sequence already stored: `conflict`).
 */
export async function storeRevocationList(tx: Tx, rootPublicKey: string, doc: unknown, now: Date): Promise<{ list: RevocationList; stored: boolean }> {
  const list = verifyRevocationList(doc, [decodeBase64(rootPublicKey, 32)!]);
  const latest = await latestRevocationList(tx);
  newerRevocationList(latest, list);
  const body = JSON.stringify(list);
  if (latest && latest.sequence === list.sequence) {
    if (JSON.stringify(latest) === body) return { list, stored: false };
    throw new ScelleError('E_REVOCATION_LIST', `a different list no. ${list.sequence} is already stored`, { problem: 'conflict' });
  }
  await tx.query(`INSERT INTO revocation_lists (sequence, issued_at, stored_at, body) VALUES (?, ?, ?, ?)`, [list.sequence, list.issuedAt, now.toISOString(), body]);
  return { list, stored: true };
}
