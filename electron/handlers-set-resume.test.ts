/**
 * Resuming sealed sets through the IPC handlers (in-process host, the real engine): a set member
 * interrupted on a drive is listed with its place and resumed as a set (the next drive asked as
 * for a new set, the same unlock code); a set stopped at the question for the next drive is
 * recorded in the app's data folder, listed on the dashboard and continued onto a drive the
 * technician chooses; a damaged record is listed with its problem, never thrown; the sources
 * always come from the record, never from the renderer.
 */
import { appendFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../shared/engine/index.js';
import type { EventOf, StoppedSetDto, InterruptedSealDto } from '../shared/ipc/index.js';
import { E2E_ROOT_PUBLIC } from '../test/e2e/custody-service.js';
import { createHarnessWorld, type HarnessWorld } from '../test/e2e/harness-deps.js';
import { bytes } from '../test/support/engine-fixtures.js';
import { loadStationIdentity } from './station.js';
import { handlerCalls } from '../test/support/handler-calls.js';

const ORIGIN = 'http://127.0.0.1:5996';
let world: HarnessWorld;
const { call, value } = handlerCalls(() => world, ORIGIN);
const recipients = { unlockCode: true, escrow: false, customerKeys: [] };
type SetEvent = EventOf<'seal.set'>['event'];
type Sealed = {
  driveId: string;
  unlockCode?: string;
  files: number;
  set?: { id: string; total: number; members: { position: number; driveId: string; driveDir: string; volumeId: string | null; parts: number }[] };
};
type Listing = { interrupted: InterruptedSealDto[]; stoppedSets: StoppedSetDto[] };

/** Answers every question of job `jobId` for drive `position` with `volumes[position]` (after `before`, when given); records what was asked. */
function answerNextDrives(jobId: string, volumes: Record<number, string>, before?: () => Promise<unknown>): { asked: number[]; stop: () => void } {
  const asked: number[] = [];
  const listener = (channel: string, p: unknown) => {
    if (channel !== 'seal.set' || (p as { jobId: string }).jobId !== jobId) return;
    const e = (p as { event: SetEvent }).event;
    if (e.type !== 'next') return;
    asked.push(e.position);
    const v = volumes[e.position];
    if (v)
      setTimeout(() => {
        void (async () => {
          await before?.();
          await call('engine.nextDrive', { jobId, volumeId: v });
        })();
      }, 0);
  };
  world.listeners.add(listener);
  return { asked, stop: () => world.listeners.delete(listener) };
}

/** A source folder of three files of 1.5 MB (a set of three drives of 3 MB). */
function sources(name: string): string {
  const dir = join(world.root, 'sources', name);
  mkdirSync(join(dir, 'photos'), { recursive: true });
  for (let i = 0; i < 3; i++) appendFileSync(join(dir, 'photos', `photo-${i}.bin`), bytes(1_500_000, 20 + i));
  appendFileSync(join(dir, 'lisez-moi.txt'), 'Archives du client.\n');
  return dir;
}

const volumes: Record<string, string> = {};
const mount: Record<string, string> = {};
async function attach(label: string, free = 3_000_000): Promise<void> {
  const d = await world.attachDrive(label, free);
  volumes[label] = d.id;
  mount[label] = d.mountpoint;
}

beforeAll(async () => {
  world = await createHarnessWorld({ origin: ORIGIN, custodyUrl: 'http://127.0.0.1:9', pinnedRoots: [E2E_ROOT_PUBLIC] });
});
afterAll(() => world.custody.close());

describe('IPC handlers: a set stopped at the question for the next drive', () => {
  let stopped: StoppedSetDto;
  let src = '';

  it('records the set in the app data folder when the technician cancels at the question, and lists it on the dashboard with its place and sources', async () => {
    await attach('ARRET-1');
    await value('drives.list', {});
    src = sources('lot-arrete');
    world.handlers.grants.grant(src);
    const jobId = 'set-stop-0001';
    const asked = answerNextDrives(jobId, {});
    const sealing = call('engine.seal', { jobId, sources: [src], driveId: volumes['ARRET-1'], recipients, set: { more: [], waitForDrives: true } });
    while (asked.asked.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(await value('engine.cancel', { jobId })).toEqual({ cancelled: true });
    expect(await sealing).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    asked.stop();
    // The record is in the app's own data folder, not on any drive.
    expect(readdirSync(join(world.root, 'unfinished-sets'))).toEqual([expect.stringMatching(/^[0-9A-Z]{16}\.set-continuation\.json$/)]);

    const listing = await value<Listing>('custody.stationDrives', {});
    expect(listing.stoppedSets).toEqual([
      {
        setId: expect.any(String),
        position: 2,
        members: 3,
        driveIds: expect.any(Array),
        sources: [src],
        createdAt: expect.any(String),
        plaintextBytes: expect.any(Number),
        problem: null,
      },
    ]);
    stopped = listing.stoppedSets[0]!;
    expect(stopped.plaintextBytes).toBeGreaterThan(0);
    // A query does not hide it (it is not a drive of the journal yet).
    expect((await value<Listing>('custody.stationDrives', { query: 'zzz' })).stoppedSets).toHaveLength(1);
  }, 60_000);

  it('refuses a continuation naming its own sources (they come from the record), or without resume', async () => {
    await attach('ARRET-2');
    await value('drives.list', {});
    expect(
      await call('engine.seal', { jobId: 'set-stop-0002', resume: true, continueSet: stopped.setId, sources: [world.sourcesDir], driveId: volumes['ARRET-2'], recipients }),
    ).toMatchObject({
      ok: false,
      error: { code: 'E_IPC_INVALID' },
    });
    expect(await call('engine.seal', { jobId: 'set-stop-0003', continueSet: stopped.setId, sources: [src], driveId: volumes['ARRET-2'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_IPC_INVALID' },
    });
    expect(await call('engine.seal', { jobId: 'set-stop-0004', resume: true, continueSet: 'AAAAAAAAAAAAAAAA', driveId: volumes['ARRET-2'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_RESUME_MISMATCH' },
    });
  });

  it('refuses the drive already holding member 1, as the next-drive question does', async () => {
    expect(stopped.driveIds).toHaveLength(3);
    expect(await call('engine.seal', { jobId: 'set-stop-0009', resume: true, continueSet: stopped.setId, driveId: volumes['ARRET-1'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_USAGE', details: { reason: 'set-member' } },
    });
  });

  it('refuses a drive too small for the next member, as the next-drive question does', async () => {
    await attach('ARRET-PETIT', 100_000);
    await value('drives.list', {});
    expect(await call('engine.seal', { jobId: 'set-stop-0005', resume: true, continueSet: stopped.setId, driveId: volumes['ARRET-PETIT'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_TARGET_TOO_SMALL', details: { needed: stopped.plaintextBytes, free: 100_000 } },
    });
  });

  it('continues the set onto the drive chosen, asks for the next one, gives the unlock code, records a sealed event per member and forgets the record', async () => {
    await attach('ARRET-3');
    await value('drives.list', {});
    const jobId = 'set-stop-0006';
    // Drive 3 is asked for: the drive holding member 1 is refused at once, then ARRET-3 taken.
    const refusals: unknown[] = [];
    const asked = answerNextDrives(jobId, { 3: volumes['ARRET-3']! }, async () => refusals.push(await call('engine.nextDrive', { jobId, volumeId: volumes['ARRET-1'] })));
    const r = await value<Sealed>('engine.seal', {
      jobId,
      resume: true,
      continueSet: stopped.setId,
      driveId: volumes['ARRET-2'],
      recipients,
      set: { more: [], waitForDrives: true },
    });
    asked.stop();
    expect(refusals).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'E_USAGE' }) })]);
    expect(asked.asked).toEqual([3]);
    expect(r.set).toMatchObject({ id: stopped.setId, total: 3 });
    expect(r.set!.members.map((m) => [m.position, m.volumeId])).toEqual([
      [2, volumes['ARRET-2']],
      [3, volumes['ARRET-3']],
    ]);
    expect(r.unlockCode).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    // The sources sealed are the recorded ones: all four files of the set, across its members.
    expect(r.files).toBe(4);
    const journal = await world.custody.journal();
    for (const m of r.set!.members) expect(journal.eventsForDrive(m.driveId).map((e) => e.type)).toEqual(['sealed']);
    expect(readdirSync(join(world.root, 'unfinished-sets'))).toEqual([]);
    expect((await value<Listing>('custody.stationDrives', {})).stoppedSets).toEqual([]);
    // The code opens the members written by the continuation.
    const unlocked = await value<{ sessionId: string }>('engine.unlock', { driveDir: r.set!.members[0]!.driveDir, code: r.unlockCode, members: [r.set!.members[1]!.driveDir] });
    expect(unlocked.sessionId).toBeTruthy();
    await value('engine.lock', { sessionId: unlocked.sessionId });
  }, 60_000);

  it('lists a damaged record with its problem instead of failing the dashboard, and refuses to continue it', async () => {
    const dir = join(world.root, 'unfinished-sets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'BBBBBBBBBBBBBBBB.set-continuation.json'), '{"format":"scelle/1-seal-state", "damaged": true');
    symlinkSync('/etc/hostname', join(dir, 'CCCCCCCCCCCCCCCC.set-continuation.json'));
    const listing = await value<Listing>('custody.stationDrives', {});
    expect(listing.stoppedSets).toEqual([
      { setId: 'BBBBBBBBBBBBBBBB', position: 0, members: 0, driveIds: [], sources: [], createdAt: null, plaintextBytes: 0, problem: 'E_RESUME_MISMATCH' },
      { setId: 'CCCCCCCCCCCCCCCC', position: 0, members: 0, driveIds: [], sources: [], createdAt: null, plaintextBytes: 0, problem: 'E_FORMAT_UNSAFE_ENTRY' },
    ]);
    await attach('ARRET-4');
    await value('drives.list', {});
    expect(await call('engine.seal', { jobId: 'set-stop-0007', resume: true, continueSet: 'BBBBBBBBBBBBBBBB', driveId: volumes['ARRET-4'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_RESUME_MISMATCH' },
    });
    expect(await call('engine.seal', { jobId: 'set-stop-0008', resume: true, continueSet: 'CCCCCCCCCCCCCCCC', driveId: volumes['ARRET-4'], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_FORMAT_UNSAFE_ENTRY' },
    });
  });
});

describe('IPC handlers: a set member interrupted on its drive', () => {
  it('is listed as drive N of M of its set and resumed as a set: the next drive asked, the same unlock code, one sealed event per member written', async () => {
    await attach('COUPE-1');
    await attach('COUPE-2');
    await value('drives.list', {});
    const src = sources('lot-coupe');
    // The engine seals members 1 and 2 and is stopped while writing member 2 (as a cable pulled would).
    const station = await loadStationIdentity(world.stationKeyFile);
    const stop = new AbortController();
    const err = await seal(
      {
        sources: [src],
        target: mount['COUPE-1']!,
        station,
        recipients: { unlockCode: true, x25519: [] },
        partPlaintextSize: 64 * 1024,
        signal: stop.signal,
        set: {
          more: [],
          memberBytes: 2_400_000,
          nextTarget: async (r) => (r.position === 2 ? mount['COUPE-2']! : Promise.reject(new Error('member 2 is stopped first'))),
          onMemberSealed: (m) => {
            if (m.position === 1) setTimeout(() => stop.abort(), 0);
          },
        },
      },
      { sinkMode: 'inline' },
    ).catch((e: unknown) => e);
    station.secretKey.fill(0);
    expect(err).toMatchObject({ code: 'E_CANCELLED' });

    const listing = await value<Listing>('custody.stationDrives', {});
    const member = listing.interrupted.find((s) => s.volumeId === volumes['COUPE-2'])!;
    expect(member).toMatchObject({ problem: null, sources: [src], set: { id: expect.any(String), position: 2, members: expect.any(Number) } });
    const total = member.set!.members;
    expect(total).toBeGreaterThanOrEqual(3);
    const later: Record<number, string> = {};
    for (let p = 3; p <= total; p++) {
      await attach(`COUPE-${p}`);
      later[p] = volumes[`COUPE-${p}`]!;
    }
    await value('drives.list', {});

    // The renderer names no source, and no set: the main side knows it is a set from the drive's state.
    const jobId = 'set-resume-0001';
    const asked = answerNextDrives(jobId, later);
    const r = await value<Sealed>('engine.seal', { jobId, resume: true, driveId: volumes['COUPE-2'], recipients });
    asked.stop();
    expect(asked.asked).toEqual(Object.keys(later).map(Number));
    expect(r.set).toMatchObject({ id: member.set!.id, total });
    expect(r.set!.members.map((m) => [m.position, m.volumeId])).toEqual([[2, volumes['COUPE-2']], ...Object.entries(later).map(([p, v]) => [Number(p), v])]);
    expect(r.driveId).toBe(member.driveId);
    const journal = await world.custody.journal();
    for (const m of r.set!.members) expect(journal.eventsForDrive(m.driveId).map((e) => e.type)).toEqual(['sealed']);
    expect((await value<Listing>('custody.stationDrives', {})).interrupted.filter((s) => s.set?.id === member.set!.id)).toEqual([]);
    // The same code as the seal that was interrupted: it opens member 1, sealed before the interruption, with the members resumed.
    const first = join(mount['COUPE-1']!, readdirSync(mount['COUPE-1']!)[0]!);
    world.handlers.grants.grant(first);
    const unlocked = await value<{ sessionId: string }>('engine.unlock', { driveDir: first, code: r.unlockCode, members: r.set!.members.map((m) => m.driveDir) });
    await value('engine.lock', { sessionId: unlocked.sessionId });
  }, 60_000);
});
