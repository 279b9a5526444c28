import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ROOT_PUBLIC } from '../test/e2e/custody-service.js';
import { createHarnessWorld, type HarnessWorld } from '../test/e2e/harness-deps.js';
import { bytes, MiB } from '../test/support/engine-fixtures.js';
import { makeInterruptedSeal } from '../test/support/interrupted-seal.js';
import type { InterruptedSealDto, StationDriveDto } from '../shared/ipc/index.js';
import { loadStationIdentity } from './station.js';
import { handlerCalls } from '../test/support/handler-calls.js';

const ORIGIN = 'http://127.0.0.1:5998';
let world: HarnessWorld;
const { call, value } = handlerCalls(() => world, ORIGIN);
type Listing = { drives: StationDriveDto[]; interrupted: InterruptedSealDto[] };
const recipients = { unlockCode: true, escrow: false, customerKeys: [] };

/** Seals `sources` onto the LIVRAISON drive with 1 MiB parts and cancels it mid-way. */
async function interrupt(sources: string[]): Promise<string> {
  const station = await loadStationIdentity(world.stationKeyFile);
  try {
    return await makeInterruptedSeal({ sources, target: world.driveDir, station, partPlaintextSize: MiB, stopAfterBytes: 6 * MiB });
  } finally {
    station.secretKey.fill(0);
  }
}
function bigSources(name: string, seed: number): string {
  const dir = join(world.root, 'sources', name);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'image.bin'), bytes(8 * MiB + 5, seed));
  appendFileSync(join(dir, 'notes.txt'), 'Lot de données du client.\n');
  return dir;
}

beforeAll(async () => {
  world = await createHarnessWorld({ origin: ORIGIN, custodyUrl: 'http://127.0.0.1:9', pinnedRoots: [E2E_ROOT_PUBLIC] });
  await value('drives.list', {});
});
afterAll(() => world.custody.close());

describe('IPC handlers: resume an interrupted seal from the dashboard', () => {
  it('lists the interrupted seal, resumes it with its recorded sources (progress, new unlock code), records it sealed, and the drive verifies in full', async () => {
    const src = bigSources('grand', 3);
    const unfinished = await interrupt([src]);
    const before = await value<Listing>('custody.stationDrives', {});
    expect(before.interrupted).toEqual([expect.objectContaining({ volumeId: '/dev/sdx1', driveDir: unfinished, sources: [src], partsTotal: 9, problem: null })]);
    const driveId = before.interrupted[0]!.driveId!;
    expect(before.interrupted[0]!.partsDone).toBeGreaterThanOrEqual(1);
    expect(before.drives.map((d) => d.driveId)).not.toContain(driveId);

    const progress: unknown[] = [];
    const listener = (channel: string, p: unknown) => {
      if (channel === 'job.progress' && (p as { jobId: string }).jobId === 'resume-0001') progress.push(p);
    };
    world.listeners.add(listener);
    const r = await value<{ driveId: string; driveDir: string; unlockCode: string; parts: number; files: number }>('engine.seal', {
      jobId: 'resume-0001',
      driveId: '/dev/sdx1',
      resume: true,
      recipients,
    });
    world.listeners.delete(listener);
    expect(r).toMatchObject({ driveId, driveDir: unfinished, parts: 9, files: 2 });
    expect(r.unlockCode).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    expect(progress.length).toBeGreaterThan(0);

    const after = await value<Listing>('custody.stationDrives', {});
    expect(after.interrupted).toEqual([]);
    expect(after.drives.find((d) => d.driveId === driveId)).toMatchObject({ state: 'sealed', driveDir: unfinished });

    const { sessionId } = await value<{ sessionId: string }>('engine.unlock', { driveDir: unfinished, code: r.unlockCode });
    expect(await value('engine.verify', { jobId: 'verify-resume', driveDir: unfinished, sessionId })).toMatchObject({ ok: true, level: 'full', problems: [] });
    await value('engine.lock', { sessionId });
  });

  it('a resume cancelled mid-way leaves the seal interrupted, and resuming again finishes it', async () => {
    const src = bigSources('annulé', 5);
    appendFileSync(join(src, 'image.bin'), bytes(32 * MiB, 6));
    const unfinished = await interrupt([src]);
    const first = (await value<Listing>('custody.stationDrives', {})).interrupted;
    expect(first).toEqual([expect.objectContaining({ driveDir: unfinished, partsTotal: 41, problem: null })]);
    const seen = new Promise<void>((r) => {
      const l = (channel: string, p: unknown) => {
        if (channel === 'job.progress' && (p as { jobId: string }).jobId === 'resume-cancel') {
          world.listeners.delete(l);
          r();
        }
      };
      world.listeners.add(l);
    });
    const running = call('engine.seal', { jobId: 'resume-cancel', driveId: '/dev/sdx1', resume: true, recipients });
    await seen;
    expect(await value('engine.cancel', { jobId: 'resume-cancel' })).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    const again = (await value<Listing>('custody.stationDrives', {})).interrupted;
    expect(again).toEqual([expect.objectContaining({ driveDir: unfinished, driveId: first[0]!.driveId, problem: null })]);
    expect(again[0]!.partsDone).toBeGreaterThanOrEqual(first[0]!.partsDone);
    const r = await value<{ driveDir: string; parts: number }>('engine.seal', { jobId: 'resume-again', driveId: '/dev/sdx1', resume: true, recipients });
    expect(r).toMatchObject({ driveDir: unfinished, parts: 41 });
    expect((await value<Listing>('custody.stationDrives', {})).interrupted).toEqual([]);
    expect(await value('engine.verify', { jobId: 'verify-again', driveDir: unfinished })).toMatchObject({ ok: true, level: 'media' });
  });

  it('the renderer cannot name the sources of a resume, nor start a seal without sources', async () => {
    expect(await call('engine.seal', { jobId: 'resume-0002', driveId: '/dev/sdx1', resume: true, sources: [world.sourcesDir], recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_IPC_INVALID', details: { field: 'sources' } },
    });
    expect(await call('engine.seal', { jobId: 'resume-0003', driveId: '/dev/sdx1', recipients })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
  });

  it('refuses to resume when a recorded source is gone or changed, and when there is nothing to resume; the unfinished folder stays', async () => {
    expect(await call('engine.seal', { jobId: 'resume-0004', driveId: '/dev/sdx1', resume: true, recipients })).toMatchObject({ ok: false, error: { code: 'E_RESUME_MISMATCH' } });
    const src = bigSources('autre', 4);
    const unfinished = await interrupt([src]);
    appendFileSync(join(src, 'notes.txt'), 'modifié\n');
    expect(await call('engine.seal', { jobId: 'resume-0005', driveId: '/dev/sdx1', resume: true, recipients })).toMatchObject({ ok: false, error: { code: 'E_RESUME_MISMATCH' } });
    rmSync(src, { recursive: true });
    expect(await call('engine.seal', { jobId: 'resume-0006', driveId: '/dev/sdx1', resume: true, recipients })).toMatchObject({
      ok: false,
      error: { code: 'E_RESUME_MISMATCH', details: { path: src } },
    });
    expect((await value<Listing>('custody.stationDrives', {})).interrupted).toEqual([expect.objectContaining({ driveDir: unfinished, problem: null })]);
  });
});
