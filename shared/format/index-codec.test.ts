import { describe, expect, it } from 'vitest';
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry } from '../engine/api.js';
import { type IndexHeader, encodeIndexEntry, encodeIndexHeader, indexEntrySchema, parseIndex, parseIndexEntryLine } from './index-codec.js';

const header: IndexHeader = { format: 'scelle/1', driveId: 'DRIVE1', parts: 3, partSizes: [4096, 4096, 2048], totalSize: 10240, files: 2, bytes: 1500 };
const sha = (c: string) => c.repeat(64);
// Non-UTF-8 name: "caf\xe9.txt" (Latin-1 é) inside "docs".
const latin1Name = Buffer.from([0x64, 0x6f, 0x63, 0x73, 0x2f, 0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]);
const entries: IndexEntry[] = [
  { path: 'docs', type: 'directory', size: 0, mode: 0o755, mtime: 1735689600000, offset: 512 },
  { path: 'docs/été 2024.txt', type: 'file', size: 1000, mode: 0o644, mtime: 1735689600123.5, offset: 1536, sha256: sha('a') },
  { path: latin1Name.toString('utf8'), pathBytes: latin1Name.toString('base64'), type: 'file', size: 500, mode: 0o600, mtime: -1000, offset: 3584, sha256: sha('b') },
  { path: 'docs/lien', type: 'symlink', size: 0, mode: 0o777, mtime: 0, linkTarget: 'été 2024.txt', offset: 4608 },
];

const encode = (h: IndexHeader, es: IndexEntry[]) => encodeIndexHeader(h) + es.map(encodeIndexEntry).join('');

function indexError(text: string | Uint8Array, expected?: { driveId?: string; parts?: number }): ScelleError {
  try {
    parseIndex(text, expected);
  } catch (e) {
    if (e instanceof ScelleError) return e;
    throw e;
  }
  throw new Error('index accepted');
}

describe('encoding', () => {
  it('writes one JSON line per record, keys in the documented order', () => {
    const text = encode(header, entries);
    const lines = text.split('\n');
    expect(lines).toHaveLength(entries.length + 2);
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('{"format":"scelle/1","driveId":"DRIVE1","parts":3,"partSizes":[4096,4096,2048],"totalSize":10240,"files":2,"bytes":1500}');
    expect(Object.keys(JSON.parse(lines[3]!))).toEqual(['path', 'pathBytes', 'type', 'size', 'mode', 'mtime', 'offset', 'sha256']);
    expect(Object.keys(JSON.parse(lines[4]!))).toEqual(['path', 'type', 'size', 'mode', 'mtime', 'linkTarget', 'offset']);
  });

  it('does not depend on the key order of the objects', () => {
    const reversed = entries.map((e) => Object.fromEntries(Object.entries(e).reverse()) as unknown as IndexEntry);
    expect(encode(header, reversed)).toBe(encode(header, entries));
  });

  it('escapes names with newlines and quotes so each record stays on one line', () => {
    const odd: IndexEntry = { path: 'a\n"b"\\c', type: 'file', size: 0, mode: 0o644, mtime: 0, offset: 512, sha256: sha('c') };
    const line = encodeIndexEntry(odd);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line).path).toBe(odd.path);
  });

  it('refuses to encode invalid records', () => {
    const bad: [IndexHeader | IndexEntry, RegExp][] = [
      [{ ...header, totalSize: 1 }, /totalSize/],
      [{ ...header, parts: 2 }, /partSizes/],
      [{ ...entries[1]!, sha256: undefined }, /sha256/],
      [{ ...entries[0]!, path: '/etc/passwd' }, /path/],
    ];
    for (const [record, where] of bad) {
      const fn = 'format' in record ? () => encodeIndexHeader(record) : () => encodeIndexEntry(record);
      expect(fn).toThrow(expect.objectContaining({ code: 'E_FORMAT_INDEX', message: expect.stringMatching(where) }));
    }
  });
});

