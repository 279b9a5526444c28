/**
 * Bearer tokens. A token is `sct_` + 43 base64url characters (256 random bits); the database
 * stores only its SHA-256 (hex), so a database leak reveals no usable token. A token has one
 * role and, for `customer` (required) and `station` (required), a subject it is bound to.
 * Every token expires (`expires_at`; tokens from before expiry existed expire
 * {@link DEFAULT_TOKEN_TTL_DAYS} after creation) and its holder can rotate it before then.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { str, type Tx } from '../db/driver.js';
import { ROLES, type Caller, type Role } from './caller.js';

const TOKEN_RE = /^sct_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 86_400_000;

/** Lifetime of a token when none is given (days). */
export const DEFAULT_TOKEN_TTL_DAYS = 90;
/** Longest lifetime a token may be given (days). */
export const MAX_TOKEN_TTL_DAYS = 365;
/** How long a rotated token keeps working after its replacement was issued (lost answers, other processes). */
export const ROTATION_GRACE_MS = 10 * 60_000;

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
  /** RFC 3339 UTC: the token is refused from this time on */
  expiresAt: string;
}

/**
 * Creates a token valid for `ttlDays` (default {@link DEFAULT_TOKEN_TTL_DAYS}). `subject` is
 * required for `customer` (the drive id) and for `station` (the station id); it must be null
 * for other roles.
 * @throws ScelleError E_USAGE on an unknown role, a missing/forbidden subject, or a lifetime
 *   that is not a whole number of days between 1 and {@link MAX_TOKEN_TTL_DAYS}.
 */
export async function createToken(tx: Tx, role: string, subject: string | null, label: string, now: Date, ttlDays: number = DEFAULT_TOKEN_TTL_DAYS): Promise<CreatedToken> {
  if (!(ROLES as readonly string[]).includes(role)) throw new ScelleError('E_USAGE', 'unknown role', { role });
  if (role === 'customer' && !subject) throw new ScelleError('E_USAGE', 'a customer token is bound to one drive: subject is required');
  if (role === 'station' && !subject) throw new ScelleError('E_USAGE', 'a station token names its station: subject (the station id) is required');
  if ((role === 'admin' || role === 'support') && subject) throw new ScelleError('E_USAGE', `a ${role} token has no subject`);
  if (subject !== null && !/^[A-Za-z0-9._:-]{1,128}$/.test(subject)) throw new ScelleError('E_USAGE', 'malformed subject');
  if (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > MAX_TOKEN_TTL_DAYS) {
    throw new ScelleError('E_USAGE', `a token lives 1 to ${MAX_TOKEN_TTL_DAYS} days`, { ttlDays: String(ttlDays) });
  }
  const token = `sct_${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(9).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlDays * DAY_MS).toISOString();
  const stored = label.slice(0, 200);
  await tx.run(`INSERT INTO tokens (id, token_hash, role, subject, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    id,
    hashToken(token),
    role,
    subject,
    stored,
    now.toISOString(),
    expiresAt,
  ]);
  return { id, token, role: role as Role, subject, label: stored, expiresAt };
}

/** When a token row expires: its `expires_at`, else (older rows) creation + the default lifetime. */
function expiryOf(row: Record<string, unknown>): string {
  const explicit = str(row['expires_at']);
  if (explicit) return explicit;
  return new Date(Date.parse(String(row['created_at'])) + DEFAULT_TOKEN_TTL_DAYS * DAY_MS).toISOString();
}

/** Why a bearer token was refused: `invalid` (missing, malformed, unknown, revoked) or `expired`. */
export type AuthFailure = 'invalid' | 'expired';

/**
 * The caller identified by the `Authorization: Bearer <token>` header value at `now`, or why
 * none is: `invalid` when the header is missing, malformed, unknown or revoked, `expired` when
 * the token's lifetime is over. Never throws on bad input.
 */
export async function authenticate(tx: Tx, authorization: string | undefined, now: Date): Promise<Caller | AuthFailure> {
  if (!authorization) return 'invalid';
  const m = /^Bearer (\S+)$/.exec(authorization);
  const token = m?.[1];
  if (!token || !TOKEN_RE.test(token)) return 'invalid';
  const row = (await tx.query(`SELECT id, role, subject, created_at, expires_at, revoked_at FROM tokens WHERE token_hash = ?`, [hashToken(token)]))[0];
  if (!row || (row['revoked_at'] !== null && row['revoked_at'] !== undefined)) return 'invalid';
  const role = String(row['role']);
  if (!(ROLES as readonly string[]).includes(role)) return 'invalid';
  const expiresAt = expiryOf(row);
  if (!(Date.parse(expiresAt) > now.getTime())) return 'expired';
  return { tokenId: String(row['id']), role: role as Role, subject: str(row['subject']), expiresAt };
}

/**
 * Rotates the caller's own token: issues a new one with the same role, subject and label, valid
 * for `ttlDays`, and lets the old one expire {@link ROTATION_GRACE_MS} from `now` (sooner if it
 * already would), so that an answer lost on the way does not lock the holder out.
 * @throws ScelleError E_USAGE on a bad lifetime (see createToken).
 */
export async function rotateToken(tx: Tx, caller: Caller, now: Date, ttlDays: number = DEFAULT_TOKEN_TTL_DAYS): Promise<CreatedToken> {
  const row = (await tx.query(`SELECT label FROM tokens WHERE id = ?`, [caller.tokenId]))[0];
  const created = await createToken(tx, caller.role, caller.subject, String(row?.['label'] ?? ''), now, ttlDays);
  const graceEnd = new Date(Math.min(now.getTime() + ROTATION_GRACE_MS, Date.parse(caller.expiresAt))).toISOString();
  await tx.run(`UPDATE tokens SET expires_at = ? WHERE id = ?`, [graceEnd, caller.tokenId]);
  return created;
}

/** Revokes a token by id. @returns true if a live token was revoked. */
export async function revokeToken(tx: Tx, id: string, now: Date): Promise<boolean> {
  return (await tx.run(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [now.toISOString(), id])) > 0;
}
