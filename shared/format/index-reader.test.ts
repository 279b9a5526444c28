import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIndexEntry } from './index-codec.js';
import { type IndexEntry } from './index-line.js';
import { compareEntryPaths, parentOf } from './index-order.js';
import { bufferSource, fileSource, IndexChecker, IndexReader, type IndexSource } from './index-reader.js';
import { IndexWriter } from './index-writer.js';
import { indexAssociatedData } from './layout.js';
import { encryptStream, SCELLE_LAYOUT } from './stream.js';

const DRIVE = 'TESTDRIVE1';
const sha = '0'.repeat(64);

/**
 * A tree of `folders` folders of `files` files under "top", plus two top-level files, in index
 * order with offsets and folder totals, as a seal would write it.
 */
function syntheticTree(folders: number, files: number): { entries: IndexEntry[]; totalSize: number } {
  const paths: { path: string; type: 'file' | 'directory' }[] = [
    { path: 'top', type: 'directory' },
    { path: 'a-first.txt', type: 'file' },
    { path: 'zz-last.txt', type: 'file' },
  ];
  for (let d = 0; d < folders; d++) {
    paths.push({ path: `top/d${String(d).padStart(4, '0')}`, type: 'directory' });
    for (let f = 0; f < files; f++) paths.push({ path: `top/d${String(d).padStart(4, '0')}/file-${String(f).padStart(5, '0')}.txt`, type: 'file' });
  }
  paths.sort((a, b) => compareEntryPaths(Buffer.from(a.path), Buffer.from(b.path)));
  const totals = new Map<string, { entries: number; files: number; bytes: number }>();
  for (const p of paths) {
    for (let parent = parentOf(Buffer.from(p.path)); parent.length > 0; parent = parentOf(parent)) {
      const t = totals.get(Buffer.from(parent).toString()) ?? { entries: 0, files: 0, bytes: 0 };
      t.entries++;
      if (p.type === 'file') {
        t.files++;
        t.bytes += 100;
      }
      totals.set(Buffer.from(parent).toString(), t);
    }
  }
  let offset = 512;
  const entries = paths.map((p): IndexEntry => {
    const e: IndexEntry =
      p.type === 'file'
        ? { path: p.path, type: 'file', size: 100, mode: 0o644, mtime: 1, offset, sha256: sha }
        : { path: p.path, type: 'directory', size: 0, mode: 0o755, mtime: 1, offset, ...(totals.get(p.path) ?? { entries: 0, files: 0, bytes: 0 }) };
    offset += p.type === 'file' ? 1024 : 512;
    return e;
  });
  return { entries, totalSize: offset - 512 + 1024 };
}

function trailerFacts(entries: IndexEntry[], totalSize: number) {
  const files = entries.filter((e) => e.type === 'file');
  return { parts: 1, partSizes: [totalSize], totalSize, files: files.length, bytes: files.reduce((a, e) => a + e.size, 0) };
}

/** Writes `entries` with the real writer; returns the file and the key. */
function writeIndex(entries: IndexEntry[], totalSize: number, dir: string): { file: string; key: Uint8Array } {
  const key = randomBytes(32);
  const file = join(dir, 'index.scx');
  const w = new IndexWriter(file, key, DRIVE);
  for (const e of entries) w.addEntryLine(encodeIndexEntry(e));
  const written = w.finish(trailerFacts(entries, totalSize));
  expect(written.size).toBe(statSync(file).size);
  return { file, key };
}

/** A source that counts the index segments it reads. */
function counting(source: IndexSource): IndexSource & { segments: Set<number> } {
  const segments = new Set<number>();
  return {
    size: source.size,
    segments,
    readAt(p, n) {
      if (n > SCELLE_LAYOUT.headerSize) segments.add(Math.floor(p / SCELLE_LAYOUT.segmentSize));
      return source.readAt(p, n);
    },
    close: () => source.close(),
  };
}

/** Encrypts hand-made index lines (for indexes no writer would produce). */
function forged(lines: object[], key: Uint8Array): IndexSource {
  const text = lines.map((l) => JSON.stringify(l) + '\n').join('');
  return bufferSource(encryptStream(key, indexAssociatedData(DRIVE), Buffer.from(text)));
}

