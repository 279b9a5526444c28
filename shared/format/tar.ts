/**
 * The minimal POSIX pax tar codec scelle/1 needs: headers for regular files, directories
 * and symbolic links, with a pax extended header ('x') only when ustar cannot hold a field
 * (long or non-ASCII names, link targets, sizes of 8 GiB and more). Names are bytes: a name
 * that is not valid UTF-8 is written with `hdrcharset=BINARY`, as POSIX allows.
 * Reading is used by verify to check that the tar stream matches the index.
 */
import { isUtf8 as bufferIsUtf8 } from 'node:buffer';
import { ScelleError } from '../errors/scelle-error.js';

export const BLOCK = 512;
const USTAR_SIZE_LIMIT = 0o77777777777; // 8 GiB - 1

/** Kinds of entries scelle/1 stores. */
export type TarEntryType = 'file' | 'directory' | 'symlink';

/** What a tar header says about one entry. */
export interface TarHeader {
  /** Name bytes, relative, '/'-separated, without a trailing slash. */
  path: Uint8Array;
  type: TarEntryType;
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget?: Uint8Array;
}

/** True when `bytes` is valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  return bufferIsUtf8(bytes);
}

function isPlainAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return false;
  return true;
}

/** End of the ustar fields a plain header fills (name … version); uname, gname, devices and prefix stay zero. */
const USTAR_FIELDS_END = 265;

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const s = Math.floor(value)
    .toString(8)
    .padStart(width - 1, '0');
  block.write(s, offset, width - 1, 'ascii');
  block[offset + width - 1] = 0;
}

function paxRecord(key: string, value: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'ascii'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'ascii'), body]);
}

function ustarBlock(name: Uint8Array, typeflag: string, size: number, mode: number, mtime: number, linkname: Uint8Array): Buffer {
  const block = Buffer.alloc(BLOCK);
  Buffer.from(name).copy(block, 0, 0, Math.min(100, name.length));
  writeOctal(block, 100, 8, mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.max(0, Math.min(mtime, USTAR_SIZE_LIMIT)));
  block.write('        ', 148, 8, 'ascii');
  block.write(typeflag, 156, 1, 'ascii');
  Buffer.from(linkname).copy(block, 157, 0, Math.min(100, linkname.length));
  block.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
  return block;
}

/**
 * Encodes the header block(s) of one entry: an optional pax extended header and its
 * records, then the ustar header. The entry's data (files only) follows, padded to 512.
 */
export function encodeTarHeader(h: TarHeader): Buffer {
  const name = h.type === 'directory' ? Buffer.concat([h.path, Buffer.from('/')]) : Buffer.from(h.path);
  const link = h.linkTarget ?? new Uint8Array(0);
  const records: Buffer[] = [];
  const binary = !isUtf8(name) || !isUtf8(link);
  if (binary) records.push(paxRecord('hdrcharset', Buffer.from('BINARY')));
  if (name.length > 100 || !isPlainAscii(name)) records.push(paxRecord('path', name));
  if (link.length > 100 || !isPlainAscii(link)) records.push(paxRecord('linkpath', link));
  if (h.size > USTAR_SIZE_LIMIT) records.push(paxRecord('size', Buffer.from(String(h.size))));
  if (h.mtime < 0 || h.mtime > USTAR_SIZE_LIMIT) records.push(paxRecord('mtime', Buffer.from(String(h.mtime))));
  const typeflag = h.type === 'file' ? '0' : h.type === 'directory' ? '5' : '2';
  const main = ustarBlock(
    isPlainAscii(name) ? name : Buffer.from('@PaxName'),
    typeflag,
    h.size > USTAR_SIZE_LIMIT ? 0 : h.size,
    h.mode,
    h.mtime,
    isPlainAscii(link) ? link : Buffer.from('@PaxLink'),
  );
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const paxHeader = ustarBlock(Buffer.from('PaxHeader'), 'x', pax.length, 0o644, h.mtime, new Uint8Array(0));
  return Buffer.concat([paxHeader, pax, Buffer.alloc(padding(pax.length)), main]);
}

/** True when `h` needs no pax record: its header is one plain ustar block. */
export function isPlainTarHeader(h: TarHeader): boolean {
  const nameLen = h.path.length + (h.type === 'directory' ? 1 : 0);
  if (nameLen > 100 || h.size > USTAR_SIZE_LIMIT || h.mtime < 0 || h.mtime > USTAR_SIZE_LIMIT || !isPlainAscii(h.path)) return false;
  const link = h.linkTarget;
  return !link || (link.length <= 100 && isPlainAscii(link));
}

/** Bytes of the header block(s) of `h`, as {@link encodeTarHeader} writes them. */
export function tarHeaderSize(h: TarHeader): number {
  return isPlainTarHeader(h) ? BLOCK : encodeTarHeader(h).length;
}

/**
 * Writes the header of `h` into `target` at `offset` when it needs no pax record (the
 * common case) and returns 512; returns 0 when it needs pax records (use encodeTarHeader).
 * Avoids allocating a buffer per entry when sealing many small files. `zeroed`: the block at
 * `offset` already holds only zeros (a tar builder zeroes its whole batch at once), so it is not
 * cleared again.
 */
