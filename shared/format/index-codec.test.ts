import { describe, expect, it } from 'vitest';
import { ScelleError } from '../errors/scelle-error.js';
import {
  type IndexTrailer,
  encodeIndexDirectoryLine,
  encodeIndexEntry,
  encodeIndexHeader,
  encodeIndexTrailer,
  indexEntrySchema,
  parseIndexDirectoryLine,
  parseIndexEntryLine,
  parseIndexHeaderLine,
  parseIndexTrailerLine,
} from './index-codec.js';
import { type IndexEntry, encodeWalkedEntry } from './index-line.js';

const trailer: IndexTrailer = { trailer: 'scelle/1', parts: 3, partSizes: [4096, 4096, 2048], totalSize: 10240, entries: 4, files: 2, bytes: 1500, directoryAt: 900 };
const sha = (c: string) => c.repeat(64);
// Non-UTF-8 name: "caf\xe9.txt" (Latin-1 é) inside "docs".
const latin1Name = Buffer.from([0x64, 0x6f, 0x63, 0x73, 0x2f, 0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]);
const entries: IndexEntry[] = [
  { path: 'docs/été 2024.txt', type: 'file', size: 1000, mode: 0o644, mtime: 1735689600123.5, offset: 512, sha256: sha('a') },
  { path: latin1Name.toString('utf8'), pathBytes: latin1Name.toString('base64'), type: 'file', size: 500, mode: 0o600, mtime: -1000, offset: 2048, sha256: sha('b') },
  { path: 'docs/lien', type: 'symlink', size: 0, mode: 0o777, mtime: 0, linkTarget: 'été 2024.txt', offset: 3072 },
  { path: 'docs', type: 'directory', size: 0, mode: 0o755, mtime: 1735689600000, offset: 3584, entries: 3, files: 2, bytes: 1500 },
];

function thrown(fn: () => unknown): ScelleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScelleError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('encoding', () => {
  it('writes one JSON line per record, keys in the documented order', () => {
    expect(encodeIndexHeader({ format: 'scelle/1', driveId: 'DRIVE1' })).toBe('{"format":"scelle/1","driveId":"DRIVE1"}\n');
    expect(Object.keys(JSON.parse(encodeIndexEntry(entries[1]!)))).toEqual(['path', 'pathBytes', 'type', 'size', 'mode', 'mtime', 'offset', 'sha256']);
    expect(Object.keys(JSON.parse(encodeIndexEntry(entries[2]!)))).toEqual(['path', 'type', 'size', 'mode', 'mtime', 'linkTarget', 'offset']);
    expect(Object.keys(JSON.parse(encodeIndexEntry(entries[3]!)))).toEqual(['path', 'type', 'size', 'mode', 'mtime', 'offset', 'entries', 'files', 'bytes']);
    expect(encodeIndexTrailer(trailer)).toBe(
      '{"trailer":"scelle/1","parts":3,"partSizes":[4096,4096,2048],"totalSize":10240,"entries":4,"files":2,"bytes":1500,"directoryAt":900}\n',
    );
    expect(encodeIndexDirectoryLine({ at: 51, path: 'docs/a' })).toBe('{"at":51,"path":"docs/a"}\n');
  });

  it('does not depend on the key order of the objects', () => {
    for (const e of entries) {
      const reversed = Object.fromEntries(Object.entries(e).reverse()) as unknown as IndexEntry;
      expect(encodeIndexEntry(reversed)).toBe(encodeIndexEntry(e));
    }
  });

  it('encodes walked files and folders to exactly the bytes of encodeIndexEntry', () => {
    const cases: IndexEntry[] = [
      entries[0]!,
      entries[3]!,
      { path: 'a "quoted"\\name\u0001', type: 'file', size: 7, mode: 0o600, mtime: 1e-7, offset: 1024, sha256: sha('d') },
      { path: 'x', type: 'directory', size: 0, mode: 0, mtime: -1.5, offset: 0, entries: 0, files: 0, bytes: 0 },
      { path: 'y', type: 'file', size: 0, mode: 0o7777, mtime: 1796235034841.3906, offset: 512, sha256: sha('e') },
    ];
    for (const e of cases) {
      const walked = encodeWalkedEntry(
        e.path,
        e.type as 'file' | 'directory',
        e.size,
        e.mode,
        e.mtime,
        e.offset,
        e.sha256 ?? { entries: e.entries!, files: e.files!, bytes: e.bytes! },
      );
      expect(walked).toBe(encodeIndexEntry(e));
    }
  });

  it('escapes names with newlines and quotes so each record stays on one line', () => {
    const odd: IndexEntry = { path: 'a\n"b"\\c', type: 'file', size: 0, mode: 0o644, mtime: 0, offset: 512, sha256: sha('c') };
    const line = encodeIndexEntry(odd);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line).path).toBe(odd.path);
  });

  it('refuses to encode invalid records', () => {
    expect(() => encodeIndexTrailer({ ...trailer, totalSize: 1 })).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/totalSize/) }));
    expect(() => encodeIndexTrailer({ ...trailer, parts: 2 })).toThrow(expect.objectContaining({ message: expect.stringMatching(/partSizes/) }));
    expect(() => encodeIndexEntry({ ...entries[0]!, sha256: undefined })).toThrow(expect.objectContaining({ message: expect.stringMatching(/sha256/) }));
    expect(() => encodeIndexEntry({ ...entries[0]!, path: '/etc/passwd' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/path/) }));
    expect(() => encodeIndexEntry({ ...entries[3]!, entries: undefined })).toThrow(expect.objectContaining({ message: expect.stringMatching(/entries/) }));
    expect(() => encodeIndexHeader({ format: 'scelle/1', driveId: 'not a drive id' })).toThrow(
      expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(/driveId/) }),
    );
  });
});

