import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, lstatSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { bytes, makeKeys, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { list, open, seal, verify } from './index.js';

describe('seal → verify → list → open round trip', () => {
  it('restores exactly what was sealed, with an escrow key and with the unlock code', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    writeTree(src, { 'docs/a.txt': 'hello', 'docs/empty.bin': '', 'docs/sub/big.bin': bytes(3 * 1048576 + 123), 'docs/é.txt': 'accent' });
    symlinkSync('a.txt', join(src, 'docs/link'));
    const target = tempDir();
    const result = await seal(
      {
        sources: [join(src, 'docs')],
        target,
        station,
        recipients: { unlockCode: true, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] },
        partPlaintextSize: 2 * 1048576,
      },
      { sinkMode: 'inline' },
    );
    expect(result.files).toBe(4);
    expect(result.parts).toBe(2);
    expect(result.unlockCode).toMatch(/^[0-9A-Z-]+$/);
    expect(readdirSync(result.driveDir).sort()).toEqual(['LISEZMOI-README.txt', 'index.scx', 'manifest.json', 'manifest.sig', 'payload']);

    const media = await verify({ driveDir: result.driveDir, pinnedRoots: [root.publicKey] });
    expect(media).toMatchObject({ ok: true, level: 'media', station: { certified: true } });
    const full = await verify({ driveDir: result.driveDir, pinnedRoots: [root.publicKey], secret: { kind: 'x25519', secretKey: escrow.secretKey } });
    expect(full.problems).toEqual([]);
    expect(full.ok).toBe(true);

    const listing = await list({ driveDir: result.driveDir, pinnedRoots: [root.publicKey], secret: { kind: 'x25519', secretKey: escrow.secretKey } });
    // Index order: a folder's subfolders' blocks first, then its own children by name, the folder itself last.
    expect(listing.entries.map((e) => e.path)).toEqual(['docs/sub/big.bin', 'docs/a.txt', 'docs/empty.bin', 'docs/link', 'docs/sub', 'docs/é.txt', 'docs']);
    expect(listing.entries.at(-1)).toMatchObject({ type: 'directory', entries: 6, files: 4 });

    const dest = tempDir();
    const opened = await open({ driveDir: result.driveDir, dest, pinnedRoots: [root.publicKey], secret: { kind: 'unlock-code', code: result.unlockCode!.toLowerCase() } });
    expect(opened.files).toBe(4);
    expect(readFileSync(join(dest, 'docs/sub/big.bin')).equals(bytes(3 * 1048576 + 123))).toBe(true);
    expect(readFileSync(join(dest, 'docs/é.txt'), 'utf8')).toBe('accent');
    expect(lstatSync(join(dest, 'docs/link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'docs/link'))).toBe('a.txt');
  });
});
