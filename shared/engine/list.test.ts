import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { makeKeys, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { browseFolder, closeUnlocked, list, listEntries, open, openIndex, searchNames, seal } from './index.js';

/** A tree of folders with files, sealed in this thread. */
async function sealTree() {
  const keys = makeKeys();
  const src = tempDir();
  const tree: Record<string, string> = { 'export/lisez-moi.txt': 'bonjour', 'export/Été/rapport.pdf': 'pdf', 'export/Été/annexe/a.txt': 'a' };
  for (let d = 0; d < 3; d++) for (let f = 0; f < 4; f++) tree[`export/d${d}/f${f}.txt`] = `${d}-${f}`;
  writeTree(src, tree);
  const target = tempDir();
  const result = await seal(
    { sources: [join(src, 'export')], target, station: keys.station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] } },
    { sinkMode: 'inline' },
  );
  const opts = { driveDir: result.driveDir, pinnedRoots: [keys.root.publicKey], secret: { kind: 'x25519' as const, secretKey: keys.escrow.secretKey } };
  return { tree, opts };
}

describe('list, browse and search', () => {
  it('lists one folder with everything below it (the folder first), or one file, and says what is missing', async () => {
    const { opts } = await sealTree();
    const folder = await list({ ...opts, prefix: 'export/Été' });
    expect(folder.entries.map((e) => e.path)).toEqual(['export/Été', 'export/Été/annexe/a.txt', 'export/Été/annexe', 'export/Été/rapport.pdf']);
    expect(folder).toMatchObject({ files: 15, entryCount: 21 });
    // The same folder typed in NFD (as macOS does) and with a trailing slash.
    expect((await list({ ...opts, prefix: 'export/Été/'.normalize('NFD') })).entries).toHaveLength(4);
    expect((await list({ ...opts, prefix: 'export/d1/f2.txt' })).entries.map((e) => e.path)).toEqual(['export/d1/f2.txt']);
    await expect(list({ ...opts, prefix: 'export/nope' })).rejects.toMatchObject({ code: 'E_RESTORE_NOT_IN_INDEX' });
  });

  it('streams every entry, checked, in index order', async () => {
    const { opts, tree } = await sealTree();
    const seen: string[] = [];
    let summary = null;
    for await (const e of listEntries(opts, (s) => {
      summary = s;
    }))
      seen.push(e.path);
    expect(summary).toMatchObject({ files: Object.keys(tree).length });
    expect(seen.at(-1)).toBe('export');
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("browses one folder's children with folder totals, in pages, and searches names without accents or case", async () => {
    const { opts } = await sealTree();
    const drive = await openIndex(opts);
    try {
      const top = browseFolder(drive, '');
      expect(top).toEqual({ entries: [expect.objectContaining({ path: 'export', type: 'directory', files: 15, entries: 20 })], more: false });
      const page1 = browseFolder(drive, 'export', 0, 3);
      expect(page1.entries.map((e) => e.path)).toEqual(['export/d0', 'export/d1', 'export/d2']);
      expect(page1.more).toBe(true);
      const page2 = browseFolder(drive, 'export', 3, 3);
      expect(page2.entries.map((e) => e.path)).toEqual(['export/lisez-moi.txt', 'export/Été']);
      expect(page2.more).toBe(false);
      expect(page2.entries[1]).toMatchObject({ entries: 3, files: 2, bytes: 4 });
      expect(() => browseFolder(drive, 'export/lisez-moi.txt')).toThrow(expect.objectContaining({ code: 'E_RESTORE_NOT_IN_INDEX' }));
      expect(searchNames(drive, 'ETE').entries.map((e) => e.path)).toEqual(['export/Été']);
      expect(searchNames(drive, 'f2', 2)).toMatchObject({
        more: true,
        entries: [expect.objectContaining({ path: 'export/d0/f2.txt' }), expect.objectContaining({ path: 'export/d1/f2.txt' })],
      });
    } finally {
      closeUnlocked(drive);
    }
  });

  it('reopens a drive with the data key of an unlocked session (no keyslot), and refuses another key', async () => {
    const { opts } = await sealTree();
    const drive = await openIndex(opts);
    const key = Uint8Array.from(drive.dataKey);
    closeUnlocked(drive);
    const dest = tempDir();
    expect(await open({ ...opts, secret: { kind: 'data-key', key }, dest, paths: ['export/d1'] })).toMatchObject({ files: 4, verified: true });
    expect(key.some((b) => b !== 0)).toBe(true); // the caller's key is copied, not wiped
    await expect(list({ ...opts, secret: { kind: 'data-key', key: new Uint8Array(32).fill(7) } })).rejects.toMatchObject({ code: 'E_FORMAT_INDEX' });
  });

  it('opens chosen folders and files only, with the folders that lead to them', async () => {
    const { opts, tree } = await sealTree();
    const dest = tempDir();
    const res = await open({ ...opts, dest, paths: ['export/Été', 'export/d2/f1.txt', 'export/Été/annexe/a.txt'] });
    expect(res).toMatchObject({ files: 3, verified: true });
    expect(readdirSync(join(dest, 'export')).sort()).toEqual(['d2', 'Été'].sort());
    expect(readdirSync(join(dest, 'export/d2'))).toEqual(['f1.txt']);
    for (const p of ['export/Été/rapport.pdf', 'export/Été/annexe/a.txt', 'export/d2/f1.txt']) expect(readFileSync(join(dest, p), 'utf8')).toBe(tree[p]);
  });
});
