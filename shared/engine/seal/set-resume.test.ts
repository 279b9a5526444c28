/**
 * Resuming an unfinished sealed set from what its targets hold (hostile: the state files are not
 * authenticated, folders may have been copied, moved or planted). Each case was found by the
 * hostile-drive fuzz of sets (hostile-fuzz-set.test.ts) and failed with a crash (E_INTERNAL, a
 * TypeError), a hang or a drive that restores nothing before its fix.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytes, makeKeys, tempDir, writeTree } from '../../../test/support/engine-fixtures.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../../format/payload-size.js';
import type { SealOptions } from '../api.js';
import { open, seal } from '../index.js';

const PART = 64 * 1024;

/** A set of three members (2, 2 and 1 parts) cancelled once member 2 started: members 1 and 2 unfinished, member 3 not begun. */
async function unfinishedSet() {
  const keys = makeKeys();
  const src = tempDir();
  writeTree(src, { 'data/a.txt': 'bonjour', 'data/b.bin': bytes(150 * 1024, 3), 'data/c.bin': bytes(120 * 1024, 5) });
  const targets = [tempDir(), tempDir(), tempDir()];
  const options = (target: string, more: string[]): SealOptions => ({
    sources: [join(src, 'data')],
    target,
    station: keys.station,
    partPlaintextSize: PART,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
    set: { more, memberBytes: indexAndSlackBytes(30) + 2 * streamCiphertextSize(PART) },
  });
  const stop = new AbortController();
  const first = options(targets[0]!, targets.slice(1));
  await expect(
    seal({ ...first, signal: stop.signal, set: { ...first.set!, onMemberStarted: (m) => m.position === 2 && stop.abort() } }, { sinkMode: 'inline' }),
  ).rejects.toMatchObject({ code: 'E_CANCELLED' });
  const member = (i: number) => join(targets[i]!, readdirSync(targets[i]!)[0]!);
  expect(readdirSync(targets[2]!)).toEqual([]);
  const resume = (target: string, more: string[]): SealOptions => ({ ...options(target, more), resume: true });
  return { keys, src, targets, member, resume };
}

describe('resuming an unfinished set', () => {
  it('resumes whole with every target given (the fixture is resumable)', async () => {
    const { keys, src, targets, resume } = await unfinishedSet();
    const r = await seal(resume(targets[0]!, targets.slice(1)), { sinkMode: 'inline' });
    expect(r.set!.members.map((m) => m.position)).toEqual([1, 2, 3]);
    const dest = tempDir();
    const dirs = r.set!.members.map((m) => m.driveDir);
    await open({ driveDir: dirs[0]!, members: dirs.slice(1), dest, pinnedRoots: [keys.root.publicKey], secret: { kind: 'x25519', secretKey: keys.escrow.secretKey } });
    expect(readFileSync(join(dest, 'data/b.bin')).equals(readFileSync(join(src, 'data/b.bin')))).toBe(true);
  });

  it('refuses to resume without the drive of a member still being written (drives attached at once), instead of leaving it unsealed', async () => {
    const { targets, member, resume } = await unfinishedSet();
    // Member 1's drive is left out: it was never sealed (members attached together close at the end).
    await expect(seal(resume(targets[1]!, [targets[2]!]), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH', details: { position: 1 } });
    expect(existsSync(join(member(0), 'manifest.json'))).toBe(false);
    expect(existsSync(join(member(1), 'manifest.json'))).toBe(false);
  });

  it('refuses to resume a member of a set as a drive of its own (its parts are not the start of the stream)', async () => {
    const { targets, member, resume } = await unfinishedSet();
    // One target, no set options: the command line's `seal --resume --to <member 1's drive>`.
    const { set: _set, ...alone } = resume(targets[0]!, []);
    await expect(seal(alone, { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH', details: { reason: 'set-member' } });
    expect(existsSync(join(member(0), 'manifest.json'))).toBe(false);
  });

  it('refuses, without a crash, a resume whose targets leave a member without a drive and cannot ask for one', async () => {
    const { targets, member, resume } = await unfinishedSet();
    // Members 1 and 2 are in the targets given; member 3 has none, and no next drive can be asked for.
    await expect(seal(resume(targets[0]!, [targets[1]!]), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_USAGE', details: { position: 3 } });
    expect(existsSync(join(member(0), 'manifest.json'))).toBe(false);
  });

  it('refuses two members found in one target (copied there) instead of dropping a free target', async () => {
    const { targets, member, resume } = await unfinishedSet();
    cpSync(member(0), join(targets[1]!, readdirSync(targets[0]!)[0]!), { recursive: true });
    await expect(seal(resume(targets[2]!, [targets[1]!]), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
    expect(readdirSync(targets[2]!)).toEqual([]);
  });

  it('refuses a state file whose set plan was altered (part counts), instead of failing midway with E_INTERNAL', async () => {
    const { targets, member, resume } = await unfinishedSet();
    const path = join(member(1), '.seal-state.json');
    const state = JSON.parse(readFileSync(path, 'utf8'));
    const alter = (partCounts: number[], more: object = {}) => writeFileSync(path, JSON.stringify({ ...state, ...more, set: { ...state.set, partCounts } }));
    // More parts than the stream makes.
    alter([2, 3, 1]);
    await expect(seal(resume(targets[1]!, [targets[2]!]), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
    // The right number, but member 2's own count no longer matches the plan.
    alter([3, 1, 1]);
    await expect(seal(resume(targets[1]!, [targets[2]!]), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
    // A plan that holds together, but not member 1's.
    alter([3, 1, 1], { partCount: 1, parts: state.parts.slice(0, 1) });
    await expect(seal(resume(targets[0]!, targets.slice(1)), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });
    expect(readdirSync(targets[2]!)).toEqual([]);
  });

  it('checks every unfinished member before writing: a link planted where member 1 (all parts done) gets its index is refused', async () => {
    const { targets, member, resume } = await unfinishedSet();
    const outside = join(tempDir(), 'victim.txt');
    writeFileSync(outside, 'must never change');
    symlinkSync(outside, join(member(0), 'index.scx'));
    await expect(seal(resume(targets[0]!, targets.slice(1)), { sinkMode: 'inline' })).rejects.toMatchObject({ code: 'E_FORMAT_UNSAFE_ENTRY' });
    expect(readFileSync(outside, 'utf8')).toBe('must never change');
    // Refused before anything was written: member 3 was not begun.
    expect(readdirSync(targets[2]!)).toEqual([]);
  });
});
