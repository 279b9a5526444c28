/**
 * Bad input, part 3: what names and links do to a seal and a restore. Symbolic links are stored
 * as links and never followed; every name survives byte for byte; a restore never writes
 * outside its folder (not through '..', an absolute path or a link) and never overwrites
 * unless asked.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { bytes, makeKeys, rewriteIndex, snapshotTree, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { list, open, seal, verify } from './index.js';
import { localName, safeComponents } from './restore/restore-paths.js';

/** Seals `sources` (absolute) for an escrow key, in this thread. */
async function sealSources(sources: string[]) {
  const keys = makeKeys();
  const target = tempDir();
  const result = await seal(
    {
      sources,
      target,
      station: keys.station,
      partPlaintextSize: 2 * 1048576,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
    },
    { sinkMode: 'inline' },
  );
  const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };
  return { ...keys, result, driveDir: result.driveDir, secret, pinnedRoots: [keys.root.publicKey] };
}

type Sealed = Awaited<ReturnType<typeof sealSources>>;

const restore = (d: Sealed, dest: string, extra: { overwrite?: 'never' | 'always'; paths?: string[]; allowOutwardLinks?: boolean } = {}) =>
  open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret, ...extra });

describe('symbolic links', () => {
  it('are stored as links, never followed (outside the sources, dangling, to a folder), and restored as the same links', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'must not be sealed');
    const src = tempDir();
    writeTree(src, { 'data/a.txt': 'hello', 'data/sub/x.txt': 'in sub' });
    symlinkSync('a.txt', join(src, 'data/inside'));
    symlinkSync(join(outside, 'secret.txt'), join(src, 'data/outside-abs'));
    symlinkSync('../../' + outside.split('/').pop() + '/secret.txt', join(src, 'data/outside-rel'));
    symlinkSync('does-not-exist', join(src, 'data/dangling'));
    symlinkSync('sub', join(src, 'data/dirlink'));
    symlinkSync(outside, join(src, 'data/outside-dir'));
    symlinkSync(join(src, 'data/a.txt'), join(src, 'toplink')); // a source that is itself a link
    const d = await sealSources([join(src, 'data'), join(src, 'toplink')]);

    expect(d.result).toMatchObject({ files: 2, bytes: 5 + 6 });
    const { entries } = await list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(entries.map((e) => [e.path, e.type, e.linkTarget ?? null])).toEqual([
      ['data/sub/x.txt', 'file', null],
      ['data/a.txt', 'file', null],
      ['data/dangling', 'symlink', 'does-not-exist'],
      ['data/dirlink', 'symlink', 'sub'],
      ['data/inside', 'symlink', 'a.txt'],
      ['data/outside-abs', 'symlink', join(outside, 'secret.txt')],
      ['data/outside-dir', 'symlink', outside],
      ['data/outside-rel', 'symlink', readlinkSync(join(src, 'data/outside-rel'))],
      ['data/sub', 'directory', null],
      ['data', 'directory', null],
      ['toplink', 'symlink', join(src, 'data/a.txt')],
    ]);
    expect((await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).ok).toBe(true);

    // Links that are absolute or lead outside the restore folder are refused by default (nothing
    // written), and created as they are only when allowed, each one reported.
    const refusedDest = tempDir();
    await expect(restore(d, refusedDest)).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_LINK', details: { count: 4 } });
    expect(readdirSync(refusedDest)).toEqual([]);
    const dest = tempDir();
    const opened = await restore(d, dest, { allowOutwardLinks: true });
    expect(opened.files).toBe(2);
    expect(opened.outwardLinks.map((l) => l.path).sort()).toEqual(['data/outside-abs', 'data/outside-dir', 'data/outside-rel', 'toplink']);
    for (const name of ['data/dangling', 'data/dirlink', 'data/inside', 'data/outside-abs', 'data/outside-dir', 'data/outside-rel', 'toplink']) {
      expect(lstatSync(join(dest, name)).isSymbolicLink(), name).toBe(true);
      expect(readlinkSync(join(dest, name))).toBe(readlinkSync(join(src, name)));
    }
    expect(readFileSync(join(dest, 'data/a.txt'), 'utf8')).toBe('hello');
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('must not be sealed');
  });
});

