/**
 * Who is calling: the role and subject of the bearer token that authenticated a request.
 */

/** The four roles of the custody service. */
export const ROLES = ['admin', 'station', 'support', 'customer'] as const;
/** One role. */
export type Role = (typeof ROLES)[number];

/** The authenticated caller of a request. */
export interface Caller {
  /** id of the token (not the token itself; safe to log and audit) */
  readonly tokenId: string;
  readonly role: Role;
  /**
   * What the token is bound to: the drive id for `customer` (required), the station id for
   * `station` (required for new tokens; a legacy token without one may not push station events), else null.
   */
  readonly subject: string | null;
  /** RFC 3339 UTC: when the token stops working */
  readonly expiresAt: string;
}
