// Tests of the independent scelle/1 reader (reader.ts), written from docs/FORMAT.md only.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  canonicalUnlockCode,
  ciphertextSize,
  decryptStream,
  encryptStream,
  expectedTarMtime,
  fromBase64,
  fromHex,
  hex,
  openDrive,
  parseManifest,
  payloadSegmentCount,
  readAll,
  restoreOne,
  SCELLE_STREAM,
  segmentOfOffset,
  StreamDecryptor,
  unlockCodeChecks,
  unlockCodeWithChecks,
  type HkdfHashName,
  type OpenedDrive,
  type TarEntry,
} from './reader.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(REPO, 'test/fixtures/drive-v1');
const DRIVE = join(FIXTURE, 'SCELLE-1G93X0RFATP9R451');
const utf8 = new TextEncoder();

function keyFile(name: string, field: 'publicKey' | 'secretKey'): Uint8Array {
  const json = JSON.parse(readFileSync(join(FIXTURE, 'keys', name), 'utf8')) as Record<string, unknown>;
  return fromBase64(json[field], 32, `${name}.${field}`);
}

const ROOT_PUB = keyFile('root.pub', 'publicKey');
const ESCROW_SECRET = keyFile('escrow.key', 'secretKey');
const UNLOCK_CODE = readFileSync(join(FIXTURE, 'unlock-code.txt'), 'utf8');
const DATA_KEY_HEX = '7f8828e52af9823a4ba5ea2d57359644dde18450ecf6530534c4b507406d5199';

