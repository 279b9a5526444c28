/**
 * Bad input, part 1: wrong and mistyped unlock codes, damaged media (bit flips in every file),
 * missing/extra/reordered/truncated parts, and forged manifests. Every test asserts the stable
 * error code a user (CLI/UI) relies on, and that nothing is reported as intact or restored when
 * it is not.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, bytes, fileFacts, flipBit, makeKeys, readManifest, rewriteIndex, snapshotTree, tempDir, writeSignedManifest, writeTree } from '../../test/support/engine-fixtures.js';
import { generateSigningKeyPair, issueStationCertificate } from '../format/station-cert.js';
import { encodeBase64 } from '../format/base64.js';
import { unwrapKeyslots, wrapForUnlockCode } from '../format/keyslot.js';
import { UNLOCK_CODE_ALPHABET, canonicalizeUnlockCode, formatUnlockCode, unlockCodeFromData } from '../format/unlock-code.js';
import { inspect, list, open, seal, verify } from './index.js';

const PART = 2 * MiB;

/**
 * Seals a small tree (4 parts of 2 MiB) for an escrow key, in this thread: its folder `data`, or
 * the `sources` named, with `links` (path → target) added to the tree.
 */
async function sealDrive(
  tree: Record<string, string | Uint8Array> = defaultTree(),
  { links = {}, sources = ['data'] }: { links?: Record<string, string>; sources?: string[] } = {},
) {
  const keys = makeKeys();
  const src = tempDir();
  writeTree(src, tree);
  for (const [rel, target] of Object.entries(links)) symlinkSync(target, join(src, rel));
  const target = tempDir();
  const result = await seal(
    {
      sources: sources.map((name) => join(src, name)),
      target,
      station: keys.station,
      partPlaintextSize: PART,
      recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: keys.escrow.publicKey }] },
    },
    { sinkMode: 'inline' },
  );
  const secret = { kind: 'x25519' as const, secretKey: keys.escrow.secretKey };
  return { ...keys, src, target, result, driveDir: result.driveDir, secret, pinnedRoots: [keys.root.publicKey] };
}

function defaultTree(): Record<string, string | Uint8Array> {
  return { 'data/a.txt': 'hello', 'data/big.bin': bytes(7 * MiB + 100), 'data/z.txt': 'last' };
}

const part = (driveDir: string, n: number) => join(driveDir, `payload/part-${String(n).padStart(5, '0')}.scx`);

function problemCodes(report: { problems: { code: string }[] }): string[] {
  return report.problems.map((p) => p.code);
}

/** Opening must fail with `code`, restore nothing unverified, and leave no partial file. */
async function expectOpenRefused(d: Awaited<ReturnType<typeof sealDrive>>, code: string): Promise<void> {
  const dest = tempDir();
  await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code });
  const tree = snapshotTree(dest);
  for (const [name, e] of tree) {
    expect(name).not.toMatch(/scelle-partial/);
    // Whatever was restored before the failure is byte-exact; the damaged file is absent.
    if (e.type === 'file') expect(e.data.equals(readFileSync(join(d.src, name)))).toBe(true);
  }
  expect(tree.has('data/big.bin')).toBe(false);
}

