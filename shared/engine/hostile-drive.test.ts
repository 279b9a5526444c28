/**
 * Every place a drive is read or written treats it as hostile input (drive-files.ts): links and
 * special files planted in the drive folder are refused with E_FORMAT_UNSAFE_ENTRY, never
 * followed; oversized files stop with E_FORMAT_LIMIT; unlocking is cancellable.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytes, makeKeys, MiB, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { findSealedFolders } from '../drives/sealed-folders.js';
import { canonicalizeUnlockCode, generateUnlockCode } from '../format/unlock-code.js';
import { unwrapKeyslots, wrapForUnlockCode } from '../format/keyslot.js';
import { list, loadDrive, open, seal, verify } from './index.js';

async function sealed() {
  const keys = makeKeys();
  const src = tempDir();
  writeTree(src, { 'a.txt': 'bonjour', 'big.bin': bytes(2 * MiB + 123) });
  const target = tempDir();
  const r = await seal(
    { sources: [src], target, station: keys.station, recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] }, partPlaintextSize: MiB },
    { sinkMode: 'inline' },
  );
  const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };
  return { ...keys, src, target, driveDir: r.driveDir, secret, pinnedRoots: [keys.root.publicKey] };
}

/** Moves `rel` of the drive outside it and leaves a link to it in its place; returns the outside path. */
function replaceByLink(driveDir: string, rel: string): string {
  const outside = join(tempDir(), rel.replace(/\//g, '_'));
  renameSync(join(driveDir, rel), outside);
  symlinkSync(outside, join(driveDir, rel));
  return outside;
}

describe('links planted in a sealed drive folder are refused, never followed', () => {
  for (const rel of ['manifest.json', 'manifest.sig']) {
    it(`${rel} as a link: loading, verify, list and open all refuse (E_FORMAT_UNSAFE_ENTRY)`, async () => {
      const d = await sealed();
      replaceByLink(d.driveDir, rel);
      const expected = { code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: rel, reason: 'link' } };
      expect(() => loadDrive(d.driveDir, d.pinnedRoots)).toThrow(expect.objectContaining(expected));
      await expect(verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots })).rejects.toMatchObject(expected);
      await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject(expected);
      const dest = tempDir();
      await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject(expected);
      expect(readdirSync(dest)).toEqual([]);
    });
  }

  it('index.scx as a link: open and list refuse; verify reports it as a problem', async () => {
    const d = await sealed();
    replaceByLink(d.driveDir, 'index.scx');
    const expected = { code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: 'index.scx', reason: 'link' } };
    await expect(open({ driveDir: d.driveDir, dest: tempDir(), pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject(expected);
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject(expected);
    const report = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining(expected));
  });

  it('a part as a link: verify reports it, open refuses', async () => {
    const d = await sealed();
    replaceByLink(d.driveDir, 'payload/part-00000.scx');
    const expected = { code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: 'payload/part-00000.scx', reason: 'link' } };
    const report = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(report.problems).toContainEqual(expect.objectContaining(expected));
    await expect(open({ driveDir: d.driveDir, dest: tempDir(), pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject(expected);
  });

  it('payload/ as a link to a copy outside: refused before any part is read', async () => {
    const d = await sealed();
    const outside = join(tempDir(), 'payload-copy');
    cpSync(join(d.driveDir, 'payload'), outside, { recursive: true });
    rmSync(join(d.driveDir, 'payload'), { recursive: true });
    symlinkSync(outside, join(d.driveDir, 'payload'));
    await expect(verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots })).rejects.toMatchObject({
      code: 'E_FORMAT_UNSAFE_ENTRY',
      details: { path: 'payload', reason: 'link' },
    });
  });

  it('a FIFO in place of manifest.sig is refused at once, never waited on', async () => {
    const d = await sealed();
    rmSync(join(d.driveDir, 'manifest.sig'));
    execFileSync('mkfifo', [join(d.driveDir, 'manifest.sig')]);
    expect(() => loadDrive(d.driveDir, d.pinnedRoots)).toThrow(expect.objectContaining({ code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: 'manifest.sig', reason: 'not-a-file' } }));
  });

  it('a SCELLE-… link on a volume is neither chosen as the drive nor offered in the drive listing', async () => {
    const d = await sealed();
    const volume = tempDir();
    symlinkSync(d.driveDir, join(volume, 'SCELLE-0123456789'));
    expect(() => loadDrive(volume, d.pinnedRoots)).toThrow(expect.objectContaining({ code: 'E_FORMAT_MANIFEST' }));
    expect(await findSealedFolders(volume)).toEqual([]);
    expect(await findSealedFolders(d.target)).toHaveLength(1);
  });
});

