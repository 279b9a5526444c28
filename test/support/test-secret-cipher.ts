/**
 * TEST ONLY: a SecretCipher standing in for Electron's safeStorage in plain Node: AES-256-GCM
 * under a random key held by this object (what the OS keychain holds in the app), so sealed
 * tokens really are unreadable from the settings file. `available: false` acts as a machine
 * without a keychain.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../electron/secret-cipher.js';

/** A fresh test cipher (TEST ONLY). */
export function testSecretCipher(available = true): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => available,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
