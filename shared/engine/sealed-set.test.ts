import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bytes, makeKeys, rewriteIndex, tempDir, writeTree } from '../../test/support/engine-fixtures.js';
import { list, open, seal, verify } from './index.js';
import type { NextMemberRequest, SealResult } from './api.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../format/payload-size.js';
import { ScelleError, isScelleError } from '../errors/scelle-error.js';

const PART = 65536;
/** 24 files of ~50 kB in two folders: about 19 parts of 64 KiB. */
function sources() {
  const src = tempDir();
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) tree[`données/a/f${String(i).padStart(2, '0')}.bin`] = bytes(50_000 + i * 7, i + 1);
  for (let i = 0; i < 12; i++) tree[`données/b/g${String(i).padStart(2, '0')}.bin`] = bytes(40_000 + i * 13, i + 100);
  writeTree(src, tree);
  return { dir: join(src, 'données'), tree };
}
/** A member holds `parts` parts of 64 KiB beside the index and slack. */
const memberBytes = (parts: number) => indexAndSlackBytes(30) + parts * streamCiphertextSize(PART);

function expectRestored(dest: string, tree: Record<string, Buffer>, paths: string[]) {
  for (const p of paths) expect(readFileSync(join(dest, p)).equals(tree[p]!), p).toBe(true);
}

