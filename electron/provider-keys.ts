/**
 * Public keys the app pins at build time: the provider's root keys (which certify stations)
 * and the escrow key (an X25519 recipient added to every seal when asked). Public only.
 * The provider fills these in for its builds; empty means "no certified stations / no escrow".
 */

/** base64 Ed25519 public keys of the provider roots. */
export const PINNED_ROOTS: string[] = [];

/** base64 X25519 public key of the provider's escrow, or null. */
export const ESCROW_PUBLIC_KEY: string | null = null;