/** The lines of a consistent small index, to be broken one way at a time. */
function smallIndexLines(mutate: (entries: Record<string, unknown>[], trailer: Record<string, unknown>) => void = () => undefined): object[] {
  const { entries, totalSize } = syntheticTree(2, 3);
  const es = entries.map((e) => JSON.parse(encodeIndexEntry(e)) as Record<string, unknown>);
  const trailer: Record<string, unknown> = { trailer: 'scelle/1', ...trailerFacts(entries, totalSize), entries: 0, directoryAt: 0 };
  mutate(es, trailer);
  const header = { format: 'scelle/1', driveId: DRIVE };
  const at = Buffer.byteLength(JSON.stringify(header) + '\n');
  trailer.entries ??= es.length;
  if (trailer.entries === 0) trailer.entries = es.length;
  if (trailer.directoryAt === 0) trailer.directoryAt = at + es.reduce((a, e) => a + Buffer.byteLength(JSON.stringify(e) + '\n'), 0);
  const directory = es.length > 0 ? [{ at, path: es[0]!.path }] : [];
  return [header, ...es, ...directory, trailer];
}

function fullPass(source: IndexSource, key: Uint8Array) {
  const reader = IndexReader.open(source, key, DRIVE);
  const checker = new IndexChecker(reader);
  for (const { at, entry } of reader.scan(reader.entriesAt)) checker.add(at, entry);
  return checker.finish();
}