describe('choosing the drive on a volume', () => {
  it('a volume holding two sealed drives: neither is guessed (E_USAGE, naming the choice to make); each drive folder loads', async () => {
    const d = await sealed();
    const volume = tempDir();
    for (const name of ['SCELLE-AAAAAAAAAA', 'SCELLE-BBBBBBBBBB']) cpSync(d.driveDir, join(volume, name), { recursive: true });
    expect(() => loadDrive(volume, d.pinnedRoots)).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringMatching(/2 sealed drives/) }));
    expect(loadDrive(join(volume, 'SCELLE-BBBBBBBBBB'), d.pinnedRoots).driveDir).toBe(join(volume, 'SCELLE-BBBBBBBBBB'));
  });
});

describe('bounds (E_FORMAT_LIMIT)', () => {
  it('a manifest.json over 32 MiB is refused without being read', async () => {
    const d = await sealed();
    truncateSync(join(d.driveDir, 'manifest.json'), (32 << 20) + 1);
    expect(() => loadDrive(d.driveDir, d.pinnedRoots)).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_LIMIT', details: { what: 'manifest.json', value: (32 << 20) + 1, max: 32 << 20 } }),
    );
  });

  it('an index.scx of another size than the manifest says is refused before it is decrypted', async () => {
    const d = await sealed();
    writeFileSync(join(d.driveDir, 'index.scx'), Buffer.concat([readFileSync(join(d.driveDir, 'index.scx')), Buffer.alloc(MiB)]));
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_PART_SIZE',
      details: { file: 'index.scx' },
    });
  });
});

describe('resume treats the unfinished drive folder as hostile', () => {
  async function unfinished() {
    const keys = makeKeys();
    const src = tempDir();
    writeTree(src, { 'big.bin': bytes(3 * MiB + 5) });
    const target = tempDir();
    const ac = new AbortController();
    const options = {
      sources: [src],
      target,
      station: keys.station,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
      partPlaintextSize: MiB,
    };
    await expect(seal({ ...options, signal: ac.signal, onProgress: () => ac.abort() }, { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const driveDir = join(
      target,
      readdirSync(target).find((n) => n.startsWith('SCELLE-'))!,
    );
    expect(existsSync(join(driveDir, '.seal-state.json'))).toBe(true);
    return { options, driveDir };
  }

  it('a .seal-state.json that is a link to a file outside: resume refuses, the file is unchanged', async () => {
    const u = await unfinished();
    const victim = replaceByLink(u.driveDir, '.seal-state.json');
    const before = readFileSync(victim);
    await expect(seal({ ...u.options, resume: true }, { sinkMode: 'inline' })).rejects.toMatchObject({
      code: 'E_FORMAT_UNSAFE_ENTRY',
      details: { path: '.seal-state.json', reason: 'link' },
    });
    expect(readFileSync(victim).equals(before)).toBe(true);
  });

  it('payload/ that became a link: resume refuses before writing a part through it', async () => {
    const u = await unfinished();
    const outside = join(tempDir(), 'elsewhere');
    mkdirSync(outside);
    rmSync(join(u.driveDir, 'payload'), { recursive: true });
    symlinkSync(outside, join(u.driveDir, 'payload'));
    await expect(seal({ ...u.options, resume: true }, { sinkMode: 'inline' })).rejects.toMatchObject({
      code: 'E_FORMAT_UNSAFE_ENTRY',
      details: { path: 'payload', reason: 'link' },
    });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('index.scx planted as a link: resume refuses, the link target is unchanged', async () => {
    const u = await unfinished();
    const victim = join(tempDir(), 'victim');
    writeFileSync(victim, 'keep');
    rmSync(join(u.driveDir, 'index.scx'), { force: true });
    symlinkSync(victim, join(u.driveDir, 'index.scx'));
    await expect(seal({ ...u.options, resume: true }, { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: 'index.scx' } });
    expect(readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('a state naming another drive id than its folder (e.g. "../x") cannot be resumed (E_RESUME_MISMATCH)', async () => {
    const u = await unfinished();
    const state = JSON.parse(readFileSync(join(u.driveDir, '.seal-state.json'), 'utf8'));
    writeFileSync(join(u.driveDir, '.seal-state.json'), JSON.stringify({ ...state, driveId: 'OTHER1' }));
    await expect(seal({ ...u.options, resume: true }, { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
  });
});

describe('unlocking is cancellable', () => {
  it('stops between and during unlock-code key derivations with E_CANCELLED (not E_KEY_WRONG after trying every slot)', async () => {
    const right = canonicalizeUnlockCode(generateUnlockCode());
    const derivationStarted = performance.now();
    const slot = await wrapForUnlockCode(new Uint8Array(32).fill(9), right, 'DRIVE1');
    const oneDerivation = performance.now() - derivationStarted;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const started = performance.now();
    await expect(unwrapKeyslots([slot, slot, slot, slot], { kind: 'unlock-code', code: generateUnlockCode() }, 'DRIVE1', ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
    // Cancelled inside the first of four derivations, not after it (nor after all of them).
    expect(performance.now() - started).toBeLessThan(oneDerivation);
  });

  it('an already aborted signal stops before any derivation', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(unwrapKeyslots([], { kind: 'unlock-code', code: generateUnlockCode() }, 'DRIVE1', ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
