/**
 * Restore against a hostile drive: the modes a drive records are made safe unless the user
 * keeps them, links that are absolute or lead outside the restore folder are refused unless
 * allowed (and then reported), and no-clobber placement is atomic.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { bytes, makeKeys, tempDir, writeTree } from '../../../test/support/engine-fixtures.js';
import { open, seal } from '../index.js';
import { placeExclusively, placeLinkExclusively, restoreLargeFile, restoreSmallFile, type RestoreContext } from './restore-file.js';
import type { PayloadReader } from '../payload/payload-reader.js';
import { linkStaysInside, restoredMode } from './restore-paths.js';

/** Seals `src` for an escrow key, in this thread. */
async function sealed(src: string) {
  const keys = makeKeys();
  const result = await seal(
    {
      sources: [src],
      target: tempDir(),
      station: keys.station,
      partPlaintextSize: 2 * 1048576,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
    },
    { sinkMode: 'inline' },
  );
  return { driveDir: result.driveDir, secret: { kind: 'x25519' as const, secretKey: keys.escrow.secretKey }, pinnedRoots: [keys.root.publicKey] };
}

const modeOf = (p: string) => statSync(p).mode & 0o7777;

/** A source tree whose modes a forged drive would plant: setuid/setgid programs, a world-writable sticky folder, a group/other-writable file. */
function dangerousModes(): string {
  const src = join(tempDir(), 'data');
  writeTree(src, { tool: '#!/bin/sh\n', 'sgid-tool': '#!/bin/sh\n', 'open.txt': 'anyone may write', 'big.bin': bytes(5 * 1048576 + 7), 'drop/readme.txt': 'x' });
  chmodSync(join(src, 'tool'), 0o4755);
  chmodSync(join(src, 'sgid-tool'), 0o2755);
  chmodSync(join(src, 'open.txt'), 0o666);
  chmodSync(join(src, 'big.bin'), 0o4777);
  chmodSync(join(src, 'drop'), 0o1777);
  return src;
}

describe('modes from a hostile drive', () => {
  it('setuid restore: -rwsr-xr-x, setgid, sticky world-writable folder and group/other write are dropped by default', async () => {
    const d = await sealed(dangerousModes());
    const dest = tempDir();
    await open({ ...d, dest });
    expect(modeOf(join(dest, 'data/tool'))).toBe(0o755);
    expect(modeOf(join(dest, 'data/sgid-tool'))).toBe(0o755);
    expect(modeOf(join(dest, 'data/open.txt')) & 0o022).toBe(0);
    expect(modeOf(join(dest, 'data/big.bin'))).toBe(0o755); // large file: temporary name then placed
    expect(modeOf(join(dest, 'data/drop'))).toBe(0o755);
  });

  it('keepModes applies them as recorded (the user asked)', async () => {
    const d = await sealed(dangerousModes());
    const dest = tempDir();
    const old = process.umask(0);
    try {
      await open({ ...d, dest, keepModes: true });
    } finally {
      process.umask(old);
    }
    expect(modeOf(join(dest, 'data/tool'))).toBe(0o4755);
    expect(modeOf(join(dest, 'data/sgid-tool'))).toBe(0o2755);
    expect(modeOf(join(dest, 'data/open.txt'))).toBe(0o666);
    expect(modeOf(join(dest, 'data/big.bin'))).toBe(0o4777);
    expect(modeOf(join(dest, 'data/drop'))).toBe(0o1777);
  });

  it('restoredMode keeps only rwxr-xr-x at most by default', () => {
    expect(restoredMode(0o104755, false)).toBe(0o755);
    expect(restoredMode(0o7777, false)).toBe(0o755);
    expect(restoredMode(0o640, false)).toBe(0o640);
    expect(restoredMode(0o7777, true)).toBe(0o7777);
  });
});