describe('unlock codes', () => {
  it('refuses a wrong code (E_KEY_WRONG), catches typos and swaps before the KDF (E_KEY_UNLOCK_CODE_TYPO), accepts sloppy spellings', async () => {
    const d = await sealDrive({ 'data/a.txt': 'secret' });
    // Add an unlock-code slot for a code chosen to hold 0 and 1, so the I/L/O readings are exercised.
    const code = unlockCodeFromData('0123456789ABCDEFGH10J0K1M');
    const manifest = readManifest(d.driveDir);
    const dataKey = await unwrapKeyslots(manifest.keyslots, d.secret, manifest.driveId);
    manifest.keyslots = [await wrapForUnlockCode(dataKey, code, manifest.driveId), ...manifest.keyslots];
    writeSignedManifest(d.driveDir, manifest, d.station.secretKey);
    const withCode = (c: string) => list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: { kind: 'unlock-code', code: c } });

    // A valid code of another drive: the KDF runs and the slot does not open.
    const tKdf = performance.now();
    await expect(withCode(unlockCodeFromData('ZZZZZZZZZZZZZZZZZZZZZZZZZ'))).rejects.toMatchObject({ code: 'E_KEY_WRONG' });
    const kdfMs = performance.now() - tKdf;

    // One character changed, and two adjacent characters swapped: caught by the check, fast.
    const display = formatUnlockCode(code);
    const chars = [...code];
    const changed = [...chars];
    changed[7] = UNLOCK_CODE_ALPHABET[(UNLOCK_CODE_ALPHABET.indexOf(changed[7]!) + 5) % 32]!;
    const swapped = [...chars];
    const i = swapped.findIndex((c, k) => k > 3 && swapped[k + 1] !== undefined && swapped[k + 1] !== c);
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    for (const typo of [changed.join(''), swapped.join('')]) {
      const t0 = performance.now();
      await expect(withCode(typo)).rejects.toMatchObject({ code: 'E_KEY_UNLOCK_CODE_TYPO' });
      // Argon2id (m = 64 MiB, t = 3) takes ~1 s: the typo is caught in a small fraction of that.
      expect(performance.now() - t0).toBeLessThan(Math.min(300, kdfMs / 4));
    }

    // Lower case, spaces instead of dashes, I and L for 1, O for 0: all the same code.
    let sloppy = display.toLowerCase().replace(/-/g, ' ');
    let ones = 0;
    sloppy = sloppy.replace(/1/g, () => (ones++ % 2 === 0 ? 'I' : 'l')).replace(/0/g, 'o');
    expect(sloppy).toMatch(/i|I/);
    expect(sloppy).toMatch(/l|L/);
    expect(sloppy).toMatch(/o/);
    expect(canonicalizeUnlockCode(sloppy)).toBe(code);
    const listing = await withCode(` ${sloppy} `);
    expect(listing.entries.map((e) => e.path)).toEqual(['data/a.txt', 'data']);
  });
});