async function sealThree(next?: (r: NextMemberRequest, targets: string[]) => Promise<string>) {
  const keys = makeKeys();
  const src = sources();
  const targets = [tempDir(), tempDir(), tempDir()];
  const nextTarget = next && ((r: NextMemberRequest) => next(r, targets));
  const sealed: number[] = [];
  const result = await seal(
    {
      sources: [src.dir],
      target: targets[0]!,
      station: keys.station,
      recipients: { unlockCode: true, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
      partPlaintextSize: PART,
      set: nextTarget
        ? { more: [], nextTarget, memberBytes: memberBytes(7), onMemberSealed: (m) => sealed.push(m.position) }
        : { more: targets.slice(1), memberBytes: memberBytes(7), onMemberSealed: (m) => sealed.push(m.position) },
    },
    { sinkMode: 'inline' },
  );
  return { keys, src, targets, result, sealed };
}

const memberDirs = (r: SealResult) => r.set!.members.map((m) => m.driveDir);

/** Mounts a tmpfs of `size` at a new folder; null when this machine does not let the test mount (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(size: string): string | null {
  const dir = tempDir('scelle-member-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? dir : null;
}
const probe = mountTmpfs('64k');
const canMount = probe !== null;
if (probe) spawnSync('umount', [probe]);
if (!canMount)
  console.warn(
    'sealed sets on real size-limited file systems: not run here, `mount -t tmpfs` is not permitted (needs root with CAP_SYS_ADMIN); the same seal runs below on folders limited by memberBytes',
  );

describe('sealed sets (several drives)', () => {
  it.skipIf(!canMount)('fills three real 1.6 MB file systems (tmpfs), each member planned from its free space, and opens them in reverse order', async () => {
    const mounts = [mountTmpfs('1600k'), mountTmpfs('1600k'), mountTmpfs('1600k')];
    try {
      const targets = mounts.map((m) => m!);
      const keys = makeKeys();
      const src = sources();
      const result = await seal(
        { sources: [src.dir], target: targets[0]!, station: keys.station, recipients: { unlockCode: true, x25519: [] }, partPlaintextSize: PART, set: { more: targets.slice(1) } },
        { sinkMode: 'inline' },
      );
      expect(result.set!.members).toHaveLength(3);
      for (const m of result.set!.members) {
        const report = await verify({ driveDir: m.driveDir, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code: result.unlockCode! } });
        expect(report.problems).toEqual([]);
      }
      const dest = tempDir();
      const dirs = memberDirs(result).reverse();
      await open({ driveDir: dirs[0]!, members: dirs.slice(1), dest, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code: result.unlockCode! } });
      expectRestored(dest, src.tree, Object.keys(src.tree));
    } finally {
      for (const m of mounts) if (m) spawnSync('umount', [m]);
    }
  });

  it('seals onto three size-limited drives, opens them in reverse order byte for byte, and verifies each member alone', async () => {
    const { keys, src, result, sealed } = await sealThree();
    const set = result.set!;
    expect(set.members.map((m) => [m.position, m.parts])).toEqual([
      [1, 7],
      [2, 7],
      [3, 4],
    ]);
    expect(sealed).toEqual([1, 2, 3]);
    // Attached together to the end: every member's index lists the whole set.
    expect(set.members.every((m) => m.indexComplete && m.indexEntries === 27)).toBe(true);
    const manifests = set.members.map((m) => JSON.parse(readFileSync(join(m.driveDir, 'manifest.json'), 'utf8')));
    expect(manifests.map((m) => m.set.position)).toEqual([1, 2, 3]);
    expect(new Set(manifests.map((m) => m.set.id)).size).toBe(1);
    expect(manifests[2].set.driveIds).toEqual(set.members.map((m) => m.driveId));
    // Nothing on a member names the customer or a file.
    for (const m of set.members) expect(readFileSync(join(m.driveDir, 'manifest.json'), 'utf8')).not.toMatch(/données|\.bin"|customer/);

    const roots = [keys.root.publicKey];
    for (const m of set.members) {
      const media = await verify({ driveDir: m.driveDir, pinnedRoots: roots });
      expect(media.ok).toBe(true);
      const full = await verify({ driveDir: m.driveDir, pinnedRoots: roots, secret: { kind: 'x25519', secretKey: keys.escrow.secretKey } });
      expect(full.problems).toEqual([]);
      expect(full.set).toMatchObject({ members: 3, present: [m.position] });
      expect(full.set!.filesChecked).toBeGreaterThan(0);
    }

    // All members at once: one pass over the set, the tar headers compared with the index.
    const whole = await verify({
      driveDir: memberDirs(result)[1]!,
      members: [memberDirs(result)[2]!, memberDirs(result)[0]!],
      pinnedRoots: roots,
      secret: { kind: 'x25519', secretKey: keys.escrow.secretKey },
    });
    expect(whole.problems).toEqual([]);
    expect(whole.set).toMatchObject({ present: [1, 2, 3], filesChecked: 24, filesElsewhere: 0 });

    const dest = tempDir();
    const reversed = [...memberDirs(result)].reverse();
    const opened = await open({ driveDir: reversed[0]!, members: reversed.slice(1), dest, pinnedRoots: roots, secret: { kind: 'unlock-code', code: result.unlockCode! } });
    expect(opened.files).toBe(24);
    expect(opened.set).toMatchObject({ members: 3, present: [1, 2, 3], absent: [], notListed: 0 });
    expectRestored(dest, src.tree, Object.keys(src.tree));
  });

  it("a member's index holding a wrong SHA-256 for a file wholly on it (re-encrypted by a key holder): that member's full verify reports E_FORMAT_CONTENT_HASH", async () => {
    const { keys, result } = await sealThree();
    const first = memberDirs(result)[0]!;
    const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };
    await rewriteIndex(first, keys.escrow.secretKey, keys.station.secretKey, (entries) => {
      entries.find((e) => e.path === 'données/a/f00.bin')!.sha256 = 'f'.repeat(64);
      return entries;
    });
    const full = await verify({ driveDir: first, pinnedRoots: [keys.root.publicKey], secret });
    expect(full.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_CONTENT_HASH', details: { path: 'données/a/f00.bin' } })]);
  });

  it('with one member withheld: lists, restores and verifies what the others hold, and names what needs the missing one', async () => {
    const { keys, src, result } = await sealThree();
    const [m1, m2, m3] = result.set!.members;
    const roots = [keys.root.publicKey];
    const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };

    // Any single member lists the whole set (this one knows member 2 is absent).
    const listing = await list({ driveDir: m3!.driveDir, members: [m1!.driveDir], pinnedRoots: roots, secret });
    expect(listing.entries).toHaveLength(27);
    expect(listing.set).toMatchObject({ members: 3, present: [1, 3], absent: [{ position: 2, driveId: m2!.driveId }], listed: 27 });

    const dest = tempDir();
    const opened = await open({ driveDir: m3!.driveDir, members: [m1!.driveDir], dest, pinnedRoots: roots, secret });
    const absent = opened.set!.absent;
    expect(absent).toHaveLength(1);
    expect(absent[0]).toMatchObject({ position: 2, driveId: m2!.driveId });
    const missing = new Set(absent[0]!.paths);
    expect(missing.size).toBe(absent[0]!.files);
    expect(missing.size).toBeGreaterThan(0);
    expect(opened.files + missing.size).toBe(24);
    // The seal said what member 2 holds (its custody incident would name it): the same files.
    expect({ files: m2!.files, bytes: m2!.bytes }).toEqual({ files: missing.size, bytes: absent[0]!.bytes });
    expect(m1!.files + m3!.files).toBeGreaterThanOrEqual(24 - missing.size);
    // Every file held by members 1 and 3 is restored exactly; none of the others exists, not even in part.
    const held = Object.keys(src.tree).filter((p) => !missing.has(p));
    expectRestored(dest, src.tree, held);
    for (const p of missing) expect(existsSync(join(dest, p)), p).toBe(false);
    const leftovers = readdirSync(join(dest, 'données/a')).concat(readdirSync(join(dest, 'données/b')));
    expect(leftovers.sort()).toEqual(held.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort());

    // Asking for a file that needs the missing member restores nothing of it, and says so.
    const one = [...missing][0]!;
    const dest2 = tempDir();
    const partial = await open({ driveDir: m1!.driveDir, members: [m3!.driveDir], dest: dest2, paths: [one], pinnedRoots: roots, secret });
    expect(partial.files).toBe(0);
    expect(partial.set!.absent[0]!.paths).toEqual([one]);
    expect(existsSync(join(dest2, one))).toBe(false);
  });

  it('waits for each next drive, asks again when the one given is refused, and closes members as they fill', async () => {
    const requests: NextMemberRequest[] = [];
    const { keys, src, result } = await sealThree(async (r, targets) => {
      requests.push(r);
      // The technician first re-attaches member 1's drive: refused, and asked again.
      return requests.length === 1 ? targets[0]! : targets[r.position - 1]!;
    });
    expect(requests.map((r) => r.position)).toEqual([2, 2, 3]);
    expect(requests[0]!.refused).toBeNull();
    expect(requests[1]!.refused?.code).toBe('E_USAGE');
    expect(requests[1]!.bytesNeeded).toBeGreaterThan(7 * PART);
    const [m1, m2, m3] = result.set!.members;
    // Members 1 and 2 were closed before the next drive came: each lists what was sealed until then.
    expect(m1!.indexComplete).toBe(false);
    expect(m2!.indexComplete).toBe(false);
    expect(m1!.indexEntries).toBeGreaterThan(0);
    expect(m1!.indexEntries).toBeLessThanOrEqual(m2!.indexEntries);
    expect(m2!.indexEntries).toBeLessThan(27);
    expect(m3!.indexComplete).toBe(true);

    // The last member withheld: the first two list a prefix and name the rest as not listed.
    const roots = [keys.root.publicKey];
    const secret = { kind: 'unlock-code' as const, code: result.unlockCode! };
    const dest = tempDir();
    const opened = await open({ driveDir: m1!.driveDir, members: [m2!.driveDir], dest, pinnedRoots: roots, secret });
    expect(opened.set!.notListed).toBe(27 - m2!.indexEntries);
    expect(opened.set!.absent.map((a) => a.position)).toEqual([3]);
    const restored = Object.keys(src.tree).filter((p) => existsSync(join(dest, p)));
    expect(restored.length).toBe(opened.files);
    expectRestored(dest, src.tree, restored);
    // Everything, once all three are attached.
    const all = tempDir();
    await open({ driveDir: m2!.driveDir, members: [m3!.driveDir, m1!.driveDir], dest: all, pinnedRoots: roots, secret });
    expectRestored(all, src.tree, Object.keys(src.tree));
  });

  it('refuses drives that are not members of one set, and a member given twice', async () => {
    const a = await sealThree();
    const b = await sealThree();
    const roots = [a.keys.root.publicKey];
    const secret = { kind: 'unlock-code' as const, code: a.result.unlockCode! };
    const fail = async (dirs: string[]) => {
      try {
        await list({ driveDir: dirs[0]!, members: dirs.slice(1), pinnedRoots: roots, secret });
        return null;
      } catch (e) {
        return isScelleError(e) ? e.code : String(e);
      }
    };
    expect(await fail([memberDirs(a.result)[0]!, memberDirs(b.result)[1]!])).toBe('E_SET_MISMATCH');
    expect(await fail([memberDirs(a.result)[0]!, memberDirs(a.result)[0]!])).toBe('E_SET_MISMATCH');
  });

  it('seals a plain drive when everything fits on the first target', async () => {
    const keys = makeKeys();
    const src = tempDir();
    writeTree(src, { 'x/a.txt': 'petit' });
    const r = await seal(
      { sources: [join(src, 'x')], target: tempDir(), station: keys.station, recipients: { unlockCode: true, x25519: [] }, partPlaintextSize: PART, set: { more: [tempDir()] } },
      { sinkMode: 'inline' },
    );
    expect(r.set).toBeUndefined();
    expect(JSON.parse(readFileSync(join(r.driveDir, 'manifest.json'), 'utf8')).set).toBeUndefined();
  });

  it('refuses a seal the drives given cannot hold, before writing anything', async () => {
    const keys = makeKeys();
    const src = sources();
    const targets = [tempDir(), tempDir()];
    await expect(
      seal(
        {
          sources: [src.dir],
          target: targets[0]!,
          station: keys.station,
          recipients: { unlockCode: true, x25519: [] },
          partPlaintextSize: PART,
          set: { more: [targets[1]!], memberBytes: memberBytes(7) },
        },
        { sinkMode: 'inline' },
      ),
    ).rejects.toMatchObject({ code: 'E_TARGET_TOO_SMALL' });
    for (const t of targets) expect(readdirSync(t)).toEqual([]);
  });

  it('stops when cancelled on a later member: members sealed so far stay whole, the unfinished one resumes with the same code', async () => {
    const keys = makeKeys();
    const src = sources();
    const first = tempDir();
    const second = tempDir();
    const third = tempDir();
    const stop = new AbortController();
    const base = {
      sources: [src.dir],
      station: keys.station,
      recipients: { unlockCode: true, x25519: [] },
      partPlaintextSize: PART,
    };
    let parts = 0;
    const err = await seal(
      {
        ...base,
        target: first,
        signal: stop.signal,
        onProgress: () => undefined,
        set: {
          more: [],
          memberBytes: memberBytes(7),
          nextTarget: async (r) => (r.position === 2 ? second : third),
          onMemberSealed: (m) => {
            parts += m.parts;
            if (m.position === 1) setTimeout(() => stop.abort(), 0);
          },
        },
      },
      { sinkMode: 'inline' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CANCELLED' });
    expect(parts).toBe(7);
    const [m1] = readdirSync(first);
    expect(readdirSync(join(first, m1!)).sort()).toEqual(['LISEZMOI-README.txt', 'index.scx', 'manifest.json', 'manifest.sig', 'payload']);
    expect((await verify({ driveDir: join(first, m1!), pinnedRoots: [keys.root.publicKey] })).ok).toBe(true);
    // Member 2 is unfinished: a state file, no manifest (never reported as sealed).
    const [m2] = readdirSync(second);
    expect(readdirSync(join(second, m2!))).toContain('.seal-state.json');
    expect(readdirSync(join(second, m2!))).not.toContain('manifest.json');

    // Member 1 was shipped (detached); the resume continues member 2 and asks for member 3.
    const asked: number[] = [];
    const resumed = await seal({ ...base, target: second, resume: true, set: { more: [], nextTarget: async (r) => (asked.push(r.position), third) } }, { sinkMode: 'inline' });
    expect(resumed.resumed).toBe(true);
    expect(asked).toEqual([3]);
    expect(resumed.set!.members.map((m) => m.position)).toEqual([2, 3]);
    // The same unlock code as member 1's (the resume read it from the state, wrapped to the station).
    const code = resumed.unlockCode!;
    const dest = tempDir();
    const dirs = [join(first, m1!), ...resumed.set!.members.map((m) => m.driveDir)];
    const opened = await open({ driveDir: dirs[2]!, members: [dirs[0]!, dirs[1]!], dest, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code } });
    expect(opened.set!.absent).toEqual([]);
    expectRestored(dest, src.tree, Object.keys(src.tree));
    const alone = await verify({ driveDir: dirs[0]!, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code } });
    expect(alone.problems).toEqual([]);
  });

  it("stops at the question for the next drive and resumes onto it later from the station's record, with the same code; the record is gone once the set is sealed", async () => {
    const keys = makeKeys();
    const src = sources();
    const [first, second, third] = [tempDir(), tempDir(), tempDir()];
    const records = tempDir('scelle-station-');
    const base = {
      sources: [src.dir],
      station: keys.station,
      recipients: { unlockCode: true, x25519: [] },
      partPlaintextSize: PART,
    };
    const err = await seal(
      {
        ...base,
        target: first,
        set: {
          more: [],
          memberBytes: memberBytes(7),
          continuationDir: records,
          nextTarget: async (r) => {
            throw new ScelleError('E_CANCELLED', `no drive for member ${r.position}`);
          },
        },
      },
      { sinkMode: 'inline' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CANCELLED' });
    // Member 1 is a whole drive; member 2 was never started: only the station's record says where the set goes on.
    const [m1] = readdirSync(first);
    expect((await verify({ driveDir: join(first, m1!), pinnedRoots: [keys.root.publicKey] })).ok).toBe(true);
    expect(readdirSync(second)).toEqual([]);
    expect(readdirSync(records)).toHaveLength(1);
    // The record holds no key in clear and names no file.
    const record = readFileSync(join(records, readdirSync(records)[0]!), 'utf8');
    expect(record).not.toMatch(/f0[0-9]\.bin/);

    // Without the record (another station folder), there is nothing to resume.
    await expect(seal({ ...base, target: second, resume: true, set: { more: [], continuationDir: tempDir() } }, { sinkMode: 'inline' })).rejects.toMatchObject({
      code: 'E_RESUME_MISMATCH',
    });
    // Another station cannot take it over.
    const other = makeKeys();
    await expect(
      seal({ ...base, station: other.station, target: second, resume: true, set: { more: [], continuationDir: records } }, { sinkMode: 'inline' }),
    ).rejects.toMatchObject({ code: 'E_RESUME_MISMATCH' });

    // The next day, member 1 shipped: the resume writes member 2 onto the drive given, then asks for member 3.
    const asked: number[] = [];
    const resumed = await seal(
      { ...base, target: second, resume: true, set: { more: [], continuationDir: records, nextTarget: async (r) => (asked.push(r.position), third) } },
      { sinkMode: 'inline' },
    );
    expect(resumed.resumed).toBe(true);
    expect(asked).toEqual([3]);
    expect(resumed.set!.members.map((m) => m.position)).toEqual([2, 3]);
    expect(readdirSync(records)).toEqual([]);
    const code = resumed.unlockCode!;
    const dirs = [join(first, m1!), ...resumed.set!.members.map((m) => m.driveDir)];
    const dest = tempDir();
    const opened = await open({ driveDir: dirs[1]!, members: [dirs[2]!, dirs[0]!], dest, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code } });
    expect(opened.set!.absent).toEqual([]);
    expectRestored(dest, src.tree, Object.keys(src.tree));
    for (const d of dirs) expect((await verify({ driveDir: d, pinnedRoots: [keys.root.publicKey], secret: { kind: 'unlock-code', code } })).problems).toEqual([]);
  });

  it('plans each attached drive on what it can hold (mixed sizes: no drive more than needed)', async () => {
    const keys = makeKeys();
    const src = sources();
    const targets = [tempDir(), tempDir(), tempDir()];
    const result = await seal(
      {
        sources: [src.dir],
        target: targets[0]!,
        station: keys.station,
        recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
        partPlaintextSize: PART,
        set: { more: targets.slice(1), capacities: [memberBytes(12), memberBytes(4), null] },
      },
      { sinkMode: 'inline' },
    );
    const parts = result.set!.members.map((m) => m.parts);
    expect(parts.slice(0, 2)).toEqual([12, 4]);
    expect(result.set!.partCounts).toEqual(parts);
    const dest = tempDir();
    await open({
      driveDir: memberDirs(result)[2]!,
      members: memberDirs(result).slice(0, 2),
      dest,
      pinnedRoots: [keys.root.publicKey],
      secret: { kind: 'x25519', secretKey: keys.escrow.secretKey },
    });
    expectRestored(dest, src.tree, Object.keys(src.tree));
  });
});
