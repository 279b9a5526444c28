import { describe, expect, it } from 'vitest';
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/engine-fixtures.js';
import { buildNamedBatch, type NamedBatchRequest } from './named-batch.js';
import { KIND_FILE, KIND_FOLDER, KIND_OTHER } from './listing-walk.js';
import { readExactly } from './source-read.js';
import { ScanTally, walkSources } from './scan.js';
import { FingerprintBytes } from './entry-fingerprint.js';

function request(dir: string, names: string[], kinds: number[], length: number): NamedBatchRequest {
  return {
    start: 4096,
    length,
    segments: [{ dir: Buffer.from(dir), archiveAt: dir.length + 1, names: Buffer.from(names.map((n) => n + '\0').join('')), kinds: Uint8Array.from(kinds) }],
  };
}

describe('tar builder batches by name (named-batch.ts)', () => {
  it('frames files, links and folders at their offsets, leaves folder lines to the sealing loop, and fingerprints as the count does', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'hello');
    writeFileSync(join(dir, 'b.txt'), '');
    symlinkSync('a.txt', join(dir, 'c'));
    mkdirSync(join(dir, 'd'));
    const out = Buffer.alloc(1 << 20);
    const r = buildNamedBatch(request(dir, ['a.txt', 'b.txt', 'c', 'd'], [KIND_FILE, KIND_FILE, KIND_OTHER, KIND_FOLDER], 4 * 512 + 512), out);
    expect(r).toMatchObject({ length: 2560, lineCount: 3, files: 2, bytes: 5, segmentFiles: [2], segmentBytes: [5] });
    const lines = Buffer.from(r.lines).toString().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('"path":"a.txt","type":"file","size":5');
    expect(lines[0]).toContain('"offset":4608');
    expect(lines[2]).toContain('"path":"c","type":"symlink"');
    expect(out.subarray(512, 517).toString()).toBe('hello');
    // The folder's line goes after the three others (the sealing loop writes it with its totals).
    expect(r.folders.slice(2)).toEqual([4096 + 2560, r.lines.length, 3]);
    // The same records the count hashes for these entries, in order.
    const tally = new ScanTally();
    const fp = new FingerprintBytes();
    for (const e of [...walkSources([dir])].slice(0, 4)) {
      tally.add(e);
      fp.add(e.archivePath.subarray(e.archivePath.indexOf(0x2f) + 1), e.type, e.size, e.mode, e.mtimeMs, e.linkTarget);
    }
    expect(Buffer.from(r.fingerprint).equals(Buffer.from(fp.bytes()))).toBe(true);
  });

  it('writes the same bytes into a slot that held another batch, for tiny entries (zeroed at once) and larger ones (header by header)', () => {
    for (const size of [10, 3000]) {
      const dir = tempDir();
      const names = ['a', 'b', 'c'];
      for (const [i, n] of names.entries()) writeFileSync(join(dir, n), String(i).repeat(size + i));
      const length = names.reduce((sum, _, i) => sum + 512 + Math.ceil((size + i) / 512) * 512, 0);
      const build = (into: Buffer) => {
        buildNamedBatch(request(dir, names, [KIND_FILE, KIND_FILE, KIND_FILE], length), into);
        return into.subarray(0, length);
      };
      const fresh = build(Buffer.alloc(1 << 20));
      expect(
        fresh.subarray(512 + size, 1024).every((b) => b === 0),
        `padding after ${size} bytes`,
      ).toBe(true);
      expect(build(Buffer.alloc(1 << 20, 0xaa)).equals(fresh), `${size}-byte files`).toBe(true);
    }
  });

  it('reads a file its listing could not type (lstat first, then opened)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'untyped');
    const out = Buffer.alloc(1 << 20);
    const r = buildNamedBatch(request(dir, ['a.txt'], [KIND_OTHER], 1024), out);
    expect(r).toMatchObject({ files: 1, bytes: 7, lineCount: 1 });
    expect(out.subarray(512, 519).toString()).toBe('untyped');
  });

  it('refuses a batch that is not the length the count found (E_SOURCE_CHANGED)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'x'.repeat(600));
    const out = Buffer.alloc(1 << 20);
    expect(() => buildNamedBatch(request(dir, ['a.txt'], [KIND_FILE], 1024), out)).toThrow(expect.objectContaining({ code: 'E_SOURCE_CHANGED' }));
    expect(() => buildNamedBatch(request(dir, ['a.txt'], [KIND_FILE], 2048), out)).toThrow(expect.objectContaining({ code: 'E_SOURCE_CHANGED' }));
    expect(buildNamedBatch(request(dir, ['a.txt'], [KIND_FILE], 1536), out).length).toBe(1536);
  });

  it('refuses an entry that is gone, became a folder, stopped being one, or became a link (E_SOURCE_CHANGED)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'now-a-folder'));
    writeFileSync(join(dir, 'now-a-file'), 'x');
    symlinkSync('/etc/hostname', join(dir, 'now-a-link'));
    const out = Buffer.alloc(1 << 20);
    for (const [name, kind] of [
      ['gone', KIND_FILE],
      ['now-a-folder', KIND_FILE],
      ['now-a-folder', KIND_OTHER],
      ['now-a-file', KIND_FOLDER],
      ['now-a-link', KIND_FILE],
    ] as const) {
      expect(() => buildNamedBatch(request(dir, [name], [kind], 1024), out), name).toThrow(expect.objectContaining({ code: 'E_SOURCE_CHANGED' }));
    }
  });
});

describe('readExactly', () => {
  it('reads a file of the expected size, and refuses one that is longer or shorter (E_SOURCE_CHANGED)', () => {
    const dir = tempDir();
    const path = join(dir, 'f');
    writeFileSync(path, 'abcdef');
    const read = (size: number, room: number) => {
      const fd = openSync(path, 'r');
      try {
        const out = Buffer.alloc(room);
        readExactly({ sourcePath: Buffer.from(path), size, mtimeMs: 0 }, fd, out, 0, size);
        return out.subarray(0, size).toString();
      } finally {
        closeSync(fd);
      }
    };
    expect(read(6, 512)).toBe('abcdef');
    expect(read(6, 6)).toBe('abcdef'); // no room for the extra byte: a second read checks the end
    for (const [size, room] of [
      [5, 512],
      [5, 5],
      [7, 512],
      [0, 0],
    ]) {
      expect(() => read(size!, room!), `${size} in ${room}`).toThrow(expect.objectContaining({ code: 'E_SOURCE_CHANGED' }));
    }
  });
});
