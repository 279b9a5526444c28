/** Routes the custody service answers without a token, by method (see http/auth.ts). */

/** Routes whose GET is public: the provider's revocation list (routes-revocations.ts), which a drive's verdict must not need a token for. */
export const PUBLIC_GET_ROUTES: readonly string[] = ['/v1/revocations'];
