// The payload encryptor cuts the stream into parts, each its own encrypted stream. (Its ciphertext
// buffers are left to the collector: freeing each at once made the large seal 1.2–2.4× slower,
// docs/BENCHMARKS.md, session 6.)
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { PartEncryptor, type CipherOutput, type PayloadWriterConfig } from './payload-writer.js';
import { decryptStream } from '../../format/stream.js';
import { payloadAssociatedData } from '../../format/layout.js';

const MiB = 1 << 20;

function config(partPlaintextSize: number, totalSize: number): PayloadWriterConfig {
  return { driveDir: '/nonexistent', driveId: 'TESTDRIVE0000000', dataKey: randomBytes(32), partPlaintextSize, startOffset: 0, totalSize };
}

describe('PartEncryptor', () => {
  it('hands the output ciphertext that decrypts to each part of the stream', () => {
    const stream = randomBytes(5 * MiB + 12_345);
    const cfg = config(2 * MiB, stream.length);
    const parts: Buffer[][] = [];
    const out: CipherOutput = {
      openPart: (n) => void (parts[n] = []),
      data: (bytes) => parts.at(-1)!.push(Buffer.from(bytes)),
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
