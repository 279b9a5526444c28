/**
 * Bearer tokens. A token is `sct_` + 43 base64url characters (256 random bits); the database
 * stores only its SHA-256 (hex), so a database leak reveals no usable token. A token has one
 * role and, for `customer` (required) and `station` (required), a subject it is bound to.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { str, type Tx } from '../db/driver.js';
import { ROLES, type Caller, type Role } from './caller.js';

const TOKEN_RE = /^sct_[A-Za-z0-9_-]{43}$/;

/** SHA-256 hex of a token: what the database stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A newly created token: `token` is shown once and never stored. */
export interface CreatedToken {
  id: string;
  token: string;
  role: Role;
  subject: string | null;
  label: string;
}

/**
 * Creates a token. `subject` is required for `customer` (the drive id) and for `station` (the
 * station id); it must be null for other roles.
 * @throws ScelleError E_USAGE on an unknown role or a missing/forbidden subject.
 */
export async function createToken(tx: Tx, role: string, subject: string | null, label: string, now: Date): Promise<CreatedToken> {
  if (!(ROLES as readonly string[]).includes(role)) throw new ScelleError('E_USAGE', 'unknown role', { role });
  if (role === 'customer' && !subject) throw new ScelleError('E_USAGE', 'a customer token is bound to one drive: subject is required');
  if (role === 'station' && !subject) throw new ScelleError('E_USAGE', 'a station token names its station: subject (the station id) is required');
  if ((role === 'admin' || role === 'support') && subject) throw new ScelleError('E_USAGE', `a ${role} token has no subject`);
  if (subject !== null && !/^[A-Za-z0-9._:-]{1,128}$/.test(subject)) throw new ScelleError('E_USAGE', 'malformed subject');
  const token = `sct_${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(9).toString('base64url');
  await tx.run(`INSERT INTO tokens (id, token_hash, role, subject, label, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    [id, hashToken(token), role, subject, label.slice(0, 200), now.toISOString()]);
  return { id, token, role: role as Role, subject, label };
}

/**
 * The caller identified by the `Authorization: Bearer <token>` header value, or null when the
 * header is missing, malformed, unknown or revoked. Never throws on bad input.
 */
export async function authenticate(tx: Tx, authorization: string | undefined): Promise<Caller | null> {
  if (!authorization) return null;
  const m = /^Bearer (\S+)$/.exec(authorization);
  const token = m?.[1];
  if (!token || !TOKEN_RE.test(token)) return null;
  const row = (await tx.query(`SELECT id, role, subject, revoked_at FROM tokens WHERE token_hash = ?`, [hashToken(token)]))[0];
  if (!row || row['revoked_at'] !== null && row['revoked_at'] !== undefined) return null;
  const role = String(row['role']);
  if (!(ROLES as readonly string[]).includes(role)) return null;
  return { tokenId: String(row['id']), role: role as Role, subject: str(row['subject']) };
}

/** Revokes a token by id. @returns true if a live token was revoked. */
export async function revokeToken(tx: Tx, id: string, now: Date): Promise<boolean> {
  return (await tx.run(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [now.toISOString(), id])) > 0;
}