describe('a flipped bit anywhere is reported, never accepted', () => {
  it('manifest.json: a bit flipped in every third byte → E_FORMAT_MANIFEST or E_FORMAT_SIGNATURE (format tag and keyslot type aside)', async () => {
    const d = await sealDrive({ 'data/a.txt': 'x' });
    const path = join(d.driveDir, 'manifest.json');
    const original = readFileSync(path);
    // The format tag and keyslot type values are judged before the signature: see the next test.
    const judgedEarly = new Set<number>();
    for (const m of original.toString('latin1').matchAll(/"format": "(scelle\/1)"|"type": "(x25519)"/g)) {
      const start = m.index + m[0].length - 1 - (m[1] ?? m[2])!.length;
      for (let k = start; k < start + (m[1] ?? m[2])!.length; k++) judgedEarly.add(k);
    }
    expect(judgedEarly.size).toBe(8 + 6);
    const seen = new Set<string>();
    for (let i = 0; i < original.length; i += 3) {
      if (judgedEarly.has(i)) continue;
      const damaged = Buffer.from(original);
      damaged[i] = damaged[i]! ^ (1 << (i % 8));
      writeFileSync(path, damaged);
      let code = 'ACCEPTED';
      try {
        inspect(d.driveDir, d.pinnedRoots);
      } catch (e) {
        code = (e as { code: string }).code;
      }
      if (!['E_FORMAT_MANIFEST', 'E_FORMAT_SIGNATURE'].includes(code)) throw new Error(`flip at byte ${i} gave ${code}`);
      seen.add(code);
    }
    expect(seen.has('E_FORMAT_MANIFEST') && seen.has('E_FORMAT_SIGNATURE')).toBe(true);
    writeFileSync(path, original);
    expect(inspect(d.driveDir, d.pinnedRoots).station.certified).toBe(true);
  });

  // KNOWN BUG (see report): a damaged format tag or keyslot type ("scelle/1" → "scelle/3",
  // "x25519" → "x25518") is reported as E_FORMAT_UNSUPPORTED ("update the app") instead of
  // damage, because parseManifest judges these fields before the signature is checked.
  it('manifest.json: a flipped bit in the format tag or a keyslot type is reported as damage, not as a newer format', async () => {
    const d = await sealDrive({ 'data/a.txt': 'x' });
    const path = join(d.driveDir, 'manifest.json');
    const original = readFileSync(path);
    for (const at of [original.indexOf('scelle/1') + 7, original.indexOf('"x25519"') + 6]) {
      const damaged = Buffer.from(original);
      damaged[at] = damaged[at]! ^ 0x02; // '1' → '3', '9' → ';'
      writeFileSync(path, damaged);
      expect(() => inspect(d.driveDir, d.pinnedRoots)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^E_FORMAT_(MANIFEST|SIGNATURE)$/) }));
    }
  });

  it('manifest.sig: a bit flipped in every byte (all 8 at both ends) → E_FORMAT_SIGNATURE (verify, open and inspect)', async () => {
    const d = await sealDrive({ 'data/a.txt': 'x' });
    const path = join(d.driveDir, 'manifest.sig');
    const original = readFileSync(path);
    const body = original.toString('utf8').trimEnd().length;
    for (let i = 0; i < body; i++) {
      for (const bit of i < 4 || i >= body - 4 ? [0, 1, 2, 3, 4, 5, 6, 7] : [i % 8]) {
        const damaged = Buffer.from(original);
        damaged[i] = damaged[i]! ^ (1 << bit);
        writeFileSync(path, damaged);
        expect(() => inspect(d.driveDir, d.pinnedRoots), `byte ${i} bit ${bit}`).toThrow(expect.objectContaining({ code: 'E_FORMAT_SIGNATURE' }));
      }
    }
    flipBit(path, 3);
    await expect(verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots })).rejects.toMatchObject({ code: 'E_FORMAT_SIGNATURE' });
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_SIGNATURE' });
    expect(readdirSync(dest)).toEqual([]);
    rmSync(path);
    expect(() => inspect(d.driveDir, d.pinnedRoots)).toThrow(expect.objectContaining({ code: 'E_FORMAT_SIGNATURE' }));
  });

  it('index.scx (header, body, tag): media verify E_FORMAT_PART_HASH; with the key E_FORMAT_INDEX in verify, list and open', async () => {
    const d = await sealDrive();
    const path = join(d.driveDir, 'index.scx');
    const original = readFileSync(path);
    for (const at of [0, 5, 45, Math.floor(original.length / 2), original.length - 1]) {
      writeFileSync(path, original);
      flipBit(path, at, at % 8);
      const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
      expect(media.ok).toBe(false);
      expect(problemCodes(media)).toEqual(['E_FORMAT_PART_HASH']);
      expect(media.problems[0]!.details.file).toBe('index.scx');
      const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
      expect(full.ok).toBe(false);
      expect(problemCodes(full)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_INDEX']);
      await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_INDEX' });
      const dest = tempDir();
      await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_INDEX' });
      expect(readdirSync(dest)).toEqual([]);
    }
  });

  for (const [where, offsetOf] of [
    ['the header salt', (_size: number) => 10],
    ['the header nonce prefix', (_size: number) => 36],
    ['a segment body', (_size: number) => 1.5 * MiB],
    ['the last tag', (size: number) => size - 3],
  ] as const) {
    it(`a payload part (${where}): media E_FORMAT_PART_HASH, full verify and open E_FORMAT_AUTH, no damaged file restored`, async () => {
      const d = await sealDrive();
      const p = part(d.driveDir, 2); // holds the middle of big.bin
      flipBit(p, offsetOf(readFileSync(p).length), 6);
      const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
      expect(media.ok).toBe(false);
      expect(media.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_PART_HASH', details: { file: 'payload/part-00002.scx' } })]);
      const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
      expect(full.ok).toBe(false);
      expect(problemCodes(full)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_AUTH']);
      await expectOpenRefused(d, 'E_FORMAT_AUTH');
    });
  }

  it("a part's header length byte: full verify and open report E_FORMAT_HEADER", async () => {
    const d = await sealDrive();
    flipBit(part(d.driveDir, 1), 0, 1);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_HEADER']);
    await expectOpenRefused(d, 'E_FORMAT_HEADER');
  });

  it('restoring only an undamaged file still works when another part is damaged', async () => {
    const d = await sealDrive();
    flipBit(part(d.driveDir, 2), MiB, 0);
    const dest = tempDir();
    const r = await open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret, paths: ['data/z.txt', 'data/a.txt'] });
    expect(r.files).toBe(2);
    expect(readFileSync(join(dest, 'data/z.txt'), 'utf8')).toBe('last');
    expect(existsSync(join(dest, 'data/big.bin'))).toBe(false);
  });
});