describe('names', () => {
  it('long, non-UTF-8, NFC/NFD twins and Windows-invalid names all survive byte-exact on Linux', async () => {
    const src = tempDir();
    const root = Buffer.from(join(src, 'data'));
    const at = (...parts: (string | Buffer)[]) => Buffer.concat([root, ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);
    mkdirSync(root);
    const long255 = 'é'.repeat(127) + 'x';
    expect(Buffer.byteLength(long255)).toBe(255);
    writeFileSync(at(long255), 'long name');
    const deep = Array.from({ length: 5 }, (_, i) => String(i).repeat(250));
    mkdirSync(at(...deep), { recursive: true });
    writeFileSync(at(...deep, 'deep.txt'), 'deep');
    expect(Buffer.byteLength(['data', ...deep, 'deep.txt'].join('/'))).toBeGreaterThan(1000);
    const latin1 = Buffer.from([0x6e, 0x6f, 0x6e, 0xe9, 0xff, 0x2e, 0x62, 0x69, 0x6e]); // "non\xe9\xff.bin"
    writeFileSync(at(latin1), 'latin-1 name');
    const badDir = Buffer.from([0x64, 0x69, 0x72, 0xc3]); // truncated UTF-8 sequence
    mkdirSync(at(badDir));
    writeFileSync(at(badDir, 'inner.txt'), 'inside a non-UTF-8 folder');
    symlinkSync(Buffer.from([0x74, 0x6f, 0xfe]), at('link-to-bytes'));
    writeFileSync(at('caf\u00e9.txt'), 'NFC');
    writeFileSync(at('cafe\u0301.txt'), 'NFD');
    for (const n of ['a:b', 'con.txt', 'trailing.', 'trailing ', 'back\\slash', 'q?.txt']) writeFileSync(at(n), `named ${n}`);
    writeFileSync(at('big.bin'), bytes(3 * 1048576 + 11));

    const d = await sealSources([join(src, 'data')]);
    const report = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(report.problems).toEqual([]);
    const { entries } = await list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(entries.find((e) => e.pathBytes === Buffer.from([...Buffer.from('data/'), ...latin1]).toString('base64'))).toBeDefined();
    expect(entries.filter((e) => e.path.normalize('NFC') === 'data/café.txt')).toHaveLength(2);

    const dest = tempDir();
    await restore(d, dest);
    const before = snapshotTree(src);
    const after = snapshotTree(dest);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of before) {
      expect(after.get(k)!.type, k).toBe(v.type);
      expect(after.get(k)!.data.equals(v.data), k).toBe(true);
    }
    expect(readFileSync(join(dest, 'data/caf\u00e9.txt'), 'utf8')).toBe('NFC');
    expect(readFileSync(join(dest, 'data/cafe\u0301.txt'), 'utf8')).toBe('NFD');
  });

  it('localName maps names Windows cannot hold, and reports them as renamed', () => {
    const win = (n: string) => {
      const r = localName(Buffer.from(n), 'win32');
      return [r.name.toString('utf8'), r.renamed];
    };
    expect(win('a:b')).toEqual(['a_b', true]);
    expect(win('con.txt')).toEqual(['_con.txt', true]);
    expect(win('CON')).toEqual(['_CON', true]);
    expect(win('nul')).toEqual(['_nul', true]);
    expect(win('Com1.log')).toEqual(['_Com1.log', true]);
    expect(win('trailing.')).toEqual(['trailing', true]);
    expect(win('trailing ')).toEqual(['trailing', true]);
    expect(win('back\\slash')).toEqual(['back_slash', true]);
    expect(win('q?<>|*"')).toEqual(['q______', true]);
    expect(win('...')).toEqual(['_', true]);
    expect(win('plain é.txt')).toEqual(['plain é.txt', false]);
    expect(win('console.txt')).toEqual(['console.txt', false]);
    const linux = localName(Buffer.from('a:b'), 'linux');
    expect([linux.name.toString(), linux.renamed]).toEqual(['a:b', false]);
  });
});

