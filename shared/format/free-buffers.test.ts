// freeBuffers releases a cipher's output at once, and never touches memory other data shares.
import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { freeBuffers } from './free-buffers.js';

describe('freeBuffers', () => {
  it("frees a cipher's output buffers at once", () => {
    const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
    const out = [cipher.update(randomBytes(4 << 20)), cipher.update(randomBytes(4 << 20))];
    const before = process.memoryUsage().arrayBuffers;
    freeBuffers(out);
    expect(out.every((b) => b.length === 0)).toBe(true);
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(8 << 20);
  });

  it('leaves alone a slice of the small-buffer pool, a view into shared memory and part of a larger buffer', () => {
    const pooled = Buffer.from('a short string lives in the pool');
    const neighbour = Buffer.from('and so does this one');
    const shared = Buffer.from(new SharedArrayBuffer(64));
    shared.fill(7);
    const whole = randomBytes(1 << 16);
    const part = whole.subarray(100, 200);
    freeBuffers([pooled, shared, part]);
    expect(pooled.toString()).toBe('a short string lives in the pool');
    expect(neighbour.toString()).toBe('and so does this one');
    expect(shared.every((b) => b === 7)).toBe(true);
    expect(whole.length).toBe(1 << 16);
    expect(part.length).toBe(100);
  });
});