describe('missing, extra, reordered and truncated parts', () => {
  it('a truncated part: E_FORMAT_PART_SIZE in media verify, full verify and open', async () => {
    const d = await sealDrive();
    const p = part(d.driveDir, 1);
    truncateSync(p, readFileSync(p).length - 100);
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(media.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_PART_SIZE', details: expect.objectContaining({ file: 'payload/part-00001.scx' }) })]);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.ok).toBe(false);
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_SIZE', 'E_FORMAT_PART_SIZE']);
    await expectOpenRefused(d, 'E_FORMAT_PART_SIZE');
  });

  it('a missing part: E_FORMAT_PART_MISSING in media verify, full verify and open', async () => {
    const d = await sealDrive();
    rmSync(part(d.driveDir, 3));
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(media.ok).toBe(false);
    expect(problemCodes(media)).toEqual(['E_FORMAT_PART_MISSING']);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_MISSING', 'E_FORMAT_PART_MISSING']);
    await expectOpenRefused(d, 'E_FORMAT_PART_MISSING');
  });

  it('an extra file in payload/: verify reports E_FORMAT_PART_EXTRA; open still restores everything byte-exact', async () => {
    const d = await sealDrive();
    copyFileSync(part(d.driveDir, 0), part(d.driveDir, 4));
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(media.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_PART_EXTRA', details: { file: 'payload/part-00004.scx' } })]);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.ok).toBe(false);
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_EXTRA']);
    const dest = tempDir();
    await open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(readFileSync(join(dest, 'data/big.bin')).equals(bytes(7 * MiB + 100))).toBe(true);
  });

  it('a duplicated part (part 1 copied over part 2): media E_FORMAT_PART_HASH, full verify and open E_FORMAT_AUTH', async () => {
    const d = await sealDrive();
    copyFileSync(part(d.driveDir, 1), part(d.driveDir, 2));
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(media.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_PART_HASH', details: { file: 'payload/part-00002.scx' } })]);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_AUTH']);
    await expectOpenRefused(d, 'E_FORMAT_AUTH');
  });

  it('two parts swapped: media E_FORMAT_PART_HASH for both, full verify and open E_FORMAT_AUTH', async () => {
    const d = await sealDrive();
    const tmp = part(d.driveDir, 1) + '.tmp';
    renameSync(part(d.driveDir, 1), tmp);
    renameSync(part(d.driveDir, 2), part(d.driveDir, 1));
    renameSync(tmp, part(d.driveDir, 2));
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(problemCodes(media)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_PART_HASH']);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_HASH', 'E_FORMAT_PART_HASH', 'E_FORMAT_AUTH']);
    await expectOpenRefused(d, 'E_FORMAT_AUTH');
  });

  it('trailing bytes appended to a part: E_FORMAT_PART_SIZE everywhere', async () => {
    const d = await sealDrive();
    const last = part(d.driveDir, 3);
    appendFileSync(last, Buffer.alloc(16 + 5, 0));
    expect(problemCodes(await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots }))).toEqual(['E_FORMAT_PART_SIZE']);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_SIZE', 'E_FORMAT_PART_SIZE']);
    await expectOpenRefused(d, 'E_FORMAT_PART_SIZE');
  });
});

