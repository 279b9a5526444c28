// A restore worker reads its whole share of the payload: with transient slices, the memory of the
// segments it moved past is freed as it goes instead of piling up until the thread next collects
// garbage (docs/BENCHMARKS.md, "peak RSS at one million files"), and what it reads is the payload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadWriter, type PartInfo } from './payload-writer.js';
import { PayloadReader, type PayloadDescription } from './payload-reader.js';

const MiB = 1 << 20;
const payload = randomBytes(40 * MiB + 4321);
let dir = '';
let description: PayloadDescription;

beforeAll(() => {
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'scelle-reader-'));
  const parts: PartInfo[] = [];
  const cfg = { driveDir: dir, driveId: 'TESTDRIVE0000000', dataKey: randomBytes(32), partPlaintextSize: 16 * MiB, startOffset: 0, totalSize: payload.length };
  const writer = new PayloadWriter(cfg, (p) => parts.push(p));
  for (let at = 0; at < payload.length; at += 2 * MiB) writer.write(payload.subarray(at, Math.min(payload.length, at + 2 * MiB)));
  writer.finish();
  description = {
    driveDir: dir,
    driveId: cfg.driveId,
    dataKey: cfg.dataKey,
    partFiles: parts.map((p) => p.file),
    partSizes: parts.map((p) => p.plaintextSize),
    partPlaintextSize: cfg.partPlaintextSize,
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PayloadReader with transient slices', () => {
  it('reads the whole payload in small pieces, across segments and parts, with its buffers growing by far less than the payload', () => {
    const reader = new PayloadReader(description, { transientSlices: true });
    const out = Buffer.allocUnsafe(300_000);
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    try {
      for (let at = 0; at < payload.length; at += out.length) {
        const n = Math.min(out.length, payload.length - at);
        const got = reader.readInto(at, n, out);
        if (!got.equals(payload.subarray(at, at + n))) throw new Error(`bytes at ${at} differ`);
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }
    } finally {
      reader.close();
    }
    expect(peak).toBeLessThan(8 * MiB);
  });

  it('hands chunks of a large range whose slices hold the payload while they are visited', async () => {
    const reader = new PayloadReader(description, { transientSlices: true });
    const from = 15 * MiB + 77;
    const length = 20 * MiB;
    const hash = createHash('sha256');
    try {
      await reader.forEachChunk(from, length, (slices) => {
        for (const s of slices) hash.update(s);
      });
    } finally {
      reader.close();
    }
    expect(hash.digest('hex')).toBe(
      createHash('sha256')
        .update(payload.subarray(from, from + length))
        .digest('hex'),
    );
  });
});