describe('links from a hostile drive', () => {
  function withLinks(outward: Record<string, string>): string {
    const src = join(tempDir(), 'data');
    writeTree(src, { 'a.txt': 'hello', 'sub/b.txt': 'below' });
    symlinkSync('a.txt', join(src, 'inside'));
    symlinkSync('../a.txt', join(src, 'sub/up-inside'));
    for (const [name, target] of Object.entries(outward)) symlinkSync(target, join(src, name));
    return src;
  }

  it('outward link: link-out -> /etc/passwd is refused before anything is written (E_RESTORE_UNSAFE_LINK)', async () => {
    const d = await sealed(withLinks({ 'link-out': '/etc/passwd' }));
    const dest = tempDir();
    await expect(open({ ...d, dest })).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_LINK', details: { count: 1, path: 'data/link-out', target: '/etc/passwd' } });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('outward link: a relative link climbing above the restore folder is refused too', async () => {
    const d = await sealed(withLinks({ 'sub/escape': '../../../etc/passwd', trick: 'sub/../../x' }));
    const dest = tempDir();
    await expect(open({ ...d, dest })).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_LINK', details: { count: 2 } });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('with allowOutwardLinks the links are created as recorded and each is reported', async () => {
    const d = await sealed(withLinks({ 'link-out': '/etc/passwd', 'sub/escape': '../../../etc/passwd' }));
    const dest = tempDir();
    const r = await open({ ...d, dest, allowOutwardLinks: true });
    expect(r.outwardLinks).toEqual(
      expect.arrayContaining([
        { path: 'data/link-out', target: '/etc/passwd' },
        { path: 'data/sub/escape', target: '../../../etc/passwd' },
      ]),
    );
    expect(r.outwardLinks).toHaveLength(2);
    expect(readlinkSync(join(dest, 'data/link-out'))).toBe('/etc/passwd');
    expect(readlinkSync(join(dest, 'data/inside'))).toBe('a.txt');
  });

  it('links that stay inside are restored without any option and not reported', async () => {
    const d = await sealed(withLinks({}));
    const dest = tempDir();
    const r = await open({ ...d, dest });
    expect(r.outwardLinks).toEqual([]);
    expect(readlinkSync(join(dest, 'data/sub/up-inside'))).toBe('../a.txt');
    expect(readFileSync(join(dest, 'data/sub/up-inside'), 'utf8')).toBe('hello');
  });

  it('linkStaysInside judges the link by its own folder, refusing ".." after a name (that name may be a link to ".")', () => {
    const yes: [string, string][] = [
      ['a', 'b'],
      ['d/a', '../b'],
      ['d/e/a', '../../b/c'],
      ['a', './b'],
      ['d/a', '.././b'],
    ];
    const no: [string, string][] = [
      ['a', '/etc/passwd'],
      ['a', '..'],
      ['d/a', '../../b'],
      ['a', 'x/../..'],
      ['a', 'y/..'],
      ['a', ''],
      ['a', 'C:/Windows'],
      ['a', 'x\\..\\..'],
    ];
    for (const [p, t] of yes) expect(linkStaysInside(Buffer.from(p), Buffer.from(t)), `${p} -> ${t}`).toBe(true);
    for (const [p, t] of no) expect(linkStaysInside(Buffer.from(p), Buffer.from(t)), `${p} -> ${t}`).toBe(false);
  });
});

