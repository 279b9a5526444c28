/** Cryptographic erase of a sealed drive folder (erase.ts). */
import { cpSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { bytes, makeKeys, MiB, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { eraseDrive } from './erase.js';
import { loadDrive, open, seal } from './index.js';

async function sealed(): Promise<{ target: string; driveDir: string; escrowSecret: Uint8Array; parts: number }> {
  const { station, escrow } = makeKeys();
  const src = tempDir();
  writeTree(src, { 'a.txt': 'bonjour', 'big.bin': bytes(2 * MiB + 123) });
  const target = tempDir();
  const r = await seal({ sources: [src], target, station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] }, partPlaintextSize: MiB });
  return { target, driveDir: r.driveDir, escrowSecret: escrow.secretKey, parts: r.parts };
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isScelleError(e) ? e.code : 'other';
  }
  return 'none';
}

describe('eraseDrive', () => {
  it('destroys the key files and the payload, removes the folder and verifies it no longer opens', async () => {
    const { target, driveDir, escrowSecret, parts } = await sealed();
    expect(parts).toBeGreaterThan(1);
    const report = eraseDrive({ driveDir: target });
    expect(report.driveDir).toBe(driveDir);
    expect(report.keyFilesDestroyed).toEqual(['manifest.json', 'index.scx', 'manifest.sig']);
    expect(report.partsDeleted).toBe(parts);
    expect(report.payloadOverwritten).toBe(false);
    expect(report.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.verification).toEqual({ method: 'full', result: 'pass', failures: [] });
    expect(report.leftovers).toEqual([]);
    expect(existsSync(driveDir)).toBe(false);
    expect(readdirSync(target)).toEqual([]);
    expect(codeOf(() => loadDrive(target, []))).toBe('E_FORMAT_MANIFEST');
    await expect(open({ driveDir: target, dest: tempDir(), secret: { kind: 'x25519', secretKey: escrowSecret }, pinnedRoots: [] })).rejects.toMatchObject({
      code: 'E_FORMAT_MANIFEST',
    });
  });

  it('overwrites in place: another link to the manifest or a part sees random bytes, not the original', async () => {
    const { driveDir } = await sealed();
    const keep = tempDir();
    const manifestBefore = readFileSync(join(driveDir, 'manifest.json'));
    const part0 = readdirSync(join(driveDir, 'payload')).sort()[0]!;
    const partBefore = readFileSync(join(driveDir, 'payload', part0));
    try {
      linkSync(join(driveDir, 'manifest.json'), join(keep, 'manifest-link'));
      linkSync(join(driveDir, 'payload', part0), join(keep, 'part-link'));
    } catch {
      return; // hard links unsupported between these folders: nothing to observe
    }
    const report = eraseDrive({ driveDir, overwritePayload: true });
    expect(report.payloadOverwritten).toBe(true);
    expect(report.bytesOverwritten).toBeGreaterThanOrEqual(partBefore.length + manifestBefore.length);
    const manifestAfter = readFileSync(join(keep, 'manifest-link'));
    const partAfter = readFileSync(join(keep, 'part-link'));
    expect(manifestAfter.length).toBe(manifestBefore.length);
    expect(manifestAfter.equals(manifestBefore)).toBe(false);
    expect(() => JSON.parse(manifestAfter.toString('utf8'))).toThrow();
    expect(partAfter.length).toBe(partBefore.length);
    expect(partAfter.equals(partBefore)).toBe(false);
  });

  it('without overwritePayload, parts are deleted but not rewritten (only key files are)', async () => {
    const { driveDir } = await sealed();
    const keep = tempDir();
    const part0 = readdirSync(join(driveDir, 'payload')).sort()[0]!;
    const before = readFileSync(join(driveDir, 'payload', part0));
    try {
      linkSync(join(driveDir, 'payload', part0), join(keep, 'part-link'));
    } catch {
      return;
    }
    eraseDrive({ driveDir });
    expect(readFileSync(join(keep, 'part-link')).equals(before)).toBe(true);
  });

  it('keeps files foreign to the layout and lists them; the folder no longer opens', async () => {
    const { driveDir } = await sealed();
    writeFileSync(join(driveDir, 'notes.txt'), 'not ours');
    const report = eraseDrive({ driveDir });
    expect(report.leftovers).toEqual(['notes.txt']);
    expect(readFileSync(join(driveDir, 'notes.txt'), 'utf8')).toBe('not ours');
    expect(report.verification.result).toBe('pass');
    expect(codeOf(() => loadDrive(driveDir, []))).toBe('E_FORMAT_MANIFEST');
  });

  it('touches nothing when the folder is not a sealed drive or its manifest does not verify', async () => {
    expect(codeOf(() => eraseDrive({ driveDir: tempDir() }))).toBe('E_FORMAT_MANIFEST');
    const { driveDir } = await sealed();
    writeFileSync(join(driveDir, 'manifest.sig'), Buffer.alloc(64, 1).toString('base64'));
    expect(codeOf(() => eraseDrive({ driveDir }))).toBe('E_FORMAT_SIGNATURE');
    expect(existsSync(join(driveDir, 'manifest.json'))).toBe(true);
    expect(existsSync(join(driveDir, 'index.scx'))).toBe(true);
  });

  it('does not start when already cancelled', async () => {
    const { driveDir } = await sealed();
    const ac = new AbortController();
    ac.abort();
    expect(codeOf(() => eraseDrive({ driveDir, signal: ac.signal }))).toBe('E_CANCELLED');
    expect(existsSync(join(driveDir, 'manifest.json'))).toBe(true);
  });

  describe('hostile drives: links are never followed', () => {
    it('symlink erase: a planted .seal-state.json -> victim outside the drive is refused, the victim file unchanged and nothing erased', async () => {
      const { driveDir } = await sealed();
      const victimDir = tempDir();
      const victim = join(victimDir, 'victim.txt');
      writeFileSync(victim, 'precious data outside the drive');
      symlinkSync(victim, join(driveDir, '.seal-state.json'));
      let err: unknown;
      try {
        eraseDrive({ driveDir });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: '.seal-state.json', reason: 'link' } });
      expect(readFileSync(victim, 'utf8')).toBe('precious data outside the drive');
      // Refused before anything was destroyed: the drive still opens, so no "verified" erase is claimed.
      expect(existsSync(join(driveDir, 'manifest.json'))).toBe(true);
      expect(loadDrive(driveDir, []).manifest.driveId).toBeTruthy();
    });

    it('a payload/ folder that is a link to a folder outside the drive is refused; that folder is unchanged', async () => {
      const { driveDir } = await sealed();
      const outside = join(tempDir(), 'elsewhere');
      cpSync(join(driveDir, 'payload'), outside, { recursive: true });
      const before = readdirSync(outside).map((n) => [n, readFileSync(join(outside, n))] as const);
      rmSync(join(driveDir, 'payload'), { recursive: true });
      symlinkSync(outside, join(driveDir, 'payload'));
      expect(codeOf(() => eraseDrive({ driveDir, overwritePayload: true }))).toBe('E_FORMAT_UNSAFE_ENTRY');
      for (const [n, data] of before) expect(readFileSync(join(outside, n)).equals(data)).toBe(true);
      expect(existsSync(join(driveDir, 'manifest.json'))).toBe(true);
    });

    it('a part file that is a link to a file outside the drive is refused with its name; the outside file is unchanged', async () => {
      const { driveDir } = await sealed();
      const outside = join(tempDir(), 'victim.bin');
      const part0 = readdirSync(join(driveDir, 'payload')).sort()[0]!;
      renameSync(join(driveDir, 'payload', part0), outside);
      const before = readFileSync(outside);
      symlinkSync(outside, join(driveDir, 'payload', part0));
      let err: unknown;
      try {
        eraseDrive({ driveDir, overwritePayload: true });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: `payload/${part0}`, reason: 'link' } });
      expect(readFileSync(outside).equals(before)).toBe(true);
    });

    it('an empty foreign folder is listed as a leftover and kept (the erase does not fail trying to remove the drive folder)', async () => {
      const { driveDir } = await sealed();
      mkdirSync(join(driveDir, 'extra'));
      const report = eraseDrive({ driveDir });
      expect(report.leftovers).toEqual(['extra/']);
      expect(report.verification.result).toBe('pass');
      expect(existsSync(join(driveDir, 'extra'))).toBe(true);
    });

    it('a leftover link is listed, never followed, and its target survives', async () => {
      const { driveDir } = await sealed();
      const victimDir = tempDir();
      writeFileSync(join(victimDir, 'keep.txt'), 'keep');
      symlinkSync(victimDir, join(driveDir, 'notes'));
      const report = eraseDrive({ driveDir });
      expect(report.leftovers).toEqual(['notes']);
      expect(readFileSync(join(victimDir, 'keep.txt'), 'utf8')).toBe('keep');
    });
  });
});