describe('forged manifests', () => {
  /** An attacker's own root and a station certified by it. */
  function attacker(stationId = 'station-test-1') {
    const root = generateSigningKeyPair();
    const key = generateSigningKeyPair();
    const certificate = issueStationCertificate({ rootSecretKey: root.secretKey, stationId, stationPublicKey: key.publicKey });
    return { root, key, certificate };
  }

  /** Swaps parts 1 and 2 and rewrites the manifest's hashes to match, as a forger would. */
  function swapPartsAndFixManifest(driveDir: string) {
    const tmp = part(driveDir, 1) + '.tmp';
    renameSync(part(driveDir, 1), tmp);
    renameSync(part(driveDir, 2), part(driveDir, 1));
    renameSync(tmp, part(driveDir, 2));
    const m = readManifest(driveDir);
    m.payload.parts = m.payload.parts.map((p) => ({ ...p, ...fileFacts(join(driveDir, p.file)) }));
    return m;
  }

  it('re-signed by an uncertified station key: station.certified false (unknown-root / no-certificate / key-mismatch), and the swap is still caught with the key', async () => {
    const d = await sealDrive();
    const m = swapPartsAndFixManifest(d.driveDir);
    const evil = attacker();

    // Own root: the certificate chains to a root the app does not pin.
    writeSignedManifest(d.driveDir, { ...m, station: { ...m.station, publicKey: encodeBase64(evil.key.publicKey), certificate: evil.certificate } }, evil.key.secretKey);
    expect(inspect(d.driveDir, d.pinnedRoots).station).toMatchObject({ certified: false, reason: 'unknown-root' });
    const media = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots });
    expect(media.station).toMatchObject({ certified: false, reason: 'unknown-root' });
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.ok).toBe(false);
    expect(problemCodes(full)).toEqual(['E_FORMAT_AUTH']);
    await expectOpenRefused(d, 'E_FORMAT_AUTH');

    // No certificate at all.
    writeSignedManifest(d.driveDir, { ...m, station: { ...m.station, publicKey: encodeBase64(evil.key.publicKey), certificate: null } }, evil.key.secretKey);
    expect(inspect(d.driveDir, d.pinnedRoots).station).toMatchObject({ certified: false, reason: 'no-certificate' });

    // The genuine certificate copied beside the attacker's key.
    writeSignedManifest(d.driveDir, { ...m, station: { ...m.station, publicKey: encodeBase64(evil.key.publicKey) } }, evil.key.secretKey);
    expect(inspect(d.driveDir, d.pinnedRoots).station).toMatchObject({ certified: false, reason: 'key-mismatch' });
  });

  it('keeping the real station key but signed by another key: E_FORMAT_SIGNATURE in inspect, verify, list and open', async () => {
    const d = await sealDrive();
    const m = swapPartsAndFixManifest(d.driveDir);
    writeSignedManifest(d.driveDir, m, attacker().key.secretKey);
    expect(() => inspect(d.driveDir, d.pinnedRoots)).toThrow(expect.objectContaining({ code: 'E_FORMAT_SIGNATURE' }));
    await expect(verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots })).rejects.toMatchObject({ code: 'E_FORMAT_SIGNATURE' });
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_SIGNATURE' });
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_SIGNATURE' });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('a last part dropped from a re-signed manifest is never a silent short restore (E_FORMAT_INDEX)', async () => {
    const d = await sealDrive();
    const m = readManifest(d.driveDir);
    rmSync(part(d.driveDir, 3));
    m.payload.parts = m.payload.parts.slice(0, 3);
    writeSignedManifest(d.driveDir, m, d.station.secretKey);
    expect((await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots })).ok).toBe(true); // the media matches this manifest
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.ok).toBe(false);
    expect(problemCodes(full)).toEqual(['E_FORMAT_INDEX']);
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({ code: 'E_FORMAT_INDEX' });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('a part truncated at a segment boundary with its manifest entry rewritten: E_FORMAT_PART_SIZE, nothing short restored', async () => {
    const d = await sealDrive();
    const m = readManifest(d.driveDir);
    truncateSync(part(d.driveDir, 3), MiB); // exactly one full segment
    m.payload.parts[3] = { ...m.payload.parts[3]!, ...fileFacts(part(d.driveDir, 3)) };
    writeSignedManifest(d.driveDir, m, d.station.secretKey);
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_PART_SIZE']);
    await expectOpenRefused(d, 'E_FORMAT_PART_SIZE');
  });

  it("an index whose part sizes differ from the manifest's part size (re-encrypted by a key holder): E_FORMAT_INDEX before anything is read", async () => {
    const d = await sealDrive();
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries, trailer) => {
      // Internally consistent (equal parts, the last shorter, the right sum), but not the manifest's 2 MiB.
      const t = trailer as { partSizes: number[]; totalSize: number };
      const other = PART - 512;
      t.partSizes = [other, other, other, t.totalSize - 3 * other];
      return entries;
    });
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/part 0 holds .* not the part size/),
    });
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(problemCodes(full)).toEqual(['E_FORMAT_INDEX']);
    await expectOpenRefused(d, 'E_FORMAT_INDEX');
  });

  it('a one-part drive whose index says its part holds more than the part size (re-encrypted by a key holder): E_FORMAT_INDEX', async () => {
    const d = await sealDrive({ 'data/a.txt': 'hello' });
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries, trailer) => {
      Object.assign(trailer, { partSizes: [PART + 512], totalSize: PART + 512 });
      return entries;
    });
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/the last part holds \d+ bytes, more than the part size/),
    });
  });

  it('an index holding a wrong SHA-256 for one file (re-encrypted by a key holder): verify and open report E_FORMAT_CONTENT_HASH, the file is never restored', async () => {
    const d = await sealDrive();
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
      const big = entries.find((e) => e.path === 'data/big.bin')!;
      big.sha256 = 'f'.repeat(64);
      return entries;
    });
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_CONTENT_HASH', details: { path: 'data/big.bin' } })]);
    await expectOpenRefused(d, 'E_FORMAT_CONTENT_HASH');
    // Asking for that one file alone is refused the same way.
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret, paths: ['data/big.bin'] })).rejects.toMatchObject({
      code: 'E_FORMAT_CONTENT_HASH',
    });
    expect(existsSync(join(dest, 'data/big.bin'))).toBe(false);
  });

  it('an index holding a wrong SHA-256 for one small file (re-encrypted by a key holder): verify and open report E_FORMAT_CONTENT_HASH, that file is never restored', async () => {
    const d = await sealDrive();
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
      entries.find((e) => e.path === 'data/z.txt')!.sha256 = 'f'.repeat(64);
      return entries;
    });
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_CONTENT_HASH', details: { path: 'data/z.txt' } })]);
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_CONTENT_HASH',
      details: { path: 'data/z.txt' },
    });
    expect(existsSync(join(dest, 'data/z.txt'))).toBe(false);
    await expect(open({ driveDir: d.driveDir, dest: tempDir(), pinnedRoots: d.pinnedRoots, secret: d.secret, paths: ['data/z.txt'] })).rejects.toMatchObject({
      code: 'E_FORMAT_CONTENT_HASH',
    });
  });

  it('an index holding a wrong SHA-256 for a file larger than one read chunk (8 MiB, re-encrypted by a key holder): verify reports E_FORMAT_CONTENT_HASH', async () => {
    const d = await sealDrive({ 'data/a.txt': 'hello', 'data/huge.bin': bytes(9 * MiB + 7) });
    const good = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(good.ok).toBe(true);
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
      entries.find((e) => e.path === 'data/huge.bin')!.sha256 = 'f'.repeat(64);
      return entries;
    });
    const full = await verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });
    expect(full.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_CONTENT_HASH', details: { path: 'data/huge.bin' } })]);
  });

  describe('an index that differs from the tar stream it describes (re-encrypted by a key holder): the full verify names where', () => {
    /** The default tree with a link in its folder, then a file of its own: data/… and data come first in the stream, zfile.txt last. */
    const sealTwoSources = () => sealDrive({ ...defaultTree(), 'zfile.txt': 'tail' }, { links: { 'data/zlien': 'a.txt' }, sources: ['data', 'zfile.txt'] });
    const fullVerify = (d: Awaited<ReturnType<typeof sealDrive>>) => verify({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret });

    it('a link whose target differs from the one in the stream', async () => {
      const d = await sealTwoSources();
      expect((await fullVerify(d)).ok).toBe(true);
      await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
        entries.find((e) => e.path === 'data/zlien')!.linkTarget = 'z.txt';
        return entries;
      });
      expect((await fullVerify(d)).problems).toEqual([
        expect.objectContaining({
          code: 'E_FORMAT_TAR',
          message: expect.stringMatching(/link target differs from the index at entry data\/zlien/),
          details: { path: 'data/zlien' },
        }),
      ]);
    });

    it("an entry whose name, or whose file's place in the stream, is not the stream's", async () => {
      const renamed = await sealTwoSources();
      await rewriteIndex(renamed.driveDir, renamed.escrow.secretKey, renamed.station.secretKey, (entries) => {
        entries.find((e) => e.path === 'data/a.txt')!.path = 'data/b.txt'; // still in path order
        return entries;
      });
      expect((await fullVerify(renamed)).problems).toEqual([
        expect.objectContaining({ code: 'E_FORMAT_TAR', message: 'the tar stream does not match the index at entry data/b.txt', details: { path: 'data/b.txt' } }),
      ]);
      const moved = await sealTwoSources();
      await rewriteIndex(moved.driveDir, moved.escrow.secretKey, moved.station.secretKey, (entries) => {
        const z = entries.find((e) => e.path === 'data/z.txt')!;
        z.offset = (z.offset as number) + 512;
        return entries;
      });
      expect((await fullVerify(moved)).problems).toEqual([
        expect.objectContaining({ code: 'E_FORMAT_TAR', message: 'the tar stream does not match the index at entry data/z.txt' }),
      ]);
    });

    it('an entry listed after the last one the stream holds', async () => {
      const d = await sealTwoSources();
      await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
        const link = entries.find((e) => e.path === 'data/zlien')!;
        const last = entries[entries.length - 1]!;
        return [...entries, { ...link, path: 'zzz', offset: (last.offset as number) + 1024 }];
      });
      expect((await fullVerify(d)).problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_TAR', message: 'the tar stream ends before entry zzz' })]);
    });

    it('an entry of the stream the index leaves out (its last one), with the totals made to agree', async () => {
      const d = await sealTwoSources();
      await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries, trailer) => {
        trailer.files = (trailer.files as number) - 1;
        trailer.bytes = (trailer.bytes as number) - 'tail'.length;
        return entries.filter((e) => e.path !== 'zfile.txt');
      });
      expect((await fullVerify(d)).problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_TAR', message: 'the tar stream holds entries the index does not list' })]);
    });
  });

  it('an index that does not list the folder holding a chosen file (re-encrypted by a key holder): opening that file alone is refused (E_FORMAT_INDEX)', async () => {
    const d = await sealDrive({ 'data/a.txt': 'a', 'data/sub/c.txt': 'c' });
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
      const data = entries.find((e) => e.path === 'data')!;
      data.entries = (data.entries as number) - 1;
      return entries.filter((e) => e.path !== 'data/sub');
    });
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret, paths: ['data/sub/c.txt'] })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/does not list the folder holding data\/sub\/c.txt/),
    });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('a folder whose totals differ from what lies below it (re-encrypted by a key holder): opening that folder alone is refused before anything is written', async () => {
    const d = await sealDrive();
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries) => {
      entries.find((e) => e.path === 'data')!.files = 2;
      return entries;
    });
    const dest = tempDir();
    await expect(open({ driveDir: d.driveDir, dest, pinnedRoots: d.pinnedRoots, secret: d.secret, paths: ['data'] })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/counts \d+ entries, 2 files/),
    });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('an index whose trailer claims fewer parts than the manifest (re-encrypted by a key holder): E_FORMAT_INDEX', async () => {
    const d = await sealDrive();
    await rewriteIndex(d.driveDir, d.escrow.secretKey, d.station.secretKey, (entries, trailer) => {
      const h = trailer as { parts: number; partSizes: number[]; totalSize: number };
      h.parts = 3;
      h.partSizes = h.partSizes.slice(0, 3);
      h.totalSize = h.partSizes.reduce((a, b) => a + b, 0);
      (trailer as { bytes: number }).bytes = Math.min((trailer as { bytes: number }).bytes, h.totalSize);
      return entries;
    });
    await expect(list({ driveDir: d.driveDir, pinnedRoots: d.pinnedRoots, secret: d.secret })).rejects.toMatchObject({
      code: 'E_FORMAT_INDEX',
      message: expect.stringMatching(/3 parts/),
    });
  });
});
