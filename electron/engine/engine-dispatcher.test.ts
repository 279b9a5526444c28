import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as realEngine from '../../shared/engine/index.js';
import type { UnlockedDrive } from '../../shared/engine/index.js';
import { writeTree } from '../../test/support/engine-fixtures.js';
import { EngineDispatcher, searchInSlices } from './engine-dispatcher.js';
import type { EnginePort } from './engine-port.js';
import { newStationIdentity } from '../station.js';

// One real drive for the whole file (an unlock costs a few seconds of Argon2id):
// Archives/dossier-0..3/fichier-0..4.txt, Archives/lisez-moi.txt, notes.txt.
let root = '';
let driveDir = '';
let code = '';
const closed: UnlockedDrive[] = [];
const engine: EnginePort = {
  ...realEngine,
  closeUnlocked: (d) => {
    closed.push(d);
    realEngine.closeUnlocked(d);
  },
};
// Slices of 3 entries: every search crosses many slices.
const dispatcher = new EngineDispatcher(
  async () => engine,
  () => {},
  [],
  3,
);
let sessionId = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'scelle-dispatcher-'));
  const tree: Record<string, string> = { 'Archives/lisez-moi.txt': 'lisez-moi\n', 'notes.txt': 'notes\n' };
  for (let d = 0; d < 4; d++) for (let f = 0; f < 5; f++) tree[`Archives/dossier-${d}/fichier-${f}.txt`] = `${d}-${f}\n`.repeat(d + 1);
  writeTree(join(root, 'src'), tree);
  const r = await realEngine.seal({
    sources: [join(root, 'src', 'Archives'), join(root, 'src', 'notes.txt')],
    target: root,
    recipients: { unlockCode: true, x25519: [] },
    station: newStationIdentity('station-d'),
  });
  driveDir = r.driveDir;
  code = r.unlockCode!;
  sessionId = (await dispatcher.run({ op: 'unlock', args: { driveDir, code } })).sessionId;
});
afterAll(async () => {
  dispatcher.closeAll();
  await rm(root, { recursive: true, force: true });
});

const names = (entries: { path: string }[]) => entries.map((e) => e.path);