// The decrypted index printed in FORMAT.md §10.
const EXPECTED_INDEX = [
  { path: 'echantillon', type: 'directory', size: 0, mode: 493, offset: 512 },
  { path: 'echantillon/bonjour.txt', type: 'file', size: 40, mode: 420, offset: 1024, sha256: '077d3d943e567d54bf2641c7aeceb734786c59173356c442cf4a390c71dec311' },
  { path: 'echantillon/sous-dossier', type: 'directory', size: 0, mode: 493, offset: 2048 },
  { path: 'echantillon/sous-dossier/donnees.bin', type: 'file', size: 150000, mode: 420, offset: 2560, sha256: 'deb023c9b53cd3b2cc4342d3107dc48ef874ad97a3769227d857810774e29c44' },
  { path: 'echantillon/sous-dossier/lien', type: 'symlink', size: 0, mode: 511, offset: 153088, linkTarget: '../bonjour.txt' },
  { path: 'echantillon/vide.txt', type: 'file', size: 0, mode: 420, offset: 153600, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { path: 'echantillon/été — notes.md', type: 'file', size: 47, mode: 420, offset: 155136, sha256: '38ef0129c53c21512a137e6447b4bd26e8a7250b404ac975c9406a5caa6729bf' },
];

function checkAgainstIndex(drive: OpenedDrive, entries: TarEntry[]): void {
  expect(entries.map((e) => e.path)).toEqual(drive.index.map((e) => e.path));
  for (const [i, e] of entries.entries()) {
    const x = drive.index[i]!;
    expect(e.type).toBe(x.type);
    expect(e.size).toBe(x.size);
    expect(e.mode).toBe(x.mode);
    expect(e.offset).toBe(x.offset);
    expect(e.uid).toBe(0);
    expect(e.gid).toBe(0);
    if (x.type === 'file') expect(hex(sha256(e.content))).toBe(x.sha256);
    if (x.type === 'symlink') expect(e.linkTarget).toBe(x.linkTarget);
  }
}

// ------------------------------------------------------------------ (a) the committed drive

describe('committed drive test/fixtures/drive-v1', () => {
  let escrowDrive: OpenedDrive;
  beforeAll(() => {
    escrowDrive = openDrive(DRIVE, { x25519SecretKey: ESCROW_SECRET }, ROOT_PUB);
  });

  it('manifest signature verifies and the certificate verifies against keys/root.pub', () => {
    expect(escrowDrive.signatureValid).toBe(true);
    expect(escrowDrive.certificate).toEqual({ certified: true });
    const other = openDrive(DRIVE, { x25519SecretKey: ESCROW_SECRET }, ed25519.getPublicKey(new Uint8Array(32).fill(7)));
    expect(other.certificate?.certified).toBe(false);
  });

  it('opens with the escrow key: data key, index and entries as documented', () => {
    expect(hex(escrowDrive.dataKey)).toBe(DATA_KEY_HEX);
    expect(escrowDrive.header).toEqual({
      format: 'scelle/1',
      driveId: '1G93X0RFATP9R451',
      parts: 3,
      partSizes: [65536, 65536, 25600],
      totalSize: 156672,
      files: 4,
      bytes: 150087,
    });
    expect(escrowDrive.manifest.payload.parts.map((p) => p.size)).toEqual([65592, 65592, 25656]);
    expect(escrowDrive.index.map(({ path, type, size, mode, offset, sha256: s, linkTarget }) => ({
      path, type, size, mode, offset, ...(s ? { sha256: s } : {}), ...(linkTarget ? { linkTarget } : {}),
    }))).toEqual(EXPECTED_INDEX);
    const { entries, segmentsDecrypted } = readAll(escrowDrive);
    checkAgainstIndex(escrowDrive, entries);
    expect(segmentsDecrypted).toBe(3);
    const bonjour = entries.find((e) => e.path === 'echantillon/bonjour.txt')!;
    expect(hex(sha256(bonjour.content))).toBe(EXPECTED_INDEX[1]!.sha256);
  });

  it('opens with the unlock code (canonicalization + Reed–Solomon + Argon2id + GCM-SIV)', () => {
    const code = UNLOCK_CODE.trim();
    expect(unlockCodeChecks(canonicalUnlockCode(code))).toBe(true);
    // check symbols = remainder of d(x)·x³ mod g(x)
    const canonical = canonicalUnlockCode(code);
    expect(unlockCodeWithChecks(canonical.slice(0, 25))).toBe(canonical);
    const drive = openDrive(DRIVE, { unlockCode: ` ${code.toLowerCase().replace(/-/g, ' – ')} ` }, ROOT_PUB);
    expect(hex(drive.dataKey)).toBe(DATA_KEY_HEX);
    const { entries } = readAll(drive);
    checkAgainstIndex(drive, entries);
  });

  it('unlock code: typos are detected before the KDF; a valid but wrong code is refused', () => {
    const canonical = canonicalUnlockCode(UNLOCK_CODE);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let i = 0; i < 28; i++) {
      for (const ch of alphabet) {
        if (ch === canonical[i]) continue;
        expect(unlockCodeChecks(canonical.slice(0, i) + ch + canonical.slice(i + 1))).toBe(false);
      }
      if (i < 27 && canonical[i] !== canonical[i + 1]) {
        const swapped = canonical.slice(0, i) + canonical[i + 1]! + canonical[i]! + canonical.slice(i + 2);
        expect(unlockCodeChecks(swapped)).toBe(false);
      }
    }
    const sloppy = canonical.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'I').match(/.{1,4}/g)!.join(' — ');
    expect(canonicalUnlockCode(sloppy)).toBe(canonical);
    expect(() => canonicalUnlockCode(`U${canonical.slice(1)}`)).toThrow(/Crockford/);
    expect(() => openDrive(DRIVE, { unlockCode: canonical.slice(0, 27) + (canonical[27] === 'A' ? 'B' : 'A') })).toThrow(/check symbols/);
    const wrong = unlockCodeWithChecks('0000000000000000000000000');
    expect(unlockCodeChecks(wrong)).toBe(true);
    expect(() => openDrive(DRIVE, { unlockCode: wrong })).toThrow(/wrong code/);
  });

  it('random access restores each file from its own segments only', () => {
    for (const e of escrowDrive.index.filter((x) => x.type === 'file')) {
      const { content, segmentsDecrypted } = restoreOne(escrowDrive, e.path);
      expect(hex(sha256(content))).toBe(e.sha256);
      // donnees.bin spans tar bytes [2560, 152560): parts 0, 1 and 2; others live in one part
      expect(segmentsDecrypted).toBe(e.size === 0 ? 0 : e.path.endsWith('donnees.bin') ? 3 : 1);
    }
  });

  describe('tampered copies (re-signed with the fixture station key where needed)', () => {
    let work: string;
    const stationSecret = keyFile('station.key', 'secretKey');
    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'scelle-indep-'));
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    function copy(name: string): string {
      const dir = join(work, name);
      cpSync(DRIVE, dir, { recursive: true });
      return dir;
    }
    function resign(dir: string, edit: (m: Record<string, unknown> & { payload: { parts: Array<Record<string, unknown>> } }) => void): void {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Parameters<typeof edit>[0];
      edit(m);
      const bytes = utf8.encode(`${JSON.stringify(m, null, 2)}\n`);
      writeFileSync(join(dir, 'manifest.json'), bytes);
      writeFileSync(join(dir, 'manifest.sig'), `${Buffer.from(ed25519.sign(bytes, stationSecret)).toString('base64')}\n`);
    }
    const open = (dir: string): OpenedDrive => openDrive(dir, { x25519SecretKey: ESCROW_SECRET });

    it('an edited manifest no longer verifies', () => {
      const dir = copy('edited');
      const text = readFileSync(join(dir, 'manifest.json'), 'utf8').replace('"fixture-station-1"', '"fixture-station-2"');
      writeFileSync(join(dir, 'manifest.json'), text);
      expect(() => open(dir)).toThrow(/manifest.sig/);
    });

    it('a flipped ciphertext byte fails the media check, and authentication once re-hashed', () => {
      const dir = copy('flipped');
      const part = join(dir, 'payload/part-00001.scx');
      const bytes = readFileSync(part);
      bytes[1000] = (bytes[1000] ?? 0) ^ 1;
      writeFileSync(part, bytes);
      expect(() => open(dir)).toThrow(/SHA-256/);
      resign(dir, (m) => {
        m.payload.parts[1]!.sha256 = hex(sha256(bytes));
      });
      expect(() => readAll(open(dir))).toThrow(/authenticate/);
    });

    it('swapped parts fail authentication (the part number is in the AD)', () => {
      const dir = copy('swapped');
      resign(dir, (m) => {
        const [a, b] = m.payload.parts;
        m.payload.parts[0] = b!;
        m.payload.parts[1] = a!;
      });
      expect(() => readAll(open(dir))).toThrow(/authenticate/);
    });

    it('a dropped last part is a part-count error, not a short restore', () => {
      const dir = copy('dropped');
      rmSync(join(dir, 'payload/part-00002.scx'));
      resign(dir, (m) => {
        m.payload.parts.pop();
      });
      expect(() => open(dir)).toThrow(/parts/);
    });

    it('an unlisted file in payload/ is refused', () => {
      const dir = copy('extra');
      writeFileSync(join(dir, 'payload/part-00003.scx'), 'x');
      expect(() => open(dir)).toThrow(/unlisted/);
    });

    it('the manifest tolerates extra fields', () => {
      const dir = copy('extra-field');
      resign(dir, (m) => {
        m.comment = 'extra';
      });
      expect(parseManifest(readFileSync(join(dir, 'manifest.json'))).driveId).toBe('1G93X0RFATP9R451');
      expect(readAll(open(dir)).entries).toHaveLength(7);
    });
  });
});

