/**
 * Sealed sets through the IPC handlers and the engine dispatcher (in-process host, the real
 * engine): the Technician's next-drive conversation (seal.set events answered by
 * engine.nextDrive, refusals by the main side and by the engine, cancel while waiting), one
 * `sealed` event per member, and the Client's keyless present/missing view, unlock with the
 * members attached, what can be restored now and a restore with a member missing.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ROOT_PUBLIC } from '../test/e2e/custody-service.js';
import { createHarnessWorld, type HarnessWorld } from '../test/e2e/harness-deps.js';
import { bytes } from '../test/support/engine-fixtures.js';
import type { EventOf, StationDriveDto } from '../shared/ipc/index.js';
import { verifyEventSignature } from '../shared/custody/event.js';
import { handlerCalls } from '../test/support/handler-calls.js';

const ORIGIN = 'http://127.0.0.1:5997';
let world: HarnessWorld;
const { call, value } = handlerCalls(() => world, ORIGIN);
const recipients = { unlockCode: true, escrow: false, customerKeys: [] };
type SetEvent = EventOf<'seal.set'>['event'];
type Sealed = {
  driveId: string;
  unlockCode: string;
  files: number;
  set?: { id: string; members: { position: number; driveId: string; driveDir: string; volumeId: string | null; parts: number; indexComplete: boolean }[] };
};

/** The `seal.set` events of job `jobId`, and a wait for the next one matching. */
function setEvents(jobId: string) {
  const seen: SetEvent[] = [];
  const waiters: { match: (e: SetEvent) => boolean; resolve: (e: SetEvent) => void }[] = [];
  const listener = (channel: string, p: unknown) => {
    if (channel !== 'seal.set' || (p as { jobId: string }).jobId !== jobId) return;
    const e = (p as { event: SetEvent }).event;
    seen.push(e);
    for (const w of waiters.splice(0)) {
      if (w.match(e)) w.resolve(e);
      else waiters.push(w);
    }
  };
  world.listeners.add(listener);
  return {
    seen,
    next: (match: (e: SetEvent) => boolean) =>
      new Promise<SetEvent>((resolve) => {
        const hit = seen.find((e) => match(e) && !(e as { taken?: boolean }).taken);
        if (hit) {
          (hit as { taken?: boolean }).taken = true;
          resolve(hit);
        } else
          waiters.push({
            match,
            resolve: (e) => {
              (e as { taken?: boolean }).taken = true;
              resolve(e);
            },
          });
      }),
    stop: () => world.listeners.delete(listener),
  };
}

/** A source folder of three files of `each` pseudo-random bytes. */
function sources(name: string, each: number): string {
  const dir = join(world.root, 'sources', name);
  mkdirSync(join(dir, 'photos'), { recursive: true });
  for (let i = 0; i < 3; i++) appendFileSync(join(dir, 'photos', `photo-${i}.bin`), bytes(each, 10 + i));
  appendFileSync(join(dir, 'lisez-moi.txt'), 'Archives du client.\n');
  world.handlers.grants.grant(dir);
  return dir;
}

let sealed: Sealed;
const volumes: Record<string, string> = {};

beforeAll(async () => {
  world = await createHarnessWorld({ origin: ORIGIN, custodyUrl: 'http://127.0.0.1:9', pinnedRoots: [E2E_ROOT_PUBLIC] });
  for (const [label, free] of [
    ['MEMBRE-1', 3_000_000],
    ['PETIT', 100_000],
    ['DISPARU', 5_000_000],
  ] as const)
    volumes[label] = (await world.attachDrive(label, free)).id;
  await value('drives.list', {});
});
afterAll(() => world.custody.close());

