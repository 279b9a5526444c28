import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { readEscrowKeyFile, readPublicKeyFile, writeEscrowKeyFile, writePublicKeyFile } from './key-files.js';
import { checkPrivateFile } from './private-file.js';
import { generateEscrowKeyPair } from './station-cert.js';

const posix = process.platform !== 'win32';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scelle-private-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorOf(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe.skipIf(!posix)('secret files follow the ssh rule', () => {
  it('accepts 0600 and 0400 owned by the reader; refuses group/other bits with "chmod 600 <file>"', () => {
    expect(() => checkPrivateFile('/k', { mode: 0o100600, uid: 1000 }, 1000)).not.toThrow();
    expect(() => checkPrivateFile('/k', { mode: 0o100400, uid: 1000 }, 1000)).not.toThrow();
    for (const mode of [0o100640, 0o100604, 0o100660, 0o100644, 0o100700 | 0o010]) {
      const e = errorOf(() => checkPrivateFile('/home/a/token', { mode, uid: 1000 }, 1000));
      expect(isScelleError(e, 'E_KEY_FILE')).toBe(true);
      expect(e).toMatchObject({ details: { reason: 'too-open', fix: 'chmod 600 /home/a/token', path: '/home/a/token' } });
      expect((e as Error).message).toContain('run chmod 600 /home/a/token');
    }
  });

  it('refuses a file owned by another user', () => {
    const e = errorOf(() => checkPrivateFile('/k', { mode: 0o100600, uid: 1001 }, 1000));
    expect(e).toMatchObject({ code: 'E_KEY_FILE', details: { reason: 'wrong-owner' } });
  });

  it('secret key files are refused when group- or other-readable, public key files are not', async () => {
    const secretPath = join(dir, 'escrow.key');
    await writeEscrowKeyFile(secretPath, generateEscrowKeyPair());
    await expect(readEscrowKeyFile(secretPath)).resolves.toBeTruthy();
    await chmod(secretPath, 0o644);
    await expect(readEscrowKeyFile(secretPath)).rejects.toMatchObject({ code: 'E_KEY_FILE', details: { reason: 'too-open', fix: `chmod 600 ${secretPath}` } });
    await chmod(secretPath, 0o600);
    await expect(readEscrowKeyFile(secretPath)).resolves.toBeTruthy();
    const publicPath = join(dir, 'escrow.pub');
    await writePublicKeyFile(publicPath, 'escrow', generateEscrowKeyPair().publicKey);
    await chmod(publicPath, 0o644);
    await expect(readPublicKeyFile(publicPath, 'escrow')).resolves.toHaveLength(32);
  });
});