describe('parseIndex', () => {
  it('round-trips header and entries, from text or UTF-8 bytes', () => {
    const text = encode(header, entries);
    expect(parseIndex(text)).toEqual({ header, entries });
    expect(parseIndex(new TextEncoder().encode(text), { driveId: 'DRIVE1', parts: 3 })).toEqual({ header, entries });
  });

  it('keeps the exact bytes of a non-UTF-8 name', () => {
    const e = parseIndex(encode(header, entries)).entries[2]!;
    expect(Buffer.from(e.pathBytes!, 'base64')).toEqual(latin1Name);
    expect(e.path).toBe('docs/caf\uFFFD.txt');
  });

  it('accepts a single-part index with a header and no entries', () => {
    const h: IndexHeader = { ...header, parts: 1, partSizes: [1024], totalSize: 1024, files: 0, bytes: 0 };
    expect(parseIndex(encodeIndexHeader(h))).toEqual({ header: h, entries: [] });
  });

  it('ignores unknown fields', () => {
    const lines = encode(header, entries).split('\n');
    lines[1] = lines[1]!.replace('{', '{"future":true,');
    expect(parseIndex(lines.join('\n')).entries[0]).toEqual(entries[0]);
  });

  /** Replaces line `n` (1-based) of a valid index with `mutate(record)`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating parsed JSON of any shape
  function withLine(n: number, mutate: (r: Record<string, any>) => void): string {
    const lines = encode(header, entries).split('\n');
    const record = JSON.parse(lines[n - 1]!);
    mutate(record);
    lines[n - 1] = JSON.stringify(record);
    return lines.join('\n');
  }

  const broken: [string, string, number | undefined, RegExp][] = [
    ['sizes not adding up', withLine(1, (h) => (h.totalSize = 10241)), 1, /totalSize/],
    ['parts not matching partSizes', withLine(1, (h) => (h.parts = 2)), 1, /partSizes/],
    ['a middle part of another size', withLine(1, (h) => ((h.partSizes = [4096, 2048, 4096]), (h.totalSize = 10240))), 1, /same size/],
    ['an empty last part', withLine(1, (h) => ((h.partSizes = [5120, 5120, 0]), (h.totalSize = 10240))), 1, /last part/],
    ['a wrong driveId', withLine(1, (h) => (h.driveId = 'a b')), 1, /driveId/],
    ['a file count off by one', withLine(1, (h) => (h.files = 3)), undefined, /3 files/],
    ['a byte count off', withLine(1, (h) => (h.bytes = 1499)), undefined, /1499 bytes/],
    ['an absolute path', withLine(2, (e) => (e.path = '/docs')), 2, /path/],
    ['a ".." segment', withLine(3, (e) => (e.path = 'docs/../../x')), 3, /path/],
    ['a trailing slash', withLine(2, (e) => (e.path = 'docs/')), 2, /path/],
    ['a NUL in a path', withLine(2, (e) => (e.path = 'do\0cs')), 2, /path/],
    ['an unknown type', withLine(2, (e) => (e.type = 'fifo')), 2, /type/],
    ['a file without sha256', withLine(3, (e) => delete e.sha256), 3, /sha256/],
    ['a directory with a size', withLine(2, (e) => (e.size = 4096)), 2, /size/],
    ['a symlink without target', withLine(5, (e) => delete e.linkTarget), 5, /linkTarget/],
    ['a file with a link target', withLine(3, (e) => (e.linkTarget = 'x')), 3, /linkTarget/],
    ['a mode beyond permission bits', withLine(3, (e) => (e.mode = 0o100644)), 3, /mode/],
    ['a size as string', withLine(3, (e) => (e.size = '1000')), 3, /size/],
    ['a misaligned offset', withLine(3, (e) => (e.offset = 1537)), 3, /512/],
    ['content beyond the stream', withLine(3, (e) => (e.offset = 9728)), 3, /beyond/],
    ['pathBytes for a valid UTF-8 name', withLine(3, (e) => (e.pathBytes = Buffer.from(e.path).toString('base64'))), 3, /pathBytes/],
    ['pathBytes with a ".." segment', withLine(4, (e) => (e.pathBytes = Buffer.from([0x2e, 0x2e, 0x2f, 0xe9]).toString('base64'))), 4, /pathBytes/],
    ['a duplicate path', withLine(3, (e) => (e.path = 'docs')), 3, /duplicate/],
    ['a line that is not JSON', encode(header, entries).replace('"type":"symlink"', '"type":symlink'), 5, /not valid JSON/],
    ['a line that is an array', encode(header, entries.slice(0, 1)) + '[]\n', 3, /not a JSON object/],
    ['a blank line', encode(header, entries).replace('\n', '\n\n'), 2, /blank/],
  ];
  for (const [name, text, line, where] of broken) {
    it(`rejects ${name} with E_FORMAT_INDEX${line ? ` at line ${line}` : ''}`, () => {
      const e = indexError(text);
      expect(e.code).toBe('E_FORMAT_INDEX');
      expect(e.message).toMatch(where);
      expect(e.details.line).toBe(line);
      if (line !== undefined) expect(e.message).toContain(`line ${line}`);
    });
  }

  it('rejects a truncated, empty or non-UTF-8 index', () => {
    const text = encode(header, entries);
    expect(indexError(text.slice(0, -1)).message).toMatch(/newline/);
    expect(indexError(text.slice(0, -30)).message).toMatch(/newline/);
    expect(indexError('').message).toMatch(/empty/);
    expect(indexError(Uint8Array.from([...Buffer.from(text.slice(0, 5)), 0xff, 0x0a])).message).toMatch(/UTF-8/);
    // Dropping whole trailing lines is caught by the header counts.
    const cut = text.split('\n').slice(0, 3).join('\n') + '\n';
    expect(indexError(cut).message).toMatch(/files/);
  });

  it('checks the header against what the manifest says', () => {
    const text = encode(header, entries);
    expect(indexError(text, { driveId: 'OTHER' }).message).toMatch(/driveId/);
    expect(indexError(text, { parts: 4 }).message).toMatch(/3 parts/);
  });

  it('reports another format as E_FORMAT_UNSUPPORTED', () => {
    const text = encode(header, entries).replace('"scelle/1"', '"scelle/2"');
    expect(indexError(text).code).toBe('E_FORMAT_UNSUPPORTED');
    // Also when "format" is not the first key (an independent writer may order keys differently).
    const formatLast = JSON.stringify({ ...header, format: undefined }).replace(/}$/, ',"format":"scelle/9"}') + '\n';
    expect(indexError(formatLast).code).toBe('E_FORMAT_UNSUPPORTED');
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
  };
  const keys = Object.keys(pools);
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  it('on 20,000 mutated entries', () => {
    const big: IndexHeader = { ...header, totalSize: Number.MAX_SAFE_INTEGER };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const base: Record<string, unknown> = rand(2) === 0
        ? { path: 'docs/a.txt', type: 'file', size: 10, mode: 0o644, mtime: 5, offset: 512, sha256: sha('c') }
        : { path: 'docs', type: 'directory', size: 0, mode: 0o755, mtime: 5, offset: 512 };
      for (let k = rand(3); k >= 0; k--) {
        const key = keys[rand(keys.length)]!;
        const pool = pools[key]!;
        base[key] = pool[rand(pool.length)];
      }
      const line = JSON.stringify(base);
      const parsed = JSON.parse(line) as unknown;
      const bySchema = indexEntrySchema.safeParse(parsed);
      const schemaOk = bySchema.success && bySchema.data.offset + bySchema.data.size <= big.totalSize;
      let fastOk = true;
      let got: IndexEntry | null = null;
      try {
        got = parseIndexEntryLine(line, 2, big);
      } catch (e) {
        expect(e).toBeInstanceOf(ScelleError);
        fastOk = false;
      }
      expect({ line, ok: fastOk }).toEqual({ line, ok: schemaOk });
      if (got && bySchema.success) {
        expect(got).toEqual(bySchema.data);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
