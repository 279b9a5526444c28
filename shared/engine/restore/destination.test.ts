import { describe, expect, it } from 'vitest';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/engine-fixtures.js';
import { Destination } from './destination.js';

describe('the folders of a restore', () => {
  it('are created below the restore folder, each level once', () => {
    const dest = tempDir();
    const d = new Destination(dest);
    d.ensureFolder(Buffer.from(join(dest, 'a/b/c')));
    d.ensureFolder(Buffer.from(join(dest, 'a/b/d')));
    expect(lstatSync(join(dest, 'a/b/c')).isDirectory()).toBe(true);
    expect(readdirSync(join(dest, 'a/b')).sort()).toEqual(['c', 'd']);
  });

  // The plan refuses these before anything is written (folderFree); ensureFolder refuses what
  // appeared after the plan, as it creates the folders.
  it('are never created through a symbolic link that appeared on the way (E_RESTORE_UNSAFE_PATH)', () => {
    const dest = tempDir();
    const outside = tempDir();
    mkdirSync(join(dest, 'a'));
    symlinkSync(outside, join(dest, 'a/b'));
    const d = new Destination(dest);
    expect(() => d.ensureFolder(Buffer.from(join(dest, 'a/b/c')))).toThrow(expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH', details: { path: join(dest, 'a/b') } }));
    expect(readdirSync(outside)).toEqual([]);
    expect(() => d.folderFree(Buffer.from(join(dest, 'a/b')))).toThrow(expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH' }));
  });

  it('are never made over a file that appeared where one goes (E_RESTORE_EXISTS), the file kept', () => {
    const dest = tempDir();
    writeFileSync(join(dest, 'a'), 'mine');
    const d = new Destination(dest);
    expect(() => d.ensureFolder(Buffer.from(join(dest, 'a/b')))).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS', details: { path: join(dest, 'a') } }));
    expect(readFileSync(join(dest, 'a'), 'utf8')).toBe('mine');
    expect(d.folderFree(Buffer.from(join(dest, 'a')))).toBe(false);
    expect(d.folderFree(Buffer.from(join(dest, 'absent')))).toBe(true);
  });
});
