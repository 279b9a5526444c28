import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testSecretCipher } from '../test/support/test-secret-cipher.js';
import { safeStorageCipher } from './secret-cipher.js';
import { JsonSettingsStore } from './settings-store.js';

const STATION = `sct_${'S'.repeat(43)}`;
const SUPPORT = `sct_${'P'.repeat(43)}`;
const KEYS = ['A'.repeat(43) + '='];
let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-settings-'));
  file = join(dir, 'settings.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function enrolled(cipher = testSecretCipher()): Promise<JsonSettingsStore> {
  const s = new JsonSettingsStore(file, cipher);
  await s.setSecrets({ stationToken: STATION, supportToken: SUPPORT, serviceKeys: KEYS }, 'https://custody.example.ca/api');
  await s.set({ custodyUrl: 'https://custody.example.ca/api', stationEnrolled: true });
  return s;
}

describe('custody tokens in the settings store', () => {
  it('are sealed in the file and returned for the origin they were issued for', async () => {
    const s = await enrolled();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(STATION);
    expect(text).not.toContain(SUPPORT);
    expect(await s.secrets()).toEqual({ stationToken: STATION, supportToken: SUPPORT, serviceKeys: KEYS, issuedAt: expect.stringMatching(/Z$/) });
    expect(JSON.stringify(await s.get())).not.toContain('sct_');
    // same origin, another path: kept
    await s.set({ custodyUrl: 'https://custody.example.ca/v2' });
    expect((await s.secrets()).stationToken).toBe(STATION);
  });

  it('token-to-new-URL: another custody origin (host, port or scheme) drops the tokens and the enrolment', async () => {
    for (const url of ['https://evil.example/api', 'https://custody.example.ca:8443/api', 'http://127.0.0.1:8080']) {
      const s = await enrolled();
      expect(await s.set({ custodyUrl: url })).toMatchObject({ custodyUrl: url, stationEnrolled: false });
      expect(await s.secrets()).toMatchObject({ stationToken: null, supportToken: null });
      // and coming back does not restore them: they are gone from the file
      await s.set({ custodyUrl: 'https://custody.example.ca/api' });
      expect((await s.secrets()).stationToken).toBeNull();
      expect(await new JsonSettingsStore(file, testSecretCipher()).secrets()).toMatchObject({ stationToken: null });
    }
    const cleared = await enrolled();
    await cleared.set({ custodyUrl: null });
    expect((await cleared.secrets()).stationToken).toBeNull();
  });

  it('are never written without an OS keychain, and unreadable under another keychain', async () => {
    const none = new JsonSettingsStore(file, testSecretCipher(false));
    await expect(none.setSecrets({ stationToken: STATION, supportToken: null, serviceKeys: KEYS }, 'https://custody.example.ca')).rejects.toMatchObject({
      code: 'E_CUSTODY_SYNC',
      details: { reason: 'no-secure-storage' },
    });
    await expect(
      new JsonSettingsStore(file, null).setSecrets({ stationToken: STATION, supportToken: null, serviceKeys: KEYS }, 'https://custody.example.ca'),
    ).rejects.toMatchObject({ details: { reason: 'no-secure-storage' } });
    await expect(readFile(file, 'utf8')).rejects.toThrow();
    await enrolled();
    expect((await new JsonSettingsStore(file, testSecretCipher()).secrets()).stationToken).toBeNull();
  });

  it('ignores tokens left in clear by an older version (enrol again)', async () => {
    await writeFile(
      file,
      JSON.stringify({ custodyUrl: 'https://custody.example.ca', stationEnrolled: true, custody: { stationToken: STATION, supportToken: SUPPORT, serviceKeys: KEYS } }),
    );
    expect(await new JsonSettingsStore(file, testSecretCipher()).secrets()).toEqual({ stationToken: null, supportToken: null, serviceKeys: KEYS });
  });
});

describe('safeStorageCipher', () => {
  const fake = (backend: string) => ({
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(s),
    decryptString: (b: Buffer) => b.toString(),
  });
  it('counts Linux basic_text (a fixed key) as no keychain; a real keyring or another OS as one', () => {
    expect(safeStorageCipher(fake('basic_text'), 'linux').isAvailable()).toBe(false);
    expect(safeStorageCipher(fake('gnome_libsecret'), 'linux').isAvailable()).toBe(true);
    expect(safeStorageCipher(fake('unknown'), 'win32').isAvailable()).toBe(true);
    expect(safeStorageCipher({ ...fake('kwallet'), isEncryptionAvailable: () => false }, 'linux').isAvailable()).toBe(false);
  });
});
