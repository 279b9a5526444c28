/**
 * Walks the sources of a seal without following symbolic links, and returns the entries in
 * the order they go into the tar stream: each source in the order given, then depth first
 * with names sorted bytewise. Names are kept as bytes so that names that are not valid
 * UTF-8 survive unchanged.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ScelleError } from '../errors/scelle-error.js';
import { END_OF_ARCHIVE, padding, tarHeaderSize, type TarEntryType } from '../format/tar.js';
import { throwIfCancelled } from './abort.js';

/** One entry to seal. */
export interface SourceEntry {
  /** Absolute path on this machine, as bytes. */
  sourcePath: Buffer;
  /** Relative '/'-separated path in the tar stream and index, as bytes. */
  archivePath: Buffer;
  type: TarEntryType;
  size: number;
  mode: number;
  mtimeMs: number;
  linkTarget?: Buffer;
  /** Bytes of the entry in the tar stream: headers, data and padding. */
  tarBytes: number;
}

/** The result of a scan: entries, totals and a fingerprint of what was seen. */
export interface ScanResult {
  entries: SourceEntry[];
  files: number;
  bytes: number;
  /** Exact size of the tar stream these entries make. */
  tarSize: number;
  /** SHA-256 over names, types, sizes, modes, mtimes and link targets: changes when the sources do. */
  fingerprint: string;
}

function kindOf(st: Stats, path: Buffer): TarEntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  const what = st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device';
  throw new ScelleError('E_SOURCE_UNSUPPORTED', `${path.toString()} is a ${what}, which scelle/1 cannot store`, { path: path.toString(), kind: what });
}

function lstatOrThrow(path: Buffer): Stats {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ScelleError('E_SOURCE_NOT_FOUND', `${path.toString()} does not exist`, { path: path.toString() });
    throw new ScelleError('E_SOURCE_UNREADABLE', `${path.toString()} cannot be read (${code})`, { path: path.toString(), errno: String(code) });
  }
}

function readdirOrThrow(path: Buffer): Buffer[] {
  try {
    return readdirSync(path, { encoding: 'buffer' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ScelleError('E_SOURCE_CHANGED', `${path.toString()} disappeared while being counted`, { path: path.toString() });
    throw new ScelleError('E_SOURCE_UNREADABLE', `folder ${path.toString()} cannot be listed (${code})`, { path: path.toString(), errno: String(code) });
  }
}

/** Size in the tar stream of one entry: headers, data and padding. */
export function tarEntrySize(e: SourceEntry): number {
  const header = tarHeaderSize({ path: e.archivePath, type: e.type, size: e.size, mode: e.mode, mtime: Math.floor(e.mtimeMs / 1000), linkTarget: e.linkTarget });
  return header + e.size + padding(e.size);
}

/**
 * Scans `sources`. Throws E_SOURCE_NOT_FOUND, E_SOURCE_UNREADABLE, E_SOURCE_UNSUPPORTED
 * (FIFO, socket, device), E_USAGE (two sources with the same name), E_CANCELLED.
 * `onCount` is called as entries are counted (files, bytes so far).
 */
export async function scanSources(sources: string[], opts: { signal?: AbortSignal; onCount?: (files: number, bytes: number) => void } = {}): Promise<ScanResult> {
  if (sources.length === 0) throw new ScelleError('E_USAGE', 'no source to seal was given');
  const entries: SourceEntry[] = [];
  const topNames = new Set<string>();
  let files = 0;
  let bytes = 0;
  let sinceYield = 0;

  const visit = async (sourcePath: Buffer, archivePath: Buffer): Promise<void> => {
    const st = lstatOrThrow(sourcePath);
    const type = kindOf(st, sourcePath);
    const entry: SourceEntry = { sourcePath, archivePath, type, size: type === 'file' ? st.size : 0, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, tarBytes: 0 };
    if (type === 'symlink') entry.linkTarget = readlinkSync(sourcePath, { encoding: 'buffer' });
    entries.push(entry);
    if (type === 'file') {
      files++;
      bytes += st.size;
    }
    if (++sinceYield >= 500) {
      sinceYield = 0;
      opts.onCount?.(files, bytes);
      await new Promise((r) => setImmediate(r));
      throwIfCancelled(opts.signal);
    }
    if (type !== 'directory') return;
    const names = readdirOrThrow(sourcePath).sort(Buffer.compare);
    for (const name of names) {
      await visit(Buffer.concat([sourcePath, Buffer.from('/'), name]), Buffer.concat([archivePath, Buffer.from('/'), name]));
    }
  };

  for (const source of sources) {
    const abs = resolve(source);
    const name = basename(abs);
    if (name === '' || abs === '/') throw new ScelleError('E_USAGE', 'the root folder cannot be sealed as a whole; choose folders inside it');
    if (topNames.has(name)) throw new ScelleError('E_USAGE', `two sources are named "${name}"; rename one or seal their parent folder`, { name });
    topNames.add(name);
    await visit(Buffer.from(abs), Buffer.from(name));
  }
  opts.onCount?.(files, bytes);

  const fp = createHash('sha256');
  let tarSize = END_OF_ARCHIVE.length;
  for (const e of entries) {
    e.tarBytes = tarEntrySize(e);
    tarSize += e.tarBytes;
    fp.update(`${e.archivePath.toString('base64')}|${e.type}|${e.size}|${e.mode}|${e.mtimeMs}|${e.linkTarget?.toString('base64') ?? ''}\n`);
  }
  return { entries, files, bytes, tarSize, fingerprint: fp.digest('hex') };
}

