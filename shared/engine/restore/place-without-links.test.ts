/**
 * Placing a restored file on a file system without hard links (FAT, exFAT, some network shares:
 * link(2) fails with EPERM there), where it is copied exclusively instead: stood in for by a
 * link(2) that always fails so. Any other failure of link(2) is the file system's error, not a
 * reason to copy.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/engine-fixtures.js';
import { placeExclusively } from './restore-file.js';

/** The error link(2) fails with (EPERM: no hard links on this file system). */
const link = vi.hoisted(() => ({ code: 'EPERM' }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const noLinks = () => {
    throw Object.assign(new Error(`${link.code}: link failed`), { code: link.code });
  };
  return { ...fs, default: { ...fs, linkSync: noLinks }, linkSync: noLinks };
});

/** A finished temporary file holding "restored", in a new folder, and the name it is placed at. */
function restoredTemporary() {
  const dir = tempDir();
  const tmp = Buffer.from(join(dir, '.f.partial'));
  writeFileSync(tmp, 'restored');
  return { dir, tmp, target: Buffer.from(join(dir, 'f')) };
}

describe('placement without hard links', () => {
  it('copies the file in place when the name is free', () => {
    const { dir, tmp, target } = restoredTemporary();
    placeExclusively(tmp, target);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('restored');
    expect(existsSync(tmp)).toBe(false);
  });

  it('never replaces a name that appeared meanwhile: E_RESTORE_EXISTS, its content kept, the temporary file removed', () => {
    const { dir, tmp, target } = restoredTemporary();
    writeFileSync(target, 'the user wrote this meanwhile');
    expect(() => placeExclusively(tmp, target)).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS' }));
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('the user wrote this meanwhile');
    expect(existsSync(tmp)).toBe(false);
  });

  it('reports any other failure of link(2) as it is, without copying: nothing at the name, the temporary file removed', () => {
    const { tmp, target } = restoredTemporary();
    link.code = 'EIO';
    try {
      expect(() => placeExclusively(tmp, target)).toThrow(expect.objectContaining({ code: 'EIO' }));
    } finally {
      link.code = 'EPERM';
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(tmp)).toBe(false);
  });
});
