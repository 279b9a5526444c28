import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, makeKeys, MiB, tempDir, writeTree } from '../test/support/engine-fixtures.js';
import { makeInterruptedSeal } from '../test/support/interrupted-seal.js';
import { findInterruptedSeals } from './interrupted-seals.js';
import { recordedSources, resumableSeal } from './resume-sources.js';

/** A volume holding one seal interrupted mid-way (8 MiB in 1 MiB parts: 9 parts). */
async function volumeWithInterruptedSeal() {
  const keys = makeKeys();
  const src = tempDir();
  writeTree(src, { 'big.bin': bytes(8 * MiB + 5) });
  const mountpoint = tempDir();
  const driveDir = await makeInterruptedSeal({ sources: [src], target: mountpoint, station: keys.station, partPlaintextSize: MiB, stopAfterBytes: 6 * MiB });
  return { volume: { id: '/dev/sdz1', mountpoint }, driveDir, src };
}
const statePath = (driveDir: string) => join(driveDir, '.seal-state.json');

describe('interrupted seals on the attached drives', () => {
  it('lists an interrupted seal with its drive id, recorded sources and parts done / total; sealed and other folders are not listed', async () => {
    const v = await volumeWithInterruptedSeal();
    mkdirSync(join(v.volume.mountpoint, 'SCELLE-SEALED1'));
    writeFileSync(join(v.volume.mountpoint, 'SCELLE-SEALED1', 'manifest.json'), '{}');
    writeFileSync(join(v.volume.mountpoint, 'SCELLE-SEALED1', '.seal-state.json'), '{}');
    mkdirSync(join(v.volume.mountpoint, 'Photos'));
    const found = findInterruptedSeals([v.volume]);
    const driveId = v.driveDir.split('SCELLE-')[1]!;
    expect(found).toEqual([
      {
        volumeId: '/dev/sdz1',
        driveDir: v.driveDir,
        driveId,
        sources: [v.src],
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        partsDone: expect.any(Number),
        partsTotal: 9,
        bytesDone: expect.any(Number),
        problem: null,
        set: null,
      },
    ]);
    expect(found[0]!.partsDone).toBeGreaterThanOrEqual(1);
    expect(found[0]!.partsDone).toBeLessThan(9);
    expect(found[0]!.bytesDone).toBe(found[0]!.partsDone * MiB);
    expect(resumableSeal(found).driveId).toBe(driveId);
  });

  it('a state file that is a link is refused without being read (E_FORMAT_UNSAFE_ENTRY), even to a valid state', async () => {
    const v = await volumeWithInterruptedSeal();
    const outside = join(tempDir(), 'state.json');
    writeFileSync(outside, readFileSync(statePath(v.driveDir)));
    rmSync(statePath(v.driveDir));
    symlinkSync(outside, statePath(v.driveDir));
    expect(findInterruptedSeals([v.volume])).toEqual([expect.objectContaining({ driveDir: v.driveDir, driveId: null, sources: [], problem: 'E_FORMAT_UNSAFE_ENTRY' })]);
    expect(() => resumableSeal(findInterruptedSeals([v.volume]))).toThrow(expect.objectContaining({ code: 'E_FORMAT_UNSAFE_ENTRY', details: { path: v.driveDir } }));
  });

  it('a state file that is a folder is refused (E_FORMAT_UNSAFE_ENTRY)', async () => {
    const v = await volumeWithInterruptedSeal();
    rmSync(statePath(v.driveDir));
    mkdirSync(statePath(v.driveDir));
    expect(findInterruptedSeals([v.volume])).toEqual([expect.objectContaining({ problem: 'E_FORMAT_UNSAFE_ENTRY', sources: [] })]);
  });

  it('an oversized state file is refused without being read whole (E_FORMAT_LIMIT)', async () => {
    const v = await volumeWithInterruptedSeal();
    writeFileSync(statePath(v.driveDir), Buffer.alloc((32 << 20) + 1, 0x20));
    expect(findInterruptedSeals([v.volume])).toEqual([expect.objectContaining({ problem: 'E_FORMAT_LIMIT', sources: [] })]);
  });

  it('a damaged state, or one naming another drive than its folder, is refused (E_RESUME_MISMATCH)', async () => {
    const v = await volumeWithInterruptedSeal();
    const good = readFileSync(statePath(v.driveDir), 'utf8');
    writeFileSync(statePath(v.driveDir), good.slice(0, 40));
    expect(findInterruptedSeals([v.volume])).toEqual([expect.objectContaining({ problem: 'E_RESUME_MISMATCH', sources: [] })]);
    expect(() => resumableSeal(findInterruptedSeals([v.volume]))).toThrow(expect.objectContaining({ code: 'E_RESUME_MISMATCH' }));
    writeFileSync(statePath(v.driveDir), JSON.stringify({ ...JSON.parse(good), driveId: 'OTHER1' }));
    expect(findInterruptedSeals([v.volume])).toEqual([expect.objectContaining({ problem: 'E_RESUME_MISMATCH', driveId: null })]);
  });

  it('a resume needs exactly one interrupted seal on the drive', async () => {
    const empty = { id: '/dev/sdz2', mountpoint: tempDir() };
    expect(findInterruptedSeals([empty])).toEqual([]);
    expect(() => resumableSeal(findInterruptedSeals([empty]))).toThrow(expect.objectContaining({ code: 'E_RESUME_MISMATCH' }));
    const v = await volumeWithInterruptedSeal();
    mkdirSync(join(v.volume.mountpoint, 'SCELLE-SECOND1'));
    writeFileSync(join(v.volume.mountpoint, 'SCELLE-SECOND1', '.seal-state.json'), '{}');
    expect(findInterruptedSeals([v.volume])).toHaveLength(2);
    expect(() => resumableSeal(findInterruptedSeals([v.volume]))).toThrow(expect.objectContaining({ code: 'E_RESUME_MISMATCH', details: { count: 2 } }));
  });

  it('the recorded sources must still be there, as absolute paths', async () => {
    const v = await volumeWithInterruptedSeal();
    const state = resumableSeal(findInterruptedSeals([v.volume]));
    expect(recordedSources(state)).toEqual([v.src]);
    rmSync(v.src, { recursive: true });
    expect(() => recordedSources(state)).toThrow(expect.objectContaining({ code: 'E_RESUME_MISMATCH', details: { path: v.src } }));
    expect(() => recordedSources({ ...state, sources: ['relative/folder'] })).toThrow(expect.objectContaining({ code: 'E_RESUME_MISMATCH' }));
  });
});