describe('index writer and reader', () => {
  const big = syntheticTree(100, 200); // 20,103 entries: several segments
  const dir = mkdtempSync(join(tmpdir(), 'scelle-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { file, key } = writeIndex(big.entries, big.totalSize, dir);

  it('round-trips every entry in one pass and passes every whole-index check', () => {
    expect(statSync(file).size).toBeGreaterThan(3 * SCELLE_LAYOUT.segmentSize);
    const reader = IndexReader.open(fileSource(file), key, DRIVE);
    expect([...reader.entries()]).toEqual(big.entries);
    expect(reader.trailer).toMatchObject({ entries: big.entries.length, files: 20_002, parts: 1 });
    expect(reader.directory.length).toBe(SCELLE_LAYOUT.segmentCount(SCELLE_LAYOUT.plaintextSize(statSync(file).size)));
    reader.close();
    expect(fullPass(fileSource(file), key)).toEqual({ entries: big.entries.length, files: 20_002, bytes: 2_000_200 });
  });

  it('writes the same index from lines given as bytes, in runs of any length, as from lines one by one', () => {
    const file2 = join(dir, 'index-bytes.scx');
    const w = new IndexWriter(file2, key, DRIVE);
    const lines = big.entries.map((e) => encodeIndexEntry(e));
    for (let i = 0, run = 1; i < lines.length; i += run, run = (run * 7 + 3) % 1500) {
      const some = lines.slice(i, i + run);
      if (run % 5 === 0) for (const line of some) w.addEntryLine(line);
      else w.addEntryLineBytes(Buffer.from(some.join('')), some.length);
    }
    w.finish(trailerFacts(big.entries, big.totalSize));
    const a = IndexReader.open(fileSource(file), key, DRIVE);
    const b = IndexReader.open(fileSource(file2), key, DRIVE);
    expect(b.directory).toEqual(a.directory);
    expect(b.trailer).toEqual(a.trailer);
    expect([...b.entries()]).toEqual(big.entries);
    a.close();
    b.close();
  });

  it('never writes a name in clear', () => {
    expect(readFileSync(file).includes('file-00001.txt')).toBe(false);
  });

  it("finds one path, one folder's children and one folder's subtree by reading at most 3 segments", () => {
    const source = counting(fileSource(file));
    const reader = IndexReader.open(source, key, DRIVE);
    const opened = source.segments.size;
    source.segments.clear();
    expect(reader.find(Buffer.from('top/d0057/file-00123.txt'))).toMatchObject({ type: 'file', path: 'top/d0057/file-00123.txt' });
    expect(source.segments.size).toBeLessThanOrEqual(2);
    source.segments.clear();
    const children = [...reader.children(Buffer.from('top/d0042'))];
    expect(children.map((e) => e.path)).toEqual(Array.from({ length: 200 }, (_, f) => `top/d0042/file-${String(f).padStart(5, '0')}.txt`));
    expect(source.segments.size).toBeLessThanOrEqual(3);
    source.segments.clear();
    const top = [...reader.children(Buffer.from('top'))];
    expect(top).toHaveLength(100);
    expect(top[0]).toMatchObject({ path: 'top/d0000', type: 'directory', entries: 200, files: 200, bytes: 20_000 });
    expect(source.segments.size).toBeLessThanOrEqual(2);
    expect([...reader.children(Buffer.alloc(0))].map((e) => e.path)).toEqual(['a-first.txt', 'top', 'zz-last.txt']);
    expect([...reader.subtree(Buffer.from('top/d0099'))]).toHaveLength(200);
    expect(reader.find(Buffer.from('top/d0057/nope'))).toBeNull();
    expect(reader.find(Buffer.from('top/d0057'))).toMatchObject({ type: 'directory' });
    expect([...reader.children(Buffer.from('top/d0057/file-00001.txt'))]).toEqual([]);
    expect(opened).toBeLessThanOrEqual(3);
    reader.close();
  });

  it('refuses another drive, a wrong key, a truncated or extended stream (E_FORMAT_INDEX)', () => {
    const bytes = readFileSync(file);
    expect(() => IndexReader.open(bufferSource(bytes), key, 'OTHERDRIVE')).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX' }));
    expect(() => IndexReader.open(bufferSource(bytes), randomBytes(32), DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX' }));
    expect(() => IndexReader.open(bufferSource(bytes.subarray(0, SCELLE_LAYOUT.segmentSize * 2)), key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX' }));
    expect(() => IndexReader.open(bufferSource(Buffer.concat([bytes, Buffer.alloc(100)])), key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX' }));
  });
});

/** A consistent index of `count` entries in several segments, its lines as objects, with the directory computed. */
function multiSegmentLines(count: number) {
  const files = Array.from({ length: count }, (_, i) => `d/${'x'.repeat(120)}-${String(i).padStart(6, '0')}`);
  const entries: Record<string, unknown>[] = files.map((path, i) =>
    JSON.parse(encodeIndexEntry({ path, type: 'file', size: 0, mode: 0o644, mtime: 0, offset: 512 + i * 512, sha256: sha })),
  );
  entries.push({ path: 'd', type: 'directory', size: 0, mode: 0o755, mtime: 0, offset: 512 + count * 512, entries: count, files: count, bytes: 0 });
  const header = { format: 'scelle/1', driveId: DRIVE };
  let at = Buffer.byteLength(JSON.stringify(header) + '\n');
  const directory: Record<string, unknown>[] = [];
  let last = -1;
  for (const e of entries) {
    if (SCELLE_LAYOUT.segmentOf(at) !== last) {
      directory.push({ at, path: e.path });
      last = SCELLE_LAYOUT.segmentOf(at);
    }
    at += Buffer.byteLength(JSON.stringify(e) + '\n');
  }
  const totalSize = 512 + count * 512 + 2048;
  const trailer = { trailer: 'scelle/1', parts: 1, partSizes: [totalSize], totalSize, entries: entries.length, files: count, bytes: 0, directoryAt: at };
  return { header, entries, directory, trailer };
}

describe('the directory is checked when the index is opened (lookups rely on it)', () => {
  const key = randomBytes(32);
  const open = (l: ReturnType<typeof multiSegmentLines>) => IndexReader.open(forged([l.header, ...l.entries, ...l.directory, l.trailer], key), key, DRIVE);
  it('opens a consistent index of several segments and finds entries in each', () => {
    const l = multiSegmentLines(12_000);
    expect(l.directory.length).toBeGreaterThan(1);
    const reader = open(l);
    expect(reader.find(Buffer.from(String(l.entries[11_000]!.path)))).toMatchObject({ offset: 512 + 11_000 * 512 });
  });
  const cases: [string, (l: ReturnType<typeof multiSegmentLines>) => void, RegExp][] = [
    [
      'a directory offset outside the index',
      (l) => {
        l.trailer.directoryAt = 10;
      },
      /directoryAt lies outside/,
    ],
    [
      'a directory line past the entries',
      (l) => {
        l.directory[1]!.at = l.trailer.directoryAt + 1;
      },
      /a line is out of place/,
    ],
    [
      'a first directory line that is not the first entry',
      (l) => {
        l.directory[0]!.at = Number(l.directory[0]!.at) + 1;
      },
      /does not start at the first entry/,
    ],
    [
      'directory paths out of order',
      (l) => {
        [l.directory[0]!.path, l.directory[1]!.path] = [l.directory[1]!.path, l.directory[0]!.path];
        l.directory[0]!.at = Buffer.byteLength(JSON.stringify(l.header) + '\n');
      },
      /out of order/,
    ],
    [
      'no directory for entries',
      (l) => {
        l.directory.length = 0;
      },
      /directory: missing/,
    ],
  ];
  it('refuses, in a full pass, a directory line for a segment in which no entry starts', () => {
    const l = multiSegmentLines(100);
    // The last entry line carries an unknown field long enough to span two segments.
    const last = l.entries[l.entries.length - 1]!;
    last.pad = 'p'.repeat(2 * SCELLE_LAYOUT.segmentSize);
    const lastAt = Number(l.directory[0]!.at) + l.entries.slice(0, -1).reduce((a, e) => a + Buffer.byteLength(JSON.stringify(e) + '\n'), 0);
    l.trailer.directoryAt = lastAt + Buffer.byteLength(JSON.stringify(last) + '\n');
    const inside = SCELLE_LAYOUT.segmentPlaintextStart(SCELLE_LAYOUT.segmentOf(lastAt) + 1) + 10;
    l.directory.push({ at: inside, path: 'd' });
    expect(() => fullPass(forged([l.header, ...l.entries, ...l.directory, l.trailer], key), key)).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/names more segments than the entries fill/) }),
    );
  });
  for (const [name, mutate, message] of cases) {
    it(`refuses ${name}`, () => {
      const l = multiSegmentLines(12_000);
      mutate(l);
      expect(() => open(l)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(message) }));
    });
  }
});

describe('lookups of names that need escaping or are not UTF-8', () => {
  it('find each one by its exact bytes', () => {
    const odd = ['a "quoted" name', 'back\\slash', 'new\nline', 'tab\tand\u0001ctl', 'été ☃ 𝄞', 'zz'];
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    const entries: IndexEntry[] = odd.map((name) => ({ path: `d/${name}`, type: 'file' as const, size: 0, mode: 0o644, mtime: 0, offset: 0, sha256: sha }));
    entries.push({
      path: `d/${latin1.toString('utf8')}`,
      pathBytes: Buffer.concat([Buffer.from('d/'), latin1]).toString('base64'),
      type: 'file',
      size: 0,
      mode: 0o644,
      mtime: 0,
      offset: 0,
      sha256: sha,
    });
    entries.sort((a, b) =>
      compareEntryPaths(Buffer.from(a.pathBytes ?? Buffer.from(a.path).toString('base64'), 'base64'), Buffer.from(b.pathBytes ?? Buffer.from(b.path).toString('base64'), 'base64')),
    );
    entries.forEach((e, i) => {
      e.offset = 512 + i * 1024;
    });
    entries.push({ path: 'd', type: 'directory', size: 0, mode: 0o755, mtime: 0, offset: 512 + entries.length * 1024, entries: entries.length, files: entries.length, bytes: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'scelle-index-odd-'));
    try {
      const { file, key } = writeIndex(entries, entries.length * 1024 + 2048, dir);
      const reader = IndexReader.open(fileSource(file), key, DRIVE);
      for (const name of odd) expect(reader.find(Buffer.from(`d/${name}`))).toMatchObject({ path: `d/${name}` });
      expect(reader.find(Buffer.concat([Buffer.from('d/'), latin1]))).toMatchObject({ pathBytes: expect.any(String) });
      expect(reader.find(Buffer.from('d/missing'))).toBeNull();
      expect([...reader.children(Buffer.from('d'))]).toHaveLength(odd.length + 1);
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lines are read a segment at a time', () => {
  it('keeps byte offsets exact for names outside ASCII across many segments', () => {
    const { entries, totalSize } = syntheticTree(150, 100);
    const accented = entries.map((e) => ({ ...e, path: e.path.replace(/^top/, 'été-☃').replace(/file-/, 'fichier-𝄞-') }));
    accented.sort((a, b) => compareEntryPaths(Buffer.from(a.path), Buffer.from(b.path)));
    accented.forEach((e, i) => {
      e.offset = entries[i]!.offset;
    });
    const dir = mkdtempSync(join(tmpdir(), 'scelle-index-utf8-'));
    try {
      const { file, key } = writeIndex(accented, totalSize, dir);
      const reader = IndexReader.open(fileSource(file), key, DRIVE);
      expect(reader.directory.length).toBeGreaterThan(2);
      // The full pass checks that the directory names each segment's first line at its byte offset.
      const checker = new IndexChecker(reader);
      for (const { at, entry } of reader.scan(reader.entriesAt)) checker.add(at, entry);
      expect(checker.finish().entries).toBe(accented.length);
      for (const e of [accented[1]!, accented[accented.length >> 1]!, accented[accented.length - 2]!]) expect(reader.find(Buffer.from(e.path))).toMatchObject({ path: e.path });
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Header and entry lines, the third line's bytes replaced by `third`, encrypted. */
  function withThirdLine(third: Buffer): { source: IndexSource; key: Uint8Array; thirdAt: number } {
    const key = randomBytes(32);
    const lines = smallIndexLines().map((l) => Buffer.from(JSON.stringify(l) + '\n'));
    const thirdAt = lines[0]!.length + lines[1]!.length;
    const delta = third.length + 1 - lines[2]!.length;
    lines[2] = Buffer.concat([third, Buffer.from('\n')]);
    // The trailer (last line) points past the entries: it moves with the third line's length.
    const trailer = JSON.parse(lines[lines.length - 1]!.toString()) as { directoryAt: number };
    trailer.directoryAt += delta;
    lines[lines.length - 1] = Buffer.from(JSON.stringify(trailer) + '\n');
    return { source: bufferSource(encryptStream(key, indexAssociatedData(DRIVE), Buffer.concat(lines))), key, thirdAt };
  }

  it('gives the lines before one that is not UTF-8, then names it by its offset', () => {
    const { source, key, thirdAt } = withThirdLine(Buffer.from([0x7b, 0xff, 0x7d]));
    const reader = IndexReader.open(source, key, DRIVE);
    const seen: string[] = [];
    expect(() => {
      for (const e of reader.entries()) seen.push(e.path);
    }).toThrow(`a line at offset ${thirdAt} is not valid UTF-8`);
    expect(seen).toHaveLength(1);
  });

  it('refuses a blank line among lines that are not UTF-8, naming the blank line by its offset', () => {
    const key = randomBytes(32);
    const lines = smallIndexLines().map((l) => Buffer.from(JSON.stringify(l) + '\n'));
    const blankAt = lines[0]!.length + lines[1]!.length;
    // Read line by line (the region holds bytes that are not UTF-8): the blank line comes first.
    const delta = 1 + 4 - lines[2]!.length - lines[3]!.length;
    lines[2] = Buffer.from('\n');
    lines[3] = Buffer.from([0x7b, 0xff, 0x7d, 0x0a]);
    // The trailer (last line) points past the entries: it moves with their length.
    const trailer = JSON.parse(lines[lines.length - 1]!.toString()) as { directoryAt: number };
    trailer.directoryAt += delta;
    lines[lines.length - 1] = Buffer.from(JSON.stringify(trailer) + '\n');
    const reader = IndexReader.open(bufferSource(encryptStream(key, indexAssociatedData(DRIVE), Buffer.concat(lines))), key, DRIVE);
    expect(() => [...reader.entries()]).toThrow(`blank line at offset ${blankAt}`);
  });
  it('refuses a blank line, naming its offset', () => {
    const { source, key, thirdAt } = withThirdLine(Buffer.alloc(0));
    const reader = IndexReader.open(source, key, DRIVE);
    expect(() => [...reader.entries()]).toThrow(`blank line at offset ${thirdAt}`);
  });
});

describe('whole-index checks (each fails when its check is removed)', () => {
  const key = randomBytes(32);
  it('a consistent forged index passes', () => {
    expect(fullPass(forged(smallIndexLines(), key), key).entries).toBe(11);
  });
  const cases: [string, (es: Record<string, unknown>[], t: Record<string, unknown>) => void, RegExp][] = [
    [
      'two entries swapped',
      (es) => {
        [es[1], es[2]] = [es[2]!, es[1]!];
      },
      /out of order/,
    ],
    [
      'a repeated entry',
      (es) => {
        es.splice(2, 0, { ...es[1]! });
      },
      /out of order or repeated/,
    ],
    [
      'tar offsets going backwards',
      (es) => {
        es[3]!.offset = 512;
      },
      /tar offset/,
    ],
    [
      'content beyond the tar stream',
      (es, t) => {
        es[es.length - 3]!.offset = t.totalSize as number;
      },
      /beyond the end/,
    ],
    [
      'a folder whose totals differ from what lies below it',
      (es) => {
        es.find((e) => e.path === 'top/d0001')!.files = 2;
      },
      /totals/,
    ],
    [
      'entries below a file',
      (es) => {
        const f = es.find((e) => e.path === 'top/d0001')!;
        Object.assign(f, { type: 'file', sha256: sha, entries: undefined, files: undefined, bytes: undefined });
      },
      /is a file, yet entries lie below it/,
    ],
    [
      'entries below a folder the index does not list',
      (es) => {
        es.splice(
          es.findIndex((e) => e.path === 'top'),
          1,
        );
      },
      /does not list as a folder/,
    ],
    [
      'a trailer counting another number of files',
      (_es, t) => {
        t.files = 5;
      },
      /trailer says 5 files/,
    ],
    [
      'a trailer counting other bytes',
      (_es, t) => {
        t.bytes = 7;
      },
      /trailer says 7 bytes/,
    ],
    [
      'a trailer counting another number of entries',
      (_es, t) => {
        t.entries = 12;
      },
      /directoryAt|entries/,
    ],
  ];
  for (const [name, mutate, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(() => fullPass(forged(smallIndexLines(mutate), key), key)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(message) }));
    });
  }
  it('refuses an entry that goes back into a folder already finished (as out of order)', () => {
    const lines = smallIndexLines((es) => {
      // top/d0000/file-00000.txt moved after the files of top/d0001: its folder's block was closed.
      const from = es.findIndex((e) => e.path === 'top/d0000/file-00000.txt');
      const [moved] = es.splice(from, 1);
      es.splice(es.findIndex((e) => e.path === 'top/d0001/file-00002.txt') + 1, 0, moved!);
    });
    expect(() => fullPass(forged(lines, key), key)).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/"top\/d0000\/file-00000.txt" is out of order/) }),
    );
  });
  it('refuses a directory that does not name the first entry of its segment', () => {
    const lines = smallIndexLines() as Record<string, unknown>[];
    const dir = lines.find((l) => 'at' in l)!;
    dir.path = 'top/d0000/file-00001.txt';
    expect(() => fullPass(forged(lines, key), key)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/directory/) }));
    dir.path = lines[1]!.path;
    dir.at = (dir.at as number) + 1;
    expect(() => fullPass(forged(lines, key), key)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/directory/) }));
  });
  it('refuses an empty index, and a header naming another drive in an index encrypted for this one', () => {
    const empty = bufferSource(encryptStream(key, indexAssociatedData(DRIVE), Buffer.alloc(0)));
    expect(() => IndexReader.open(empty, key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/is empty/) }));
    const lines = smallIndexLines() as Record<string, unknown>[];
    lines[0]!.driveId = 'OTHERDRIVE';
    expect(() => IndexReader.open(forged(lines, key), key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/another drive/) }));
  });
  it('reports an index of another format version as unsupported (E_FORMAT_UNSUPPORTED), not as one that does not authenticate', () => {
    const lines = smallIndexLines() as Record<string, unknown>[];
    lines[0]!.format = 'scelle/2';
    expect(() => IndexReader.open(forged(lines, key), key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_UNSUPPORTED', details: { format: 'scelle/2' } }));
  });
  it('refuses, when opening, a trailer counting no entries over entry lines (with no directory to contradict it)', () => {
    const lines = (smallIndexLines() as Record<string, unknown>[]).filter((l) => !('at' in l));
    Object.assign(lines.at(-1)!, { entries: 0, files: 0, bytes: 0 });
    expect(() => IndexReader.open(forged(lines, key), key, DRIVE)).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/entry count disagrees/) }),
    );
  });
  it('refuses an index file that gives fewer bytes than its size (cut short while read)', () => {
    const whole = encryptStream(
      key,
      indexAssociatedData(DRIVE),
      Buffer.from(
        smallIndexLines()
          .map((l) => JSON.stringify(l) + '\n')
          .join(''),
      ),
    );
    const bytes = Buffer.from(whole.buffer, whole.byteOffset, whole.length);
    const cutShort: IndexSource = { size: bytes.length, readAt: (p, n) => bytes.subarray(p, Math.min(bytes.length - 1, p + n)), close: () => undefined };
    expect(() => IndexReader.open(cutShort, key, DRIVE)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/shorter than its size/) }));
  });
  it('refuses a trailer whose directory offset lies outside the index, and a missing trailer', () => {
    const lines = smallIndexLines() as Record<string, unknown>[];
    (lines.at(-1) as Record<string, unknown>).directoryAt = 10;
    expect(() => fullPass(forged(lines, key), key)).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX' }));
    expect(() => fullPass(forged(smallIndexLines().slice(0, -1), key), key)).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/trailer/) }),
    );
  });
});
