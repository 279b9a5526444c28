/**
 * How the app seals its custody tokens at rest: with Electron's safeStorage (the OS keychain:
 * DPAPI on Windows, Keychain on macOS, libsecret/KWallet on Linux), injected as a
 * {@link SecretCipher} so that the settings store runs in plain Node and in tests.
 */
import { ScelleError } from '../shared/errors/scelle-error.js';

/** Encrypts and decrypts small secrets with a key the OS keeps for this user. */
export interface SecretCipher {
  /** False when no OS keychain protects the key (then nothing secret is stored). */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  /** @throws when `sealed` was not made by this cipher (another user, machine or key). */
  decrypt(sealed: Buffer): string;
}

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

/**
 * A SecretCipher over Electron's safeStorage. On Linux, the `basic_text` backend (a fixed key
 * used when no keyring runs) counts as unavailable: it would only obscure the tokens.
 */
export function safeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    isAvailable: () => safeStorage.isEncryptionAvailable() && !(platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text'),
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  };
}

/** E_CUSTODY_SYNC `no-secure-storage`: tokens cannot be stored without an OS keychain. */
export function noSecureStorage(): ScelleError {
  return new ScelleError(
    'E_CUSTODY_SYNC',
    'this computer offers no OS keychain to protect the custody tokens (on Linux: run GNOME Keyring or KWallet), so they are not stored; enrol again once it is available',
    { reason: 'no-secure-storage' },
  );
}
