// A restore worker reads its whole share of the payload: with transient slices, the memory of the
// segments it moved past is freed as it goes instead of piling up until the thread next collects
// garbage (docs/BENCHMARKS.md, "peak RSS at one million files"), and what it reads is the payload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
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

describe('PayloadReader refuses what the index or the drive does not hold', () => {
  it('a range outside the payload is E_FORMAT_INDEX, read whole or into a buffer', () => {
    const reader = new PayloadReader(description);
    try {
      const out = Buffer.alloc(4);
      for (const [offset, length] of [
        [-1, 1],
        [payload.length - 1, 2],
        [payload.length, 1],
      ] as const) {
        expect(() => reader.read(offset, length), `${offset}+${length}`).toThrow(
          expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/outside the payload/) }),
        );
        expect(() => reader.readInto(offset, length, out), `${offset}+${length}`).toThrow(
          expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/outside the payload/) }),
        );
      }
      // A length no payload has (from a hostile index) is refused before anything is allocated for it.
      expect(() => reader.read(1, 2 ** 40)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/outside the payload/) }));
      expect(() => reader.segmentContaining(48 * MiB)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: 'the index has no part 3' }));
    } finally {
      reader.close();
    }
  });

  it('a part cut short after it was opened is E_FORMAT_TRUNCATED, not a read that never ends', () => {
    const copy = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'scelle-reader-cut-'));
    try {
      cpSync(dir, copy, { recursive: true });
      const reader = new PayloadReader({ ...description, driveDir: copy });
      try {
        expect(reader.read(0, 10).equals(payload.subarray(0, 10))).toBe(true); // part 0 opened and its size checked
        truncateSync(join(copy, description.partFiles[0]!), 2 * MiB);
        expect(() => reader.read(5 * MiB, 10)).toThrow(expect.objectContaining({ code: 'E_FORMAT_TRUNCATED', message: expect.stringMatching(/ended early/) }));
      } finally {
        reader.close();
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("bytes on a set member that is not attached are E_SET_MEMBER_MISSING, naming the member; the others' bytes still read", () => {
    const reader = new PayloadReader({
      ...description,
      partPlaces: [
        { driveDir: dir, driveId: description.driveId, localIndex: 0 },
        { missing: { position: 2, driveId: 'OTHERDRIVE000000' } },
        { driveDir: dir, driveId: description.driveId, localIndex: 2 },
      ],
    });
    try {
      expect(() => reader.read(16 * MiB + 5, 1)).toThrow(expect.objectContaining({ code: 'E_SET_MEMBER_MISSING', details: { position: 2, driveId: 'OTHERDRIVE000000' } }));
      expect(reader.read(32 * MiB, 3).equals(payload.subarray(32 * MiB, 32 * MiB + 3))).toBe(true);
    } finally {
      reader.close();
    }
  });
});
