import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { newDriveId } from '../../format/drive-id.js';
import { wrapForX25519 } from '../../format/keyslot.js';
import type { SealState } from './seal-state.js';
import { findSetContinuation, listSetContinuations, writeSetContinuation } from './set-continuation.js';

/** A station's record of a set of three stopped before member 2 (no parts yet). */
function record(stationId: string, sources: string[]): SealState {
  const driveIds = [newDriveId(), newDriveId(), newDriveId()];
  const key = new Uint8Array(randomBytes(32));
  return {
    format: 'scelle/1-seal-state',
    driveId: driveIds[1]!,
    createdAt: '2026-12-01T10:00:00.000Z',
    sources,
    fingerprint: 'f'.repeat(64),
    partPlaintextSize: 65536,
    partCount: 5,
    stationId,
    resumeSlot: wrapForX25519(key, x25519.getPublicKey(new Uint8Array(randomBytes(32))), driveIds[1]!, 'station-resume'),
    parts: [],
    set: { id: newDriveId(), position: 2, members: 3, driveIds, partCounts: [4, 5, 2], totalSize: 11 * 65536, entries: 3, files: 2, bytes: 10 * 65536 },
  };
}

/** How a record that cannot be used is listed: its set (from its name, when valid) and its problem, nothing else. */
const damaged = (setId: string, problem: string) => ({ setId, position: 0, members: 0, driveIds: [], sources: [], createdAt: null, plaintextBytes: 0, problem });

describe('set continuations: the station lists its stopped sets', () => {
  it("lists this station's records with what the dashboard shows, a damaged or linked record with its problem (never thrown), and leaves out other stations'", () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-records-'));
    expect(listSetContinuations(join(dir, 'none'), 'mtl-1')).toEqual([]);
    const mine = record('mtl-1', ['/data/client']);
    writeSetContinuation(dir, mine);
    writeSetContinuation(dir, record('qc-2', ['/data/other']));
    writeFileSync(join(dir, '0000000000000000.set-continuation.json'), '{"format":"scelle/1-seal-state"');
    symlinkSync('/etc/hostname', join(dir, '1111111111111111.set-continuation.json'));
    writeFileSync(join(dir, 'not_a_set id.set-continuation.json'), '{}');
    const listed = listSetContinuations(dir, 'mtl-1');
    expect(listed).toContainEqual({
      setId: mine.set!.id,
      position: 2,
      members: 3,
      driveIds: mine.set!.driveIds,
      sources: ['/data/client'],
      createdAt: mine.createdAt,
      plaintextBytes: 5 * 65536,
      problem: null,
    });
    expect(listed).toContainEqual(damaged('0000000000000000', 'E_RESUME_MISMATCH'));
    expect(listed).toContainEqual(damaged('1111111111111111', 'E_FORMAT_UNSAFE_ENTRY'));
    expect(listed).toContainEqual(expect.objectContaining({ setId: null, problem: 'E_RESUME_MISMATCH' }));
    expect(listed).toHaveLength(4);
    // Nothing secret is listed.
    expect(JSON.stringify(listed)).not.toContain('wrapped');
  });

  it('finds the record of these sources past damaged records, which never stop the resume of another set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-records-'));
    const mine = record('mtl-1', ['/data/client']);
    writeSetContinuation(dir, mine);
    writeFileSync(join(dir, '0000000000000000.set-continuation.json'), 'not json');
    symlinkSync('/etc/hostname', join(dir, '1111111111111111.set-continuation.json'));
    expect(findSetContinuation(dir, 'mtl-1', ['/data/client'])?.set?.id).toBe(mine.set!.id);
    expect(findSetContinuation(dir, 'mtl-1', ['/data/elsewhere'])).toBeNull();
    expect(findSetContinuation(dir, 'qc-2', ['/data/client'])).toBeNull();
  });
});