export function writePlainTarHeader(h: TarHeader, target: Buffer, offset: number, zeroed = false): number {
  if (!isPlainTarHeader(h)) return 0;
  const dir = h.type === 'directory';
  const link = h.linkTarget;
  const block = target.subarray(offset, offset + BLOCK);
  if (!zeroed) block.fill(0);
  block.set(h.path, 0);
  if (dir) block[h.path.length] = 0x2f;
  writeOctal(block, 100, 8, h.mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, h.size);
  writeOctal(block, 136, 12, h.mtime);
  block.write('        ', 148, 8, 'ascii');
  block[156] = h.type === 'file' ? 0x30 : dir ? 0x35 : 0x32;
  if (link) block.set(link, 157);
  block.write('ustar\u000000', 257, 8, 'ascii');
  // Every byte written above lies before USTAR_FIELDS_END; the rest of the block is zero.
  let sum = 0;
  for (let i = 0; i < USTAR_FIELDS_END; i++) sum += block[i]!;
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
  return BLOCK;
}

/** Bytes of zero padding after `size` bytes of data. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/**
 * An octal field of a tar header: leading spaces and trailing NULs or spaces allowed, nothing
 * but the digits 0–7 in between (empty: 0). Read byte by byte (no string per field: a
 * million-entry verify reads five fields per header). Throws E_FORMAT_TAR otherwise.
 */
function readOctal(block: Uint8Array, offset: number, width: number): number {
  let start = offset;
  let end = offset + width;
  while (end > start && (block[end - 1] === 0 || block[end - 1] === 0x20)) end--;
  while (start < end && block[start] === 0x20) start++;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = block[i]! - 0x30;
    if (digit < 0 || digit > 7) throw new ScelleError('E_FORMAT_TAR', 'malformed numeric field in a tar header');
    value = value * 8 + digit;
  }
  return value;
}

function cString(block: Uint8Array, offset: number, width: number): Uint8Array {
  const field = block.subarray(offset, offset + width);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? width : nul);
}

function parsePax(data: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw new ScelleError('E_FORMAT_TAR', 'malformed pax record');
    const len = parseInt(Buffer.from(data.subarray(pos, space)).toString('ascii'), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length) throw new ScelleError('E_FORMAT_TAR', 'malformed pax record length');
    const rec = data.subarray(space + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new ScelleError('E_FORMAT_TAR', 'malformed pax record');
    out.set(Buffer.from(rec.subarray(0, eq)).toString('utf8'), rec.subarray(eq + 1));
    pos += len;
  }
  return out;
}

/**
 * Incremental tar reader over a byte source: `next()` returns the next header with the
 * offset of its data in the stream, or null at the end-of-archive marker. The caller
 * skips the data with `skip` (or reads it). Throws E_FORMAT_TAR on malformed headers.
 */
export class TarReader {
  private position = 0;

  constructor(
    private readonly read: (n: number) => Promise<Uint8Array>,
    private readonly skip: (n: number) => Promise<void>,
  ) {}

  /** Reads the next entry header. `dataOffset` is where its data starts in the stream. */
  async next(): Promise<(TarHeader & { dataOffset: number }) | null> {
    let pax: Map<string, Uint8Array> | null = null;
    for (;;) {
      const block = await this.readExact(BLOCK);
      if (block.every((b) => b === 0)) {
        const second = await this.readExact(BLOCK);
        if (!second.every((b) => b === 0)) throw new ScelleError('E_FORMAT_TAR', 'lone zero block in the tar stream');
        return null;
      }
      // The checksum counts its own 8 bytes as spaces.
      let sum = 8 * 0x20;
      for (let i = 0; i < 148; i++) sum += block[i]!;
      for (let i = 156; i < BLOCK; i++) sum += block[i]!;
      if (sum !== readOctal(block, 148, 8)) throw new ScelleError('E_FORMAT_TAR', `bad tar header checksum at offset ${this.position - BLOCK}`);
      const typeflag = String.fromCharCode(block[156]!);
      const size = readOctal(block, 124, 12);
      if (typeflag === 'x') {
        const data = await this.readExact(size);
        await this.skipExact(padding(size));
        pax = parsePax(data);
        continue;
      }
      const type: TarEntryType | null = typeflag === '0' || typeflag === '\0' ? 'file' : typeflag === '5' ? 'directory' : typeflag === '2' ? 'symlink' : null;
      if (type === null) throw new ScelleError('E_FORMAT_TAR', `unsupported tar entry type '${typeflag}'`);
      let path: Uint8Array = pax?.get('path') ?? cString(block, 0, 100);
      if (type === 'directory' && path[path.length - 1] === 0x2f) path = path.subarray(0, path.length - 1);
      const paxSize = pax?.get('size');
      const header: TarHeader & { dataOffset: number } = {
        path,
        type,
        size: paxSize ? Number(Buffer.from(paxSize).toString('ascii')) : type === 'file' ? size : 0,
        mode: readOctal(block, 100, 8),
        mtime: pax?.has('mtime') ? Math.floor(Number(Buffer.from(pax.get('mtime')!).toString('ascii'))) : readOctal(block, 136, 12),
        dataOffset: this.position,
      };
      if (type === 'symlink') header.linkTarget = pax?.get('linkpath') ?? cString(block, 157, 100);
      return header;
    }
  }

  /** Current offset in the stream. */
  get offset(): number {
    return this.position;
  }

  private async readExact(n: number): Promise<Uint8Array> {
    const b = await this.read(n);
    if (b.length !== n) throw new ScelleError('E_FORMAT_TAR', 'the tar stream ends early');
    this.position += n;
    return b;
  }

  private async skipExact(n: number): Promise<void> {
    await this.skip(n);
    this.position += n;
  }

  /** Advances past `n` bytes of entry data and padding. */
  async skipData(n: number): Promise<void> {
    await this.skipExact(n + padding(n));
  }
}