describe('IPC handlers: a set sealed with the next drive asked of the Technician', () => {
  it('asks for drive 2 of 3 with its drive id and need, refuses a drive too small, one already holding a member and one the engine cannot use (asking again with why), then seals every member with its own sealed event', async () => {
    const src = sources('grand-lot', 1_500_000);
    const jobId = 'set-seal-0001';
    const events = setEvents(jobId);
    const sealing = value<Sealed>('engine.seal', { jobId, sources: [src], driveId: volumes['MEMBRE-1'], recipients, set: { more: [], waitForDrives: true } });
    sealing.catch(() => undefined);

    const ask2 = await events.next((e) => e.type === 'next' && e.position === 2);
    expect(ask2).toMatchObject({ type: 'next', position: 2, members: 3, refused: null, driveId: expect.stringMatching(/^[A-Za-z0-9]/) });
    if (ask2.type !== 'next') throw new Error('not a request');
    expect(ask2.bytesNeeded).toBeGreaterThan(100_000);
    expect(ask2.bytesNeeded).toBeLessThanOrEqual(3_000_000);
    expect(events.seen.filter((e) => e.type === 'sealed').map((e) => e.position)).toEqual([1]);
    expect(events.seen.find((e) => e.type === 'started')).toMatchObject({ position: 1, volumeId: volumes['MEMBRE-1'] });

    // Refused on the main side, at once: too small (what it needs and has), already member 1, not listed.
    const small = await call('engine.nextDrive', { jobId, volumeId: volumes['PETIT'] });
    expect(small).toMatchObject({ ok: false, error: { code: 'E_TARGET_TOO_SMALL', details: { needed: ask2.bytesNeeded, free: 100_000 } } });
    expect(await call('engine.nextDrive', { jobId, volumeId: volumes['MEMBRE-1'] })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(await call('engine.nextDrive', { jobId, volumeId: '/dev/nowhere' })).toMatchObject({ ok: false, error: { code: 'E_TARGET_NOT_FOUND' } });

    // Refused by the engine: the drive's folder is gone; the request comes again with why.
    rmSync(join(world.root, 'drives', 'DISPARU'), { recursive: true });
    expect(await value('engine.nextDrive', { jobId, volumeId: volumes['DISPARU'] })).toEqual({ accepted: true });
    const again = await events.next((e) => e.type === 'next' && e.position === 2);
    expect(again).toMatchObject({ position: 2, driveId: ask2.driveId, refused: { code: 'E_TARGET_NOT_FOUND' } });

    volumes['MEMBRE-2'] = (await world.attachDrive('MEMBRE-2', 3_000_000)).id;
    volumes['MEMBRE-3'] = (await world.attachDrive('MEMBRE-3', 3_000_000)).id;
    await value('drives.list', {});
    expect(await value('engine.nextDrive', { jobId, volumeId: volumes['MEMBRE-2'] })).toEqual({ accepted: true });
    await events.next((e) => e.type === 'next' && e.position === 3);
    expect(await value('engine.nextDrive', { jobId, volumeId: volumes['MEMBRE-3'] })).toEqual({ accepted: true });

    sealed = await sealing;
    events.stop();
    expect(sealed.unlockCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/);
    expect(sealed.set!.members.map((m) => [m.position, m.volumeId])).toEqual([
      [1, volumes['MEMBRE-1']],
      [2, volumes['MEMBRE-2']],
      [3, volumes['MEMBRE-3']],
    ]);
    expect(sealed.driveId).toBe(sealed.set!.members[0]!.driveId);
    expect(sealed.set!.members[1]!.driveId).toBe(ask2.driveId);
    expect(events.seen.filter((e) => e.type === 'sealed').map((e) => e.position)).toEqual([1, 2, 3]);
    expect(events.seen.filter((e) => e.type === 'started').map((e) => e.position)).toEqual([1, 2, 3]);
    // Nothing is left behind on the drive the engine refused, and no question waits any more.
    expect(await call('engine.nextDrive', { jobId, volumeId: volumes['MEMBRE-2'] })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    // One `sealed` custody event per member: each is a drive of the station's dashboard.
    const listing = await value<{ drives: StationDriveDto[] }>('custody.stationDrives', {});
    for (const m of sealed.set!.members) expect(listing.drives.find((d) => d.driveId === m.driveId)).toMatchObject({ state: 'sealed' });
    // Each member's packing slip names the set and its place.
    const slip = await value<{ path: string }>('slip.savePdf', {
      driveId: sealed.set!.members[1]!.driveId,
      carrier: 'purolator',
      trackingNumber: '520127751300',
      language: 'fr-CA',
      set: { id: sealed.set!.id, position: 2, members: 3 },
    });
    expect(slip.path).toMatch(new RegExp(`bordereau-${sealed.set!.members[1]!.driveId}-2-3\\.pdf$`));
    // Reprinted from the dashboard (no set in the request): the attached member's manifest names its place.
    const reprint = await value<{ path: string }>('slip.savePdf', {
      driveId: sealed.set!.members[2]!.driveId,
      carrier: 'purolator',
      trackingNumber: '520127751300',
      language: 'en',
    });
    expect(reprint.path).toMatch(new RegExp(`bordereau-${sealed.set!.members[2]!.driveId}-3-3\\.pdf$`));
  }, 120_000);

  it('stops cleanly when cancelled while waiting for the next drive: E_CANCELLED, the question is gone, no unfinished member left', async () => {
    volumes['SEUL'] = (await world.attachDrive('SEUL', 3_000_000)).id;
    await value('drives.list', {});
    const jobId = 'set-seal-0002';
    const events = setEvents(jobId);
    const sealing = call('engine.seal', { jobId, sources: [sources('lot-annule', 1_500_000)], driveId: volumes['SEUL'], recipients, set: { more: [], waitForDrives: true } });
    await events.next((e) => e.type === 'next');
    const started = Date.now();
    expect(await value('engine.cancel', { jobId })).toEqual({ cancelled: true });
    expect(await sealing).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await call('engine.nextDrive', { jobId, volumeId: volumes['SEUL'] })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    // Member 1 was closed before the question: it stays a whole drive; nothing unfinished remains.
    const left = readdirSync(join(world.root, 'drives', 'SEUL'));
    for (const f of left) expect(existsSync(join(world.root, 'drives', 'SEUL', f, 'manifest.json'))).toBe(true);
    events.stop();
  }, 60_000);

  it('refuses to resume a set where nothing is unfinished, or naming the first drive again among the others', async () => {
    expect(await call('engine.seal', { jobId: 'set-seal-0003', driveId: volumes['MEMBRE-1'], resume: true, recipients, set: { more: [], waitForDrives: true } })).toMatchObject({
      ok: false,
      error: { code: 'E_RESUME_MISMATCH' },
    });
    expect(
      await call('engine.seal', {
        jobId: 'set-seal-0004',
        sources: [world.sourcesDir],
        driveId: volumes['MEMBRE-1'],
        recipients,
        set: { more: [volumes['MEMBRE-1']], waitForDrives: false },
      }),
    ).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID', details: { field: 'set.more' } } });
  });
});

describe('IPC handlers: a set seen by the Client', () => {
  type Members = { set: { id: string; position: number; members: number } | null; members: { position: number; driveId: string; driveDir: string | null }[] };
  it('shows every member by position and drive id, present or missing, from the manifests alone (no key)', async () => {
    const m2 = sealed.set!.members[1]!;
    const all = await value<Members>('engine.setMembers', { driveDir: m2.driveDir });
    expect(all.set).toEqual({ id: sealed.set!.id, position: 2, members: 3 });
    expect(all.members).toEqual(sealed.set!.members.map((m) => ({ position: m.position, driveId: m.driveId, driveDir: m.driveDir })));
    world.detachDrive('MEMBRE-3');
    await value('drives.list', {});
    const two = await value<Members>('engine.setMembers', { driveDir: m2.driveDir });
    expect(two.members.map((m) => m.driveDir !== null)).toEqual([true, true, false]);
    expect(two.members[2]!.driveId).toBe(sealed.set!.members[2]!.driveId);
    // A drive sealed alone has no set.
    world.handlers.grants.grant(world.sourcesDir);
    const alone = await value<{ driveDir: string }>('engine.seal', { jobId: 'alone-0001', sources: [world.sourcesDir], driveId: '/dev/sdx1', recipients });
    expect(await value<Members>('engine.setMembers', { driveDir: alone.driveDir })).toEqual({ set: null, members: [] });
  });

  it('unlocks with the members attached, says what waits for the missing member, and restores the rest', async () => {
    const [m1, m2, m3] = sealed.set!.members;
    // Members 1 and 2 only: member 2 was closed while drive 3 was awaited, so the entries sealed on 3 are not listed.
    const early = await value<{ sessionId: string }>('engine.unlock', { driveDir: m2!.driveDir, code: sealed.unlockCode, members: [m1!.driveDir] });
    const earlyAv = await value<{ set: { present: number[]; absent: { position: number }[]; notListed: number } }>('engine.availability', { sessionId: early.sessionId });
    expect(earlyAv.set).toMatchObject({ present: [1, 2], absent: [expect.objectContaining({ position: 3 })] });
    expect(earlyAv.set.notListed).toBeGreaterThan(0);
    await value('engine.lock', { sessionId: early.sessionId });
    // Members 2 and 3: member 3's index lists the whole set; the files on member 1 wait for it.
    const { sessionId } = await value<{ sessionId: string; driveId: string }>('engine.unlock', { driveDir: m2!.driveDir, code: sealed.unlockCode, members: [m3!.driveDir] });
    const av = await value<{ set: { present: number[]; absent: { position: number; driveId: string; files: number; paths: string[] }[]; notListed: number } }>(
      'engine.availability',
      {
        sessionId,
      },
    );
    expect(av.set.present).toEqual([2, 3]);
    expect(av.set.notListed).toBe(0);
    expect(av.set.absent).toEqual([expect.objectContaining({ position: 1, driveId: m1!.driveId })]);
    expect(av.set.absent[0]!.files).toBeGreaterThan(0);
    expect(av.set.absent[0]!.paths.every((p) => p.startsWith('grand-lot/'))).toBe(true);
    const dest = join(world.restoreDir, 'sans-membre-3');
    mkdirSync(dest);
    world.handlers.grants.grant(dest);
    const r = await value<{ files: number; set: { absent: { position: number; files: number; paths: string[] }[] } }>('engine.open', { jobId: 'open-set-0001', sessionId, dest });
    expect(r.set.absent).toEqual([expect.objectContaining({ position: 1, files: av.set.absent[0]!.files })]);
    expect(r.files).toBe(sealed.files - av.set.absent[0]!.files);
    expect(r.files).toBeGreaterThan(0);
    for (const p of r.set.absent[0]!.paths) expect(existsSync(join(dest, p))).toBe(false);
    await value('engine.lock', { sessionId });
    // A drive that is not a member of the set is refused with the members.
    const stray = await call('engine.unlock', {
      driveDir: m2!.driveDir,
      code: sealed.unlockCode,
      members: [world.handlers.grants.require(join(world.root, 'drives', 'LIVRAISON'))],
    });
    expect(stray.ok).toBe(false);
  }, 60_000);

  it("records the customer's received and opened events in every member present's own chain, each signed with that member's own key", async () => {
    const [m1, m2, m3] = sealed.set!.members;
    const { sessionId, driveId } = await value<{ sessionId: string; driveId: string }>('engine.unlock', {
      driveDir: m2!.driveDir,
      code: sealed.unlockCode,
      members: [m3!.driveDir],
    });
    expect(driveId).toBe(m2!.driveId);
    const dest = join(world.restoreDir, 'recu-par-le-client');
    mkdirSync(dest);
    world.handlers.grants.grant(dest);
    const r = await value<{ files: number; bytes: number }>('engine.open', { jobId: 'open-set-0002', sessionId, dest });
    // The Client records them for the drive it picked, as it does for a drive sealed alone.
    expect(await value('custody.record', { driveId: m2!.driveId, type: 'received', sessionId, data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({
      attestation: 'data-key',
      synced: false,
    });
    await value('custody.record', { driveId: m2!.driveId, type: 'opened', sessionId, data: { ok: true, filesRestored: r.files, bytesRestored: r.bytes, partial: true } });
    await value('engine.lock', { sessionId });

    const events = (await world.custody.journal()).pending();
    const customerEvents = (id: string) => events.filter((e) => e.driveId === id && e.author.kind === 'customer');
    const keyOf = (id: string) => (events.find((e) => e.driveId === id && e.type === 'sealed')!.data as { customerPublicKey: string }).customerPublicKey;
    const manifestOf = (dir: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, 'manifest.json')))
        .digest('hex');
    for (const m of [m2!, m3!]) {
      const own = customerEvents(m.driveId);
      expect(
        own.map((e) => e.type),
        m.driveId,
      ).toEqual(['received', 'opened']);
      // Its own custody key (the one its sealed event names), its own manifest as the lineage's anchor.
      expect(own.every((e) => e.author.publicKey === keyOf(m.driveId) && verifyEventSignature(e))).toBe(true);
      expect(own[0]!.data['anchor']).toBe(manifestOf(m.driveDir));
      expect(own[1]!.data).toMatchObject({ filesRestored: r.files, partial: true });
    }
    expect(keyOf(m2!.driveId)).not.toBe(keyOf(m3!.driveId));
    // The member not attached gets nothing.
    expect(customerEvents(m1!.driveId)).toEqual([]);
    // No secret crossed to the caller or into the journal: only public keys and signatures.
    expect(JSON.stringify(events)).not.toContain(sealed.unlockCode);
  }, 60_000);
});
