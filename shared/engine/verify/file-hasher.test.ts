import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFiles } from './file-hasher.js';

const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'scelle-hasher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashFiles (the media check of a drive in this thread)', () => {
  it('hashes each file in order, and gives null for a file it cannot read or that is a link', async () => {
    const a = join(dir, 'a');
    writeFileSync(a, 'hello');
    symlinkSync(a, join(dir, 'link'));
    let bytes = 0;
    const digests = await hashFiles([a, join(dir, 'missing'), join(dir, 'link')], { onBytes: (n) => (bytes += n) });
    expect(digests).toEqual([createHash('sha256').update('hello').digest('hex'), null, null]);
    expect(bytes).toBe(5);
  });

  it('a cancellation inside a large file stops the hashing with E_CANCELLED, rather than reporting that file unreadable', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(65 << 20, 1)); // past the 64 MiB at which cancellation is checked within a file
    const controller = new AbortController();
    const run = hashFiles([big], { onBytes: (n) => n > 0 && controller.abort(), signal: controller.signal });
    await expect(run).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
