// The part file writer: what it writes is what it hashes, and the background flushes it starts
// while a part is written (every 64 MiB) leave no descriptor behind.
import { describe, expect, it, vi } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartFileWriter, type PartInfo } from './payload-writer.js';

const flushes = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fdatasync: (fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      flushes.count++;
      fs.fdatasync(fd, cb);
    },
  };
});

const MiB = 1 << 20;
const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe.skipIf(process.platform !== 'linux')('PartFileWriter', () => {
  it('writes and hashes a part of 200 MiB, flushing it as it goes, and leaves no descriptor open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-part-writer-'));
    try {
      const before = openDescriptors();
      const parts: PartInfo[] = [];
      const writer = new PartFileWriter(dir, (p) => parts.push(p));
      const chunk = randomBytes(8 * MiB);
      const expected = createHash('sha256');
      writer.openPart(0);
      for (let i = 0; i < 25; i++) {
        writer.data(chunk);
        writer.data(chunk.subarray(0, i));
        expected.update(chunk).update(chunk.subarray(0, i));
        // Give the thread pool's flushes a turn, as the part writer's event loop does between batches.
        await new Promise((r) => setImmediate(r));
      }
      writer.closePart(0, 123);
      // 200 MiB: a flush started after each 64 MiB (one at a time), not only the fsync at the end.
      expect(flushes.count).toBeGreaterThanOrEqual(2);
      expect(parts).toHaveLength(1);
      const file = readFileSync(join(dir, parts[0]!.file));
      expect(parts[0]).toMatchObject({ index: 0, size: file.length, plaintextSize: 123, sha256: expected.digest('hex') });
      expect(createHash('sha256').update(file).digest('hex')).toBe(parts[0]!.sha256);
      // Every background flush's descriptor is closed once it ends.
      for (let i = 0; i < 200 && openDescriptors() > before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(openDescriptors()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
