// The payload encryptor's memory stays flat over a long seal: each chunk's ciphertext is freed as
// soon as its output has written it, not when the thread next collects garbage (which, in a
// thread that allocates little else, came only every ~64 MiB of ciphertext: docs/BENCHMARKS.md,
// "peak RSS at one million files"). What the output is handed is intact while it writes it.
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { PartEncryptor, type CipherOutput, type PayloadWriterConfig } from './payload-writer.js';
import { decryptStream } from '../../format/stream.js';
import { payloadAssociatedData } from '../../format/layout.js';

const MiB = 1 << 20;

function config(partPlaintextSize: number, totalSize: number): PayloadWriterConfig {
  return { driveDir: '/nonexistent', driveId: 'TESTDRIVE0000000', dataKey: randomBytes(32), partPlaintextSize, startOffset: 0, totalSize };
}

describe('PartEncryptor', () => {
  it('encrypts 256 MiB in 2 MiB chunks with the memory of its buffers growing by far less than the stream', () => {
    const chunk = randomBytes(2 * MiB);
    const chunks = 128;
    const cfg = config(64 * MiB, chunks * chunk.length);
    const hash = createHash('sha256');
    let cipherBytes = 0;
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const out: CipherOutput = {
      openPart: () => undefined,
      data(buffers) {
        for (const b of buffers) {
          hash.update(b);
          cipherBytes += b.length;
        }
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      },
      closePart: () => undefined,
    };
    const enc = new PartEncryptor(cfg, out);
    for (let i = 0; i < chunks; i++) enc.write(chunk);
    enc.finish();
    expect(cipherBytes).toBeGreaterThan(chunks * chunk.length);
    // One chunk's ciphertext at a time, plus what the collector has not reached yet; before, up to 64 MiB.
    expect(peak).toBeLessThan(16 * MiB);
  });

  it('hands the output ciphertext that decrypts to each part of the stream', () => {
    const stream = randomBytes(5 * MiB + 12_345);
    const cfg = config(2 * MiB, stream.length);
    const parts: Buffer[][] = [];
    const out: CipherOutput = {
      openPart: (n) => void (parts[n] = []),
      data: (buffers) => parts.at(-1)!.push(...buffers.map((b) => Buffer.from(b))),
      closePart: () => undefined,
    };
    const enc = new PartEncryptor(cfg, out);
    for (let at = 0; at < stream.length; at += 700_000) enc.write(stream.subarray(at, Math.min(stream.length, at + 700_000)));
    enc.finish();
    expect(parts).toHaveLength(3);
    parts.forEach((p, n) => {
      const plain = decryptStream(cfg.dataKey, payloadAssociatedData(cfg.driveId, n), Buffer.concat(p));
      expect(plain.equals(stream.subarray(n * cfg.partPlaintextSize, (n + 1) * cfg.partPlaintextSize))).toBe(true);
    });
  });
});