describe('engine dispatcher: unlocked sessions', () => {
  it('browses one folder at a time, with folder totals and the drive totals', async () => {
    const top = await dispatcher.run({ op: 'browse', args: { sessionId, folder: '', start: 0, limit: 100 } });
    expect(top.totals).toEqual({ entries: 27, files: 22, bytes: expect.any(Number) });
    expect(top.more).toBe(false);
    const archives = top.entries.find((e) => e.path === 'Archives')!;
    expect(archives).toMatchObject({ type: 'directory', entries: 25, files: 21 });
    expect(Object.keys(archives).sort()).toEqual(['bytes', 'entries', 'files', 'mtime', 'path', 'size', 'type']);
    expect(top.entries.find((e) => e.path === 'notes.txt')).toEqual({ path: 'notes.txt', type: 'file', size: 6, mtime: expect.any(Number) });

    const first = await dispatcher.run({ op: 'browse', args: { sessionId, folder: 'Archives', start: 0, limit: 2 } });
    const rest = await dispatcher.run({ op: 'browse', args: { sessionId, folder: 'Archives', start: 2, limit: 100 } });
    expect(first.more).toBe(true);
    expect(rest.more).toBe(false);
    expect([...names(first.entries), ...names(rest.entries)].sort()).toEqual([
      'Archives/dossier-0',
      'Archives/dossier-1',
      'Archives/dossier-2',
      'Archives/dossier-3',
      'Archives/lisez-moi.txt',
    ]);
    const d2 = await dispatcher.run({ op: 'browse', args: { sessionId, folder: 'Archives/dossier-2', start: 0, limit: 100 } });
    expect(d2.entries.map((e) => e.size)).toEqual([12, 12, 12, 12, 12]);
    await expect(dispatcher.run({ op: 'browse', args: { sessionId, folder: 'Archives/absent', start: 0, limit: 10 } })).rejects.toMatchObject({ code: 'E_RESTORE_NOT_IN_INDEX' });
    await expect(dispatcher.run({ op: 'browse', args: { sessionId, folder: 'notes.txt', start: 0, limit: 10 } })).rejects.toMatchObject({ code: 'E_RESTORE_NOT_IN_INDEX' });
  });

  it('searches names over the whole index in slices, as the engine does in one pass', async () => {
    const drive = await realEngine.openIndex({ driveDir, secret: { kind: 'unlock-code', code }, pinnedRoots: [] });
    try {
      for (const [query, limit] of [
        ['FICHIER-3', 500],
        ['dossier', 500],
        ['.txt', 7],
        ['txt', 22],
        ['txt', 21],
        ['absent', 10],
      ] as const) {
        const whole = realEngine.searchNames(drive, query, limit);
        const sliced = await dispatcher.run({ op: 'search', args: { sessionId, query, limit } });
        expect({ query, limit, paths: names(sliced.entries), more: sliced.more }).toEqual({ query, limit, paths: names(whole.entries), more: whole.more });
        for (const slice of [1, 2, 5, 1000]) {
          const direct = await searchInSlices(engine, drive, query, limit, new AbortController().signal, slice);
          expect(names(direct.entries)).toEqual(names(whole.entries));
          expect(direct.more).toBe(whole.more);
        }
      }
      const accents = await dispatcher.run({ op: 'search', args: { sessionId, query: 'LISEZ-MOÍ', limit: 10 } });
      expect(names(accents.entries)).toEqual(['Archives/lisez-moi.txt']);
    } finally {
      realEngine.closeUnlocked(drive);
    }
  });

  it('answers other calls while a search runs, and a newer search stops the older one', async () => {
    const slow = new EngineDispatcher(
      async () => engine,
      () => {},
      [],
      1,
    );
    const id = (await slow.run({ op: 'unlock', args: { driveDir, code } })).sessionId;
    try {
      const order: string[] = [];
      const first = slow.run({ op: 'search', args: { sessionId: id, query: 'fichier', limit: 100 } }).then(
        () => order.push('first'),
        (e: unknown) => {
          order.push('first-error');
          throw e;
        },
      );
      const browse = slow.run({ op: 'browse', args: { sessionId: id, folder: '', start: 0, limit: 10 } }).then(() => order.push('browse'));
      await browse;
      const second = slow.run({ op: 'search', args: { sessionId: id, query: 'notes', limit: 100 } });
      await expect(first).rejects.toMatchObject({ code: 'E_CANCELLED' });
      expect(names((await second).entries)).toEqual(['notes.txt']);
      expect(order).toEqual(['browse', 'first-error']);

      const third = slow.run({ op: 'search', args: { sessionId: id, query: 'fichier', limit: 100 } });
      expect(await slow.run({ op: 'lock', args: { sessionId: id } })).toEqual({ locked: true });
      await expect(third).rejects.toMatchObject({ code: 'E_CANCELLED' });
    } finally {
      slow.closeAll();
    }
  });

  it('releases the index before an erase but keeps the key to sign, then locks', async () => {
    const id = (await dispatcher.run({ op: 'unlock', args: { driveDir, code } })).sessionId;
    const author = await dispatcher.run({ op: 'customerAuthor', args: { sessionId: id } });
    const before = closed.length;
    expect(await dispatcher.run({ op: 'release', args: { sessionId: id } })).toEqual({ released: true });
    expect(closed.length).toBe(before + 1);
    expect(closed.at(-1)!.dataKey.every((b) => b === 0)).toBe(true);
    await expect(dispatcher.run({ op: 'browse', args: { sessionId: id, folder: '', start: 0, limit: 10 } })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(dispatcher.run({ op: 'search', args: { sessionId: id, query: 'x', limit: 10 } })).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await dispatcher.run({ op: 'customerAuthor', args: { sessionId: id } })).toEqual(author);
    expect(await dispatcher.run({ op: 'release', args: { sessionId: id } })).toEqual({ released: false });
    expect(await dispatcher.run({ op: 'lock', args: { sessionId: id } })).toEqual({ locked: true });
    expect(closed.length).toBe(before + 1);
    await expect(dispatcher.run({ op: 'customerAuthor', args: { sessionId: id } })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it("erases in the engine: a session's index is closed first and its key stays to sign; an unknown session erases nothing", async () => {
    writeTree(join(root, 'src-erase'), { 'a.txt': 'a\n' });
    await mkdir(join(root, 'target-erase'));
    const sealed = await realEngine.seal({
      sources: [join(root, 'src-erase', 'a.txt')],
      target: join(root, 'target-erase'),
      recipients: { unlockCode: true, x25519: [] },
      station: newStationIdentity('station-e'),
    });
    const order: string[] = [];
    const eng: EnginePort = {
      ...realEngine,
      closeUnlocked: (d) => {
        order.push('close');
        realEngine.closeUnlocked(d);
      },
      eraseDrive: (o) => {
        order.push('erase');
        return realEngine.eraseDrive(o);
      },
    };
    const d = new EngineDispatcher(
      async () => eng,
      () => {},
    );
    await expect(d.run({ op: 'erase', args: { driveDir: sealed.driveDir, sessionId: 's_unknown' } })).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(order).toEqual([]);
    expect(existsSync(join(sealed.driveDir, 'manifest.json'))).toBe(true);
    const id = (await d.run({ op: 'unlock', args: { driveDir: sealed.driveDir, code: sealed.unlockCode! } })).sessionId;
    const author = await d.run({ op: 'customerAuthor', args: { sessionId: id } });
    const report = await d.run({ op: 'erase', args: { driveDir: sealed.driveDir, sessionId: id } });
    expect(order).toEqual(['close', 'erase']);
    expect(report).toMatchObject({ driveId: sealed.driveId, verification: { result: 'pass', failures: [] } });
    expect(existsSync(sealed.driveDir)).toBe(false);
    expect(await d.run({ op: 'customerAuthor', args: { sessionId: id } })).toEqual(author);
    d.closeAll();
  });

  it('closes every session (index closed, key zeroed) on closeAll', async () => {
    const other = new EngineDispatcher(
      async () => engine,
      () => {},
    );
    await other.run({ op: 'unlock', args: { driveDir, code } });
    expect(other.sessionCount).toBe(1);
    const before = closed.length;
    other.closeAll();
    expect(other.sessionCount).toBe(0);
    expect(closed.length).toBe(before + 1);
    expect(closed.at(-1)!.dataKey.every((b) => b === 0)).toBe(true);
  });
});

describe('searchInSlices', () => {
  it('takes the first answer as final when searchNames reads the index another way', async () => {
    const drive = {
      index: {
        entries: function* () {
          /* empty */
        },
        scan: () => 'scanned',
      },
    } as unknown as UnlockedDrive;
    let calls = 0;
    const fake = {
      searchNames: (d: UnlockedDrive) => {
        calls++;
        expect((d.index as unknown as { scan(): string }).scan()).toBe('scanned');
        return { entries: [], more: false };
      },
    } as unknown as EnginePort;
    expect(await searchInSlices(fake, drive, 'x', 10, new AbortController().signal, 2)).toEqual({ entries: [], more: false });
    expect(calls).toBe(1);
  });

  it('stops at the next slice once aborted', async () => {
    const c = new AbortController();
    c.abort();
    const drive = {
      index: {
        entries: function* () {
          /* empty */
        },
      },
    } as unknown as UnlockedDrive;
    await expect(searchInSlices({} as EnginePort, drive, 'x', 10, c.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
