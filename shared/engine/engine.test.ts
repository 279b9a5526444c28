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

describe('full verify of many files', () => {
  it('stops soon after a cancellation that arrives from outside while it walks the files (the walk lets the event loop turn)', async () => {
    const { root, station, escrow } = makeKeys();
    const src = tempDir();
    const total = 20_000;
    const tree: Record<string, string> = {};
    for (let i = 0; i < total; i++) tree[`data/d${i % 20}/f${String(i).padStart(5, '0')}`] = `file ${i}`;
    writeTree(src, tree);
    const sealed = await seal(
      { sources: [join(src, 'data')], target: tempDir(), station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: escrow.publicKey }] } },
      { sinkMode: 'inline' },
    );
    const secret = { kind: 'x25519' as const, secretKey: escrow.secretKey };
    const stop = new AbortController();
    let scheduledAt = -1;
    let furthest = 0;
    const verifying = verify({
      driveDir: sealed.driveDir,
      pinnedRoots: [root.publicKey],
      secret,
      signal: stop.signal,
      onProgress: (p) => {
        furthest = Math.max(furthest, p.filesDone);
        // The first report once files are being checked: a cancellation from a timer, as the app's IPC would send it.
        if (scheduledAt < 0 && p.phase === 'verify' && p.filesDone > 0) {
          scheduledAt = p.filesDone;
          setImmediate(() => stop.abort());
        }
      },
    });
    await expect(verifying).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(scheduledAt).toBeGreaterThan(0);
    // A turn comes every 1,024 entries at most: the walk stopped there, far from its end.
    expect(furthest - scheduledAt).toBeLessThanOrEqual(1024);
    // And the same drive verifies whole when nobody cancels.
    expect(await verify({ driveDir: sealed.driveDir, pinnedRoots: [root.publicKey], secret })).toMatchObject({ ok: true, files: total });
  });
});
