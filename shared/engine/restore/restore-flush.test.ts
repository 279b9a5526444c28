import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/engine-fixtures.js';
import { FEW_FILES, fsyncsEachFile, restoreFlush, syncFileSystem } from './restore-flush.js';

describe('restore durability', () => {
  it('on Linux, writes without an fsync a file and flushes the file system once at the end', () => {
    const dest = tempDir();
    const calls: string[] = [];
    const flush = restoreFlush(dest, 'linux', (p) => {
      calls.push(p);
      return true;
    });
    expect(fsyncsEachFile('linux')).toBe(false);
    // A file that does not exist proves no per-file fsync runs when the file system flush worked.
    flush.finish([Buffer.from(join(dest, 'absent'))], [Buffer.from(dest)]);
    expect(calls).toEqual([dest]);
  });

  it('on Linux without `sync -f`, fsyncs every restored file at the end', () => {
    const dest = tempDir();
    const flush = restoreFlush(dest, 'linux', () => false);
    expect(() => flush.finish([Buffer.from(join(dest, 'absent'))], [])).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    writeFileSync(join(dest, 'a'), 'a');
    expect(() => flush.finish([Buffer.from(join(dest, 'a'))], [Buffer.from(dest)])).not.toThrow();
  });

  it('on Linux, fsyncs a few restored files and their folders rather than flushing the file system', () => {
    const dest = tempDir();
    const calls: string[] = [];
    const syncFs = (p: string) => {
      calls.push(p);
      return true;
    };
    const few = restoreFlush(dest, 'linux', syncFs, FEW_FILES);
    expect(() => few.finish([Buffer.from(join(dest, 'absent'))], [])).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    writeFileSync(join(dest, 'a'), 'a');
    few.finish([Buffer.from(join(dest, 'a'))], [Buffer.from(dest)]);
    expect(calls).toEqual([]);
    restoreFlush(dest, 'linux', syncFs, FEW_FILES + 1).finish([Buffer.from(join(dest, 'absent'))], [Buffer.from(dest)]);
    expect(calls).toEqual([dest]);
  });

  it('elsewhere, fsyncs each file as it is written and the folders at the end', () => {
    const dest = tempDir();
    for (const platform of ['darwin', 'win32'] as const) {
      const flush = restoreFlush(dest, platform, () => {
        throw new Error('not used');
      });
      expect(fsyncsEachFile(platform)).toBe(true);
      expect(() => flush.finish([Buffer.from(join(dest, 'absent'))], [Buffer.from(dest)])).not.toThrow();
    }
  });

  it.skipIf(process.platform !== 'linux')('flushes a real file system with `sync -f` (Linux with coreutils)', () => {
    expect(syncFileSystem(tempDir())).toBe(true);
  });
});
