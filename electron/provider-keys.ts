/**
 * The provider configuration this build carries (dist/provider.json, written at build time by
 * build/provider-config.mjs from $SCELLE_PROVIDER; see shared/provider): the provider's root
 * keys, which certify stations, and its escrow key (an X25519 recipient added to every seal
 * when asked). Public only. A development build carries none: no certified stations, no
 * escrow. Read once at startup; a missing or damaged file stops the app (E_PROVIDER_CONFIG)
 * rather than let it trust nothing, or anything, without saying so.
 */
import { fileURLToPath } from 'node:url';
import { readProviderConfig, type ProviderConfig } from '../shared/provider/provider-config.js';

/** The provider configuration, or null for a development build. */
export const PROVIDER: ProviderConfig | null = readProviderConfig(fileURLToPath(new URL('../provider.json', import.meta.url)));

/** base64 Ed25519 public keys of the provider roots. */
export const PINNED_ROOTS: string[] = PROVIDER?.roots ?? [];

/** base64 X25519 public key of the provider's escrow, or null. */
export const ESCROW_PUBLIC_KEY: string | null = PROVIDER?.escrowPublicKey ?? null;
