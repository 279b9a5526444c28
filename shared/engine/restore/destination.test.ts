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

// Windows' rules, checked here through the platform a Destination is made for (names only: no
// folder is created by these).
describe('the names of a restore on Windows', () => {
  const entry = (path: string) => ({ path, type: 'file' as const, size: 0, mode: 0o644, mtime: 0, offset: 512, sha256: '0'.repeat(64) });

  it('refuses two entries that land on one name (case, or characters Windows maps), and reports each renamed one', () => {
    const d = new Destination('C:/restore', 'win32');
    d.check(entry('Report.txt'));
    expect(() => d.check(entry('report.TXT'))).toThrow(expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH', details: { path: 'report.TXT' } }));
    d.check(entry('notes:v2.txt'));
    expect(() => d.check(entry('notes?v2.txt'))).toThrow(expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH', details: { path: 'notes?v2.txt' } }));
    expect(d.renamed).toEqual([{ from: 'notes:v2.txt', to: 'notes_v2.txt' }]);
    expect(d.targetOf(entry('con.txt')).toString()).toBe('C:/restore/_con.txt');
    // Elsewhere, each name is its own.
    const posix = new Destination(tempDir(), 'linux');
    posix.check(entry('Report.txt'));
    posix.check(entry('report.TXT'));
    expect(posix.renamed).toEqual([]);
  });

  it('refuses a drive-letter path, which elsewhere is an ordinary name', () => {
    expect(() => new Destination('C:/restore', 'win32').check(entry('D:evil.txt'))).toThrow(
      expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH', details: { path: 'D:evil.txt', reason: 'drive-letter path' } }),
    );
    expect(() => new Destination(tempDir(), 'linux').check(entry('D:evil.txt'))).not.toThrow();
  });
});
