import { describe, expect, it } from 'vitest';
import { applySetEvent, EMPTY_SET_SEAL, memberWriting, membersSealed, refuseOffered, setOffered, volumesInUse } from './set-seal-view.js';

const base = { setId: 'SET1', members: 3 };

describe('set seal view', () => {
  it('follows the members: written, sealed, the drive awaited and why the last one was refused', () => {
    let v = applySetEvent(EMPTY_SET_SEAL, { type: 'started', ...base, position: 1, driveId: 'D1', volumeId: '/dev/sda' });
    expect(v.members.map((m) => m.state)).toEqual(['writing', 'waiting', 'waiting']);
    expect(memberWriting(v)?.driveId).toBe('D1');
    v = applySetEvent(v, { type: 'sealed', ...base, position: 1, driveId: 'D1' });
    v = applySetEvent(v, { type: 'next', ...base, position: 2, driveId: 'D2', bytesNeeded: 5000, refused: null });
    expect(v.next).toEqual({ position: 2, members: 3, driveId: 'D2', bytesNeeded: 5000, refused: null });
    expect(membersSealed(v)).toBe(1);
    expect(volumesInUse(v)).toEqual(new Set(['/dev/sda']));
    v = refuseOffered(v, { code: 'E_TARGET_TOO_SMALL', needed: 5000, free: 10 });
    expect(v.next?.refused).toEqual({ code: 'E_TARGET_TOO_SMALL', needed: 5000, free: 10 });
    v = applySetEvent(v, { type: 'next', ...base, position: 2, driveId: 'D2', bytesNeeded: 5000, refused: { code: 'E_TARGET_NOT_FOUND' } });
    expect(v.next?.refused).toEqual({ code: 'E_TARGET_NOT_FOUND' });
    v = applySetEvent(v, { type: 'started', ...base, position: 2, driveId: 'D2', volumeId: '/dev/sdb' });
    expect(v.next).toBeNull();
    expect(v.members.map((m) => [m.driveId, m.state])).toEqual([
      ['D1', 'sealed'],
      ['D2', 'writing'],
      [null, 'waiting'],
    ]);
    expect(volumesInUse(v)).toEqual(new Set(['/dev/sda', '/dev/sdb']));
  });

  it('shows the members sealed before a resumed set seal as sealed earlier, not to come', () => {
    let v = applySetEvent(EMPTY_SET_SEAL, { type: 'started', ...base, position: 2, driveId: 'D2', volumeId: '/dev/sdb' });
    expect(v.members.map((m) => m.state)).toEqual(['earlier', 'writing', 'waiting']);
    v = applySetEvent(v, { type: 'sealed', ...base, position: 2, driveId: 'D2' });
    v = applySetEvent(v, { type: 'next', ...base, position: 3, driveId: 'D3', bytesNeeded: 5000, refused: null });
    expect(v.members.map((m) => m.state)).toEqual(['earlier', 'sealed', 'waiting']);
    expect(membersSealed(v)).toBe(1);
    expect(volumesInUse(v)).toEqual(new Set(['/dev/sdb']));
  });

  it('offers a set only when the data is too big for the drive and nothing else stops the seal', () => {
    expect(setOffered([{ code: 'E_TARGET_TOO_SMALL' }])).toBe(true);
    expect(setOffered([{ code: 'E_TARGET_TOO_SMALL' }, { code: 'W_FS_PART_LIMIT' }])).toBe(true);
    expect(setOffered([{ code: 'E_TARGET_TOO_SMALL' }, { code: 'E_TARGET_READ_ONLY' }])).toBe(false);
    expect(setOffered([])).toBe(false);
    expect(setOffered([{ code: 'W_FS_UNKNOWN' }])).toBe(false);
  });
});