describe('atomic no-clobber placement', () => {
  it('a name that appeared after the plan is never replaced: E_RESTORE_EXISTS, its content kept, the temporary file removed', () => {
    const dir = tempDir();
    const tmp = Buffer.from(join(dir, '.f.partial'));
    const target = Buffer.from(join(dir, 'f'));
    writeFileSync(tmp, 'restored');
    writeFileSync(target, 'the user wrote this meanwhile');
    expect(() => placeExclusively(tmp, target)).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS' }));
    expect(readFileSync(target, 'utf8')).toBe('the user wrote this meanwhile');
    expect(existsSync(tmp)).toBe(false);
  });

  it('a dangling link that appeared at the name is not followed nor replaced', () => {
    const dir = tempDir();
    const outside = join(tempDir(), 'not-yet');
    const tmp = Buffer.from(join(dir, '.f.partial'));
    const target = Buffer.from(join(dir, 'f'));
    writeFileSync(tmp, 'restored');
    symlinkSync(outside, target);
    expect(() => placeExclusively(tmp, target)).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS' }));
    expect(existsSync(outside)).toBe(false);
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
  });

  /** The index entry of a file named f whose content is `data`. */
  const entryOf = (data: Buffer) => ({
    path: 'f',
    type: 'file' as const,
    size: data.length,
    mode: 0o644,
    mtime: 0,
    offset: 512,
    sha256: createHash('sha256').update(data).digest('hex'),
  });
  const contextFor = (overwrite: boolean): RestoreContext => ({
    overwrite,
    keepModes: false,
    umask: 0o022,
    fsyncEachFile: false,
    checkCancelled: () => undefined,
    onBytes: () => undefined,
  });

  /** Restores one small file whose content is `content` (from a reader that holds only it) to `target`. */
  function restoreOne(target: Buffer, overwrite: boolean, content = 'restored'): void {
    const data = Buffer.from(content);
    const reader = { readInto: (_offset: number, size: number, into: Buffer) => into.subarray(0, data.copy(into, 0, 0, size)) } as unknown as PayloadReader;
    restoreSmallFile(reader, { entry: entryOf(data), target }, contextFor(overwrite));
  }

  it('a small file whose name appeared during the restore: E_RESTORE_EXISTS, the file found there kept', () => {
    const dir = tempDir();
    const target = Buffer.from(join(dir, 'f'));
    writeFileSync(target, 'the user wrote this meanwhile');
    expect(() => restoreOne(target, false)).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS', details: { path: target.toString() } }));
    expect(readFileSync(target, 'utf8')).toBe('the user wrote this meanwhile');
    restoreOne(Buffer.from(join(dir, 'g')), false);
    expect(readFileSync(join(dir, 'g'), 'utf8')).toBe('restored');
  });

  it("with overwrite, a folder that appeared at a small file's name is not replaced: E_RESTORE_EXISTS, the folder kept", () => {
    const dir = tempDir();
    writeTree(dir, { 'f/mine.txt': 'a folder named f' });
    expect(() => restoreOne(Buffer.from(join(dir, 'f')), true)).toThrow(expect.objectContaining({ code: 'E_RESTORE_EXISTS', message: expect.stringMatching(/is a folder/) }));
    expect(readFileSync(join(dir, 'f/mine.txt'), 'utf8')).toBe('a folder named f');
    // A file there is replaced.
    writeFileSync(join(dir, 'g'), 'old');
    restoreOne(Buffer.from(join(dir, 'g')), true);
    expect(readFileSync(join(dir, 'g'), 'utf8')).toBe('restored');
  });

  /** Restores one large file (streamed through a temporary name) whose content is `data` to `target`. */
  async function restoreLargeOne(target: Buffer, overwrite: boolean, data: Buffer): Promise<void> {
    const reader = { forEachChunk: async (_offset: number, _size: number, visit: (slices: Buffer[], n: number) => void) => visit([data], data.length) } as unknown as PayloadReader;
    await restoreLargeFile(reader, { entry: entryOf(data), target }, contextFor(overwrite));
  }

  it('with overwrite, a large file replaces the file at its name, and not a folder that appeared there (E_RESTORE_EXISTS, no temporary file left)', async () => {
    const dir = tempDir();
    const data = bytes(5 * 1048576 + 3, 11);
    writeFileSync(join(dir, 'g'), 'old');
    await restoreLargeOne(Buffer.from(join(dir, 'g')), true, data);
    expect(readFileSync(join(dir, 'g')).equals(data)).toBe(true);
    writeTree(dir, { 'f/mine.txt': 'a folder named f' });
    await expect(restoreLargeOne(Buffer.from(join(dir, 'f')), true, data)).rejects.toMatchObject({ code: 'E_RESTORE_EXISTS', message: expect.stringMatching(/is a folder/) });
    expect(readFileSync(join(dir, 'f/mine.txt'), 'utf8')).toBe('a folder named f');
    expect(readdirSync(dir).sort()).toEqual(['f', 'g']);
  });

  it('a link whose name appeared during the restore is not made: E_RESTORE_EXISTS, the file found there kept', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'l'), 'the user wrote this meanwhile');
    expect(() => placeLinkExclusively(Buffer.from('target.txt'), Buffer.from(join(dir, 'l')))).toThrow(
      expect.objectContaining({ code: 'E_RESTORE_EXISTS', details: { path: join(dir, 'l') } }),
    );
    expect(readFileSync(join(dir, 'l'), 'utf8')).toBe('the user wrote this meanwhile');
    placeLinkExclusively(Buffer.from('target.txt'), Buffer.from(join(dir, 'm')));
    expect(readlinkSync(join(dir, 'm'))).toBe('target.txt');
  });

  it('puts the file in place when the name is free', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'd'));
    const tmp = Buffer.from(join(dir, 'd/.f.partial'));
    const target = Buffer.from(join(dir, 'd/f'));
    writeFileSync(tmp, 'restored');
    placeExclusively(tmp, target);
    expect(readFileSync(target, 'utf8')).toBe('restored');
    expect(readdirSync(join(dir, 'd'))).toEqual(['f']);
  });
});