// ------------------------------------------------------------------ (b) Tink vectors

interface OfficialVector {
  hkdfHash: HkdfHashName;
  keySize: number;
  derivedKeySize: number;
  ciphertextSegmentSize: number;
  key: string;
  associatedData: string;
  plaintext: string;
  ciphertext: string;
}
interface ScelleVector {
  name: string;
  key: string;
  salt: string;
  noncePrefix: string;
  associatedData: string;
  plaintextLength: number;
  ciphertextLength: number;
  ciphertextSha256: string;
  plaintext?: string;
  ciphertext?: string;
  plaintextRule?: string;
}
const VECTORS = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vectors/tink-aes-gcm-hkdf-streaming.json'), 'utf8')) as {
  official: OfficialVector[];
  scelle: ScelleVector[];
};

function scellePlaintext(v: ScelleVector): Uint8Array {
  if (v.plaintext !== undefined) return fromHex(v.plaintext);
  expect(v.plaintextRule).toBe('byte i = i mod 251');
  const out = new Uint8Array(v.plaintextLength);
  for (let i = 0; i < out.length; i++) out[i] = i % 251;
  return out;
}

describe('Tink streaming AEAD vectors', () => {
  it.each(VECTORS.official.map((v, i) => [i, v] as const))('official vector %i decrypts', (_i, v) => {
    const params = { hkdfHash: v.hkdfHash, derivedKeySize: v.derivedKeySize, ciphertextSegmentSize: v.ciphertextSegmentSize };
    const key = fromHex(v.key);
    expect(key.length).toBe(v.keySize);
    // official vectors: associatedData is hex
    const pt = decryptStream(key, fromHex(v.associatedData), fromHex(v.ciphertext), params);
    expect(hex(pt)).toBe(v.plaintext);
  });

  it.each(VECTORS.scelle.map((v) => [v.name, v] as const))('scelle vector %s: encrypts to the published bytes and decrypts back', (_n, v) => {
    const plaintext = scellePlaintext(v);
    // scelle vectors: associatedData is UTF-8 text (unlike the official ones)
    const ad = utf8.encode(v.associatedData);
    const ct = encryptStream(fromHex(v.key), ad, plaintext, fromHex(v.salt), fromHex(v.noncePrefix));
    expect(ct.length).toBe(v.ciphertextLength);
    expect(ciphertextSize(plaintext.length)).toBe(v.ciphertextLength);
    expect(hex(sha256(ct))).toBe(v.ciphertextSha256);
    if (v.ciphertext !== undefined) expect(hex(ct)).toBe(v.ciphertext);
    const back = decryptStream(fromHex(v.key), ad, ct);
    expect(back.length).toBe(plaintext.length);
    expect(Buffer.from(back).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('rejects tampering, truncation, trailing bytes, a bad header byte and a wrong AD', () => {
    const v = VECTORS.scelle.find((x) => x.name === 'three-mebibytes-four-segments')!;
    const key = fromHex(v.key);
    const ad = utf8.encode(v.associatedData);
    const ct = encryptStream(key, ad, scellePlaintext(v), fromHex(v.salt), fromHex(v.noncePrefix));
    const S = SCELLE_STREAM.ciphertextSegmentSize;
    const flipped = ct.slice();
    flipped[2 * S + 5] = (flipped[2 * S + 5] ?? 0) ^ 0x80;
    expect(() => decryptStream(key, ad, flipped)).toThrow(/authenticate/);
    expect(() => decryptStream(key, ad, ct.subarray(0, 3 * S))).toThrow(/authenticate/); // missing last segment
    expect(() => decryptStream(key, ad, ct.subarray(0, 3 * S + 10))).toThrow(/tag/); // last part < tag
    const longer = new Uint8Array(ct.length + 20);
    longer.set(ct);
    expect(() => decryptStream(key, ad, longer)).toThrow(/authenticate/);
    const badHeader = ct.slice();
    badHeader[0] = 0x18;
    expect(() => decryptStream(key, ad, badHeader)).toThrow(/header length/);
    expect(() => decryptStream(key, utf8.encode('scelle/1 payload TESTDRIVE part 8'), ct)).toThrow(/authenticate/);
  });

  it('random access decrypts only the needed segment', () => {
    const v = VECTORS.scelle.find((x) => x.name === 'three-mebibytes-four-segments')!;
    const plaintext = scellePlaintext(v);
    const ct = encryptStream(fromHex(v.key), utf8.encode(v.associatedData), plaintext, fromHex(v.salt), fromHex(v.noncePrefix));
    const d = new StreamDecryptor(fromHex(v.key), utf8.encode(v.associatedData), ct.length, (p, l) => ct.subarray(p, p + l));
    expect(d.segmentCount).toBe(4);
    const from = 1_048_520 + 1_048_560 + 100;
    expect(segmentOfOffset(from)).toBe(2);
    const got = d.range(from, from + 5000);
    expect(Buffer.from(got).equals(Buffer.from(plaintext.subarray(from, from + 5000)))).toBe(true);
    expect(d.segmentsDecrypted).toBe(1);
    expect(segmentOfOffset(1_048_519)).toBe(0);
    expect(segmentOfOffset(1_048_520)).toBe(1);
  });
});

// ------------------------------------------------------------------ (c) a freshly sealed drive

describe('a drive freshly sealed by the built CLI', () => {
  const cli = join(REPO, 'bin/scelle.js');
  let tmp: string;
  let src: string;
  let driveDir: string;
  let drive: OpenedDrive;
  const files = new Map<string, Uint8Array>();
  const BIG = 'racine/gros/données.bin';
  const LONG = `racine/${'n'.repeat(120)}.txt`;

  function run(args: string[], home: string): string {
    const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, SCELLE_HOME: home, SCELLE_LANG: 'en' }, encoding: 'utf8' });
    if (r.status !== 0) {
      const hint = r.stderr.includes('ERR_MODULE_NOT_FOUND') ? 'dist/ is incomplete or stale: run `npm run build`. ' : '';
      throw new Error(`${hint}scelle ${args.join(' ')} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
    }
    return r.stdout;
  }

  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist/cli/main.js'))) {
      throw new Error('dist/ is missing: run `npm run build` before these tests (bin/scelle.js needs the compiled CLI)');
    }
    tmp = mkdtempSync(join(tmpdir(), 'scelle-indep-seal-'));
    src = join(tmp, 'src');
    const home = join(tmp, 'home');
    const target = join(tmp, 'target');
    mkdirSync(home);
    mkdirSync(target);
    const put = (rel: string, content: Uint8Array): void => {
      mkdirSync(dirname(join(src, rel)), { recursive: true });
      writeFileSync(join(src, rel), content);
      files.set(rel, content);
    };
    const big = new Uint8Array(3 * 1024 * 1024 + 123_457);
    let x = 0x12345678;
    for (let i = 0; i < big.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      big[i] = x >>> 24;
    }
    put('racine/a.txt', utf8.encode('bonjour\n'));
    put(BIG, big);
    put('racine/vide.txt', new Uint8Array(0));
    put('racine/imbriqué/b/c/profond.txt', utf8.encode('tout au fond\n'));
    put('racine/été — ñ 日本 🙂.md', utf8.encode('# UTF-8\n'));
    put(LONG, utf8.encode('long name\n'));
    mkdirSync(join(src, 'racine/dossier-vide'));
    symlinkSync('a.txt', join(src, 'racine/lien'));
    chmodSync(join(src, 'racine/a.txt'), 0o600);
    utimesSync(join(src, 'racine/a.txt'), 1_700_000_000.75, 1_600_000_000.25);
    // Out-of-range times for the 11-digit octal ustar field (see SPEC-GAPS.md, gap 1).
    put('racine/temps/1960.txt', utf8.encode('old\n'));
    utimesSync(join(src, 'racine/temps/1960.txt'), 0, new Date(-315_619_199_500)); // a negative number would mean "now" to Node
    put('racine/temps/2300.txt', utf8.encode('future\n'));
    utimesSync(join(src, 'racine/temps/2300.txt'), 0, 10_413_792_000);

    run(['keygen', 'escrow', '--out', join(tmp, 'escrow.key')], home);
    const out = run(['seal', join(src, 'racine'), '--to', target, '--no-unlock-code', '--recipient', join(tmp, 'escrow.key.pub'), '--part-size', '1M', '--json'], home);
    const result = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === 'result');
    const dirs = readdirSync(target).filter((n) => n.startsWith('SCELLE-'));
    expect(dirs).toHaveLength(1);
    driveDir = join(target, dirs[0]!);
    if (result && typeof result.driveDir === 'string') expect(resolve(result.driveDir)).toBe(driveDir);
    const escrow = JSON.parse(readFileSync(join(tmp, 'escrow.key'), 'utf8')) as Record<string, unknown>;
    drive = openDrive(driveDir, { x25519SecretKey: fromBase64(escrow.secretKey, 32) });
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('spans several parts and segments', () => {
    expect(drive.manifest.payload.partPlaintextSize).toBe(1024 * 1024);
    expect(drive.header.parts).toBeGreaterThanOrEqual(4);
    expect(drive.certificate).toBeNull();
    expect(payloadSegmentCount(drive)).toBeGreaterThan(drive.header.parts);
  });

  it('restores every entry byte for byte, in the documented order', () => {
    const { entries, segmentsDecrypted } = readAll(drive);
    checkAgainstIndex(drive, entries);
    expect(segmentsDecrypted).toBe(payloadSegmentCount(drive));
    // Walk the source the way §4 says the sealer does: depth-first, names sorted bytewise.
    const expected: string[] = [];
    const walk = (rel: string): void => {
      expected.push(rel);
      const st = lstatSync(join(src, rel));
      if (st.isDirectory()) {
        const names = readdirSync(join(src, rel)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        for (const n of names) walk(`${rel}/${n}`);
      }
    };
    walk('racine');
    expect(entries.map((e) => e.path)).toEqual(expected);
    for (const e of entries) {
      const st = lstatSync(join(src, e.path));
      expect(e.mode).toBe(st.mode & 0o7777);
      // §4: floor to seconds; a pax mtime record when outside the ustar range.
      expect(e.mtime).toBe(expectedTarMtime(st.mtimeMs));
      // Out of the ustar range, the exact time travels in a pax mtime record (§4).
      if (e.path === 'racine/temps/1960.txt') expect(e.mtime).toBe(-315_619_200);
      if (e.path === 'racine/temps/2300.txt') expect(e.mtime).toBe(10_413_792_000);
      const ix = drive.index.find((i) => i.path === e.path)!;
      expect(ix.mtime).toBeCloseTo(st.mtimeMs, 0);
      if (st.isFile()) {
        expect(e.type).toBe('file');
        expect(Buffer.from(e.content).equals(readFileSync(join(src, e.path)))).toBe(true);
      } else if (st.isDirectory()) {
        expect(e.type).toBe('directory');
      } else {
        expect(e.type).toBe('symlink');
        expect(e.linkTarget).toBe(readlinkSync(join(src, e.path)));
      }
    }
    expect([...files.keys()].every((k) => entries.some((e) => e.path === k))).toBe(true);
  });

  it('restores one small file by random access, decrypting fewer segments than the payload has', () => {
    const total = payloadSegmentCount(drive);
    for (const rel of ['racine/imbriqué/b/c/profond.txt', 'racine/été — ñ 日本 🙂.md', LONG]) {
      const { content, segmentsDecrypted } = restoreOne(drive, rel);
      expect(Buffer.from(content).equals(Buffer.from(files.get(rel)!))).toBe(true);
      expect(segmentsDecrypted).toBeGreaterThan(0);
      expect(segmentsDecrypted).toBeLessThan(total);
    }
    const big = restoreOne(drive, BIG);
    expect(Buffer.from(big.content).equals(Buffer.from(files.get(BIG)!))).toBe(true);
    expect(big.segmentsDecrypted).toBeLessThanOrEqual(total);
  });
});
