import { describe, expect, it } from 'vitest';
import { memberBytesOf, MIN_SET_PART, refusalOf, setPartSize } from './set-seal.js';

describe('set seal planning on the main side', () => {
  it('plans members on the least free space known and parts small enough for 16 per member, within the file system’s limit', () => {
    expect(memberBytesOf([{ freeBytes: 5e12 }, { freeBytes: 2e12 }, { freeBytes: null }])).toBe(2e12);
    expect(memberBytesOf([{ freeBytes: null }])).toBeUndefined();
    const GiB = 1024 ** 3;
    expect(setPartSize(2e12, GiB)).toBe(GiB);
    expect(setPartSize(3_000_000, GiB)).toBe(2 * MIN_SET_PART);
    expect(setPartSize(100_000, GiB)).toBe(MIN_SET_PART);
    expect(setPartSize(64 * GiB, 4 * GiB - 1)).toBe(4 * GiB - 1);
    expect(setPartSize(40 * GiB, 4 * GiB - 1) % MIN_SET_PART).toBe(0);
  });

  it('passes a refusal to the renderer as its code and sizes, never its message', () => {
    expect(refusalOf({ code: 'E_TARGET_TOO_SMALL', details: { needed: 10, free: 2, path: '/media/x' } })).toEqual({ code: 'E_TARGET_TOO_SMALL', needed: 10, free: 2 });
    expect(refusalOf({ code: 'E_USAGE', details: { reason: '--to' } })).toEqual({ code: 'E_USAGE' });
  });
});