describe('restore safety', () => {
  it('safeComponents refuses "..", absolute, NUL, empty and "." components (E_RESTORE_UNSAFE_PATH), naming the reason', () => {
    const reasons: [string, string][] = [
      ['..', '".." component'],
      ['../x', '".." component'],
      ['a/../b', '".." component'],
      ['a/..', '".." component'],
      ['/etc/passwd', 'absolute path'],
      ['/', 'absolute path'],
      ['a\0b', 'NUL byte in name'],
      ['', 'empty name'],
      ['a//b', 'empty or "." component'],
      ['./a', 'empty or "." component'],
      ['a/.', 'empty or "." component'],
      ['a/', 'empty or "." component'],
    ];
    for (const [bad, reason] of reasons) {
      expect(() => safeComponents(Buffer.from(bad)), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'E_RESTORE_UNSAFE_PATH', details: expect.objectContaining({ reason }) }),
      );
    }
    expect(safeComponents(Buffer.from('a/..b/c..')).map(String)).toEqual(['a', '..b', 'c..']);
    expect(safeComponents(Buffer.from([0x61, 0xff, 0x2f, 0x2e, 0x2e, 0x2e])).map((b) => b.toString('hex'))).toEqual(['61ff', '2e2e2e']);
  });

  async function sealPair() {
    const src = tempDir();
    writeTree(src, { 'data/a.txt': 'first', 'data/b.txt': 'second' });
    return sealSources([join(src, 'data')]);
  }

  for (const [what, edit] of [
    [
      '"../escape"',
      (e: Record<string, unknown>, name: string) => {
        e.path = `../${name}`;
      },
    ],
    [
      '"data/../../escape"',
      (e: Record<string, unknown>, name: string) => {
        e.path = `data/../../${name}`;
      },
    ],
    [
      'an absolute path',
      (e: Record<string, unknown>, name: string, dest: string) => {
        e.path = join(dest, '..', name);
      },
    ],
    [
      '"../" hidden in pathBytes',
      (e: Record<string, unknown>, name: string) => {
        e.path = 'data/x\uFFFD';
        e.pathBytes = Buffer.concat([Buffer.from(`../${name}`), Buffer.from([0xff])]).toString('base64');
      },
    ],
  ] as const) {
    it(`a drive whose index holds ${what} (re-signed by the station) is refused before anything is written`, async () => {
      const d = await sealPair();
      const dest = tempDir();
      const name = `scelle-escape-${randomBytes(6).toString('hex')}`;
      await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (lines) => {
        edit(
          lines.find((l) => l.path === 'data/b.txt')!,
          name,
          dest,
        );
        return lines;
      });
      const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
      expect(full.ok).toBe(false);
      expect(full.problems.map((p) => p.code)).toEqual(['E_FORMAT_INDEX']);
      await expect(restore(d, dest)).rejects.toMatchObject({ code: expect.stringMatching(/^E_(FORMAT_INDEX|RESTORE_UNSAFE_PATH)$/) });
      expect(readdirSync(dest)).toEqual([]);
      expect(existsSync(join(dest, '..', name))).toBe(false);
      expect(existsSync(join(dest, '..', `${name}\xff`))).toBe(false);
    });
  }

  /**
   * A drive holding a symlink `data/a/link -> <outside>` and a file `data/a/link/evil`: sealed
   * honestly as a folder `link` and a link `link2`, then the index edited by a key holder and
   * re-signed by the station.
   */
  async function linkAndFileThroughIt() {
    const outside = tempDir();
    const src = tempDir();
    writeTree(src, { 'data/a/link/evil': 'evil content', 'data/z.txt': 'fine' });
    symlinkSync(outside, join(src, 'data/a/link2'));
    const d = await sealSources([join(src, 'data')]);
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (lines) =>
      lines.filter((l) => l.path !== 'data/a/link').map((l) => (l.path === 'data/a/link2' ? { ...l, path: 'data/a/link' } : l)),
    );
    // The whole-index check names the link with entries below it.
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/data\/a\/link.*symlink, yet entries lie below it/),
    });
    return { d, outside };
  }

  it('a drive holding a/link -> outside and a/link/evil never writes through the link', async () => {
    const { d, outside } = await linkAndFileThroughIt();
    const dest = tempDir();
    await restore(d, dest).catch(() => undefined);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a drive holding a/link -> outside and a/link/evil is refused (E_FORMAT_INDEX) before anything is written', async () => {
    const { d } = await linkAndFileThroughIt();
    const dest = tempDir();
    await expect(restore(d, dest)).rejects.toMatchObject({ code: 'E_FORMAT_INDEX' });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('an existing link in the restore folder that points outside is never written through (E_RESTORE_UNSAFE_PATH)', async () => {
    const outside = tempDir();
    const src = tempDir();
    writeTree(src, { 'data/a/x.txt': 'x', 'data/b.txt': 'b' });
    const d = await sealSources([join(src, 'data')]);
    const dest = tempDir();
    mkdirSync(join(dest, 'data'));
    symlinkSync(outside, join(dest, 'data/a'));
    await expect(restore(d, dest)).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_PATH' });
    expect(readdirSync(outside)).toEqual([]);
    await expect(restore(d, dest, { overwrite: 'always' })).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_PATH' });
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('restoring over existing files', () => {
  /** Seals `tree` (paths under data/) as the folder data. */
  async function sealTree(tree: Record<string, string>) {
    const src = tempDir();
    writeTree(src, tree);
    return sealSources([join(src, 'data')]);
  }
  const sealThree = () => sealTree({ 'data/a.txt': 'A from drive', 'data/b.txt': 'B from drive', 'data/sub/c.txt': 'C from drive' });

  it('by default refuses with E_RESTORE_EXISTS before writing anything; existing content unchanged', async () => {
    const d = await sealThree();
    const dest = tempDir();
    writeTree(dest, { 'data/b.txt': 'my own b' });
    const before = snapshotTree(dest);
    await expect(restore(d, dest)).rejects.toMatchObject({ code: 'E_RESTORE_EXISTS', details: { count: 1, path: join(dest, 'data/b.txt') } });
    expect(snapshotTree(dest)).toEqual(before);
    await expect(restore(d, dest, { overwrite: 'never' })).rejects.toMatchObject({ code: 'E_RESTORE_EXISTS' });
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('with overwrite "always" replaces files, and replaces an existing link itself rather than writing through it', async () => {
    const d = await sealThree();
    const outside = tempDir();
    writeFileSync(join(outside, 'victim.txt'), 'outside, untouched');
    const dest = tempDir();
    writeTree(dest, { 'data/b.txt': 'my own b', 'data/sub/keep.txt': 'unrelated' });
    symlinkSync(join(outside, 'victim.txt'), join(dest, 'data/a.txt'));
    await expect(restore(d, dest)).rejects.toMatchObject({ code: 'E_RESTORE_EXISTS', details: { count: 2 } });
    const r = await restore(d, dest, { overwrite: 'always' });
    expect(r.files).toBe(3);
    expect(readFileSync(join(dest, 'data/b.txt'), 'utf8')).toBe('B from drive');
    expect(lstatSync(join(dest, 'data/a.txt')).isFile()).toBe(true);
    expect(readFileSync(join(dest, 'data/a.txt'), 'utf8')).toBe('A from drive');
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('outside, untouched');
    expect(readFileSync(join(dest, 'data/sub/keep.txt'), 'utf8')).toBe('unrelated');
  });

  /** A drive whose folder data/b comes after a file of another folder in the index (data/a/x.txt). */
  const sealTwoFolders = () => sealTree({ 'data/a/x.txt': 'X from drive', 'data/b/y.txt': 'Y from drive' });

  // A restore that found these clashes only on reaching data/b would already have written data/a/x.txt.
  it('a file where the drive restores a folder is refused in the plan (E_RESTORE_EXISTS), with or without overwrite: nothing written', async () => {
    const d = await sealTwoFolders();
    const dest = tempDir();
    writeTree(dest, { 'data/b': 'my own file named b' });
    const before = snapshotTree(dest);
    for (const overwrite of ['never', 'always'] as const) {
      await expect(restore(d, dest, { overwrite })).rejects.toMatchObject({
        code: 'E_RESTORE_EXISTS',
        details: { count: 1, path: join(dest, 'data/b'), reason: 'not-a-folder' },
      });
      expect(snapshotTree(dest)).toEqual(before);
    }
  });

  it('a link where the drive restores a folder is refused in the plan (E_RESTORE_UNSAFE_PATH): nothing written, here or through it', async () => {
    const d = await sealTwoFolders();
    const outside = tempDir();
    const dest = tempDir();
    mkdirSync(join(dest, 'data'));
    symlinkSync(outside, join(dest, 'data/b'));
    const before = snapshotTree(dest);
    for (const overwrite of ['never', 'always'] as const) {
      await expect(restore(d, dest, { overwrite })).rejects.toMatchObject({ code: 'E_RESTORE_UNSAFE_PATH', details: { path: join(dest, 'data/b') } });
      expect(snapshotTree(dest)).toEqual(before);
      expect(readdirSync(outside)).toEqual([]);
    }
  });

  it('with overwrite "always", a folder where a file should go is not replaced (E_RESTORE_EXISTS)', async () => {
    const d = await sealThree();
    const dest = tempDir();
    writeTree(dest, { 'data/b.txt/mine.txt': 'a folder named b.txt' });
    await expect(restore(d, dest, { overwrite: 'always' })).rejects.toMatchObject({ code: 'E_RESTORE_EXISTS', details: { path: join(dest, 'data/b.txt'), reason: 'is-a-folder' } });
    expect(readFileSync(join(dest, 'data/b.txt/mine.txt'), 'utf8')).toBe('a folder named b.txt');
    expect(readdirSync(join(dest, 'data')).filter((n) => n.includes('scelle-partial'))).toEqual([]);
  });
});