describe('parsing', () => {
  it('round-trips every kind of line', () => {
    for (const e of entries) expect(parseIndexEntryLine(encodeIndexEntry(e).slice(0, -1))).toEqual(e);
    expect(parseIndexTrailerLine(encodeIndexTrailer(trailer).slice(0, -1))).toEqual(trailer);
    expect(parseIndexHeaderLine('{"format":"scelle/1","driveId":"D1"}')).toEqual({ format: 'scelle/1', driveId: 'D1' });
    expect(parseIndexDirectoryLine('{"at":51,"path":"a/b"}')).toEqual({ at: 51, path: 'a/b' });
  });

  it('keeps the exact bytes of a non-UTF-8 name', () => {
    const e = parseIndexEntryLine(encodeIndexEntry(entries[1]!).slice(0, -1));
    expect(Buffer.from(e.pathBytes!, 'base64')).toEqual(latin1Name);
    expect(e.path).toBe('docs/caf\uFFFD.txt');
  });

  it('ignores unknown fields', () => {
    expect(parseIndexEntryLine(encodeIndexEntry(entries[0]!).replace('{', '{"future":true,').slice(0, -1))).toEqual(entries[0]);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating parsed JSON of any shape
  const entryWith = (i: number, mutate: (r: Record<string, any>) => void) => {
    const r = JSON.parse(encodeIndexEntry(entries[i]!));
    mutate(r);
    return JSON.stringify(r);
  };
  const brokenEntries: [string, string, RegExp][] = [
    ['an absolute path', entryWith(0, (e) => (e.path = '/docs')), /path/],
    ['a ".." segment', entryWith(0, (e) => (e.path = 'docs/../../x')), /path/],
    ['a trailing slash', entryWith(3, (e) => (e.path = 'docs/')), /path/],
    ['a NUL in a path', entryWith(3, (e) => (e.path = 'do\0cs')), /path/],
    ['an unknown type', entryWith(3, (e) => (e.type = 'fifo')), /type/],
    ['a file without sha256', entryWith(0, (e) => delete e.sha256), /sha256/],
    ['a folder with a size', entryWith(3, (e) => (e.size = 4096)), /size/],
    ['a folder without totals', entryWith(3, (e) => delete e.bytes), /entries/],
    ['a folder with more files than entries', entryWith(3, (e) => (e.files = 4)), /files/],
    ['a file with folder totals', entryWith(0, (e) => (e.entries = 1)), /entries/],
    ['a symlink without target', entryWith(2, (e) => delete e.linkTarget), /linkTarget/],
    ['a file with a link target', entryWith(0, (e) => (e.linkTarget = 'x')), /linkTarget/],
    ['a mode beyond permission bits', entryWith(0, (e) => (e.mode = 0o100644)), /mode/],
    ['a size as string', entryWith(0, (e) => (e.size = '1000')), /size/],
    ['a misaligned offset', entryWith(0, (e) => (e.offset = 1537)), /512/],
    ['pathBytes for a valid UTF-8 name', entryWith(0, (e) => (e.pathBytes = Buffer.from(e.path).toString('base64'))), /pathBytes/],
    ['pathBytes with a ".." segment', entryWith(1, (e) => (e.pathBytes = Buffer.from([0x2e, 0x2e, 0x2f, 0xe9]).toString('base64'))), /pathBytes/],
    ['a line that is not JSON', '{"path":x}', /not valid JSON/],
    ['a line that is an array', '[]', /not a JSON object/],
  ];
  for (const [name, line, where] of brokenEntries) {
    it(`rejects an entry with ${name} (E_FORMAT_INDEX naming the line)`, () => {
      const e = thrown(() => parseIndexEntryLine(line, 7));
      expect(e.code).toBe('E_FORMAT_INDEX');
      expect(e.message).toMatch(where);
      expect(e.details.line).toBe(7);
    });
  }

  const trailerWith = (t: Partial<IndexTrailer>) => JSON.stringify({ ...trailer, ...t });
  const brokenTrailers: [string, string, RegExp][] = [
    ['sizes not adding up', trailerWith({ totalSize: 10241 }), /totalSize/],
    ['parts not matching partSizes', trailerWith({ parts: 2 }), /partSizes/],
    ['a middle part of another size', trailerWith({ partSizes: [4096, 2048, 4096] }), /same size/],
    ['an empty last part', trailerWith({ partSizes: [5120, 5120, 0] }), /last part/],
    ['more bytes than the stream', trailerWith({ bytes: 20000 }), /bytes/],
    ['more files than entries', trailerWith({ files: 5 }), /files/],
    ['no directory offset', JSON.stringify({ ...trailer, directoryAt: undefined }), /directoryAt/],
    ['zero parts', trailerWith({ parts: 0, partSizes: [] }), /parts/],
  ];
  for (const [name, line, where] of brokenTrailers) {
    it(`rejects a trailer with ${name}`, () => {
      const e = thrown(() => parseIndexTrailerLine(line));
      expect(e.code).toBe('E_FORMAT_INDEX');
      expect(e.message).toMatch(where);
    });
  }

  it('rejects a header of another drive id shape, the earlier layout, or another format', () => {
    expect(thrown(() => parseIndexHeaderLine('{"format":"scelle/1","driveId":"a b"}')).message).toMatch(/driveId/);
    expect(thrown(() => parseIndexHeaderLine('{"format":"scelle/1","driveId":"D","parts":1,"partSizes":[5]}')).message).toMatch(/earlier development version/);
    expect(thrown(() => parseIndexHeaderLine('{"format":"scelle/2","driveId":"D"}')).code).toBe('E_FORMAT_UNSUPPORTED');
    expect(thrown(() => parseIndexHeaderLine('{"driveId":"D","format":"scelle/9"}')).code).toBe('E_FORMAT_UNSUPPORTED');
  });
});

describe('the fast check of plain entries agrees with the schema', () => {
  // Values chosen to sit on every rule's edge; each mutated entry is judged by the schema and
  // by parseIndexEntryLine (which takes a faster path for plain files and folders).
  const pools: Record<string, unknown[]> = {
    path: ['a', 'a/b', 'été/x', '', '/a', 'a/', 'a//b', '.', '..', 'a/./b', 'a/../b', '..a', 'a.', 'a\0b', '\ud800', 7, null],
    type: ['file', 'directory', 'symlink', 'fifo', 1],
    size: [0, 1, 1000, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, '1'],
    mode: [0, 0o644, 0o7777, 0o10000, -1, 1.5, '0644'],
    mtime: [0, -1000, 1.5, 1e300, '1', null],
    offset: [0, 512, 513, -512, 1.5, '512'],
    sha256: [undefined, sha('a'), sha('A'), 'ab', sha('g'), 5],
    pathBytes: [undefined, undefined, undefined, 'AA==', ''],
    linkTarget: [undefined, undefined, undefined, 'x'],
    entries: [undefined, undefined, 0, 3, -1, 1.5],
    files: [undefined, undefined, 0, 2, 4, '1'],
    bytes: [undefined, undefined, 0, 10, -5],
  };
  const keys = Object.keys(pools);
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  it('on 20,000 mutated entries', () => {
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const base: Record<string, unknown> =
        rand(2) === 0
          ? { path: 'docs/a.txt', type: 'file', size: 10, mode: 0o644, mtime: 5, offset: 512, sha256: sha('c') }
          : { path: 'docs', type: 'directory', size: 0, mode: 0o755, mtime: 5, offset: 512, entries: 3, files: 2, bytes: 10 };
      for (let k = rand(3); k >= 0; k--) {
        const key = keys[rand(keys.length)]!;
        const pool = pools[key]!;
        base[key] = pool[rand(pool.length)];
      }
      const line = JSON.stringify(base);
      const bySchema = indexEntrySchema.safeParse(JSON.parse(line) as unknown);
      let fastOk = true;
      let got: IndexEntry | null = null;
      try {
        got = parseIndexEntryLine(line, 2);
      } catch (e) {
        expect(e).toBeInstanceOf(ScelleError);
        fastOk = false;
      }
      expect({ line, ok: fastOk }).toEqual({ line, ok: bySchema.success });
      if (got && bySchema.success) {
        expect(got).toEqual(bySchema.data);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
