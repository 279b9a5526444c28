/**
 * One entry line of the index (docs/FORMAT.md §5; the rules are in index-codec.ts's module
 * comment): the entry's shape, and its encoding without the schema. This module needs no
 * validation library, so the tar builder workers, which encode the lines of a seal's own
 * entries, start without loading one; index-codec.ts checks entries from anywhere else.
 */
import { isUtf8 } from 'node:buffer';

/** One entry of the encrypted index. */
export interface IndexEntry {
  /** Relative '/'-separated path as in the tar stream (UTF-8; lossy when pathBytes is set). */
  path: string;
  /** base64 of the exact name bytes, present only when they are not valid UTF-8. */
  pathBytes?: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  mode: number;
  /** Modification time, milliseconds since the epoch. */
  mtime: number;
  linkTarget?: string;
  /** base64 of the exact link target bytes, present only when they are not valid UTF-8. */
  linkTargetBytes?: string;
  /** Offset of the entry's content in the tar stream (right after its header blocks). */
  offset: number;
  sha256?: string;
  /** Folders: entries below this one, at any depth. */
  entries?: number;
  /** Folders: files below this one, at any depth. */
  files?: number;
  /** Folders: bytes of the files below this one. */
  bytes?: number;
}

/**
 * Encodes `e` as one JSON line ending in "\n", keys in the documented order, optional fields
 * only when present. Checks nothing: for an entry known to follow the rules (a seal's own,
 * whose names and link targets come from the file system), or checked first
 * (index-codec.ts's encodeIndexEntry).
 */
export function encodeEntryLine(e: IndexEntry): string {
  const out: Record<string, unknown> = { path: e.path };
  if (e.pathBytes !== undefined) out.pathBytes = e.pathBytes;
  Object.assign(out, { type: e.type, size: e.size, mode: e.mode, mtime: e.mtime });
  if (e.linkTarget !== undefined) out.linkTarget = e.linkTarget;
  if (e.linkTargetBytes !== undefined) out.linkTargetBytes = e.linkTargetBytes;
  out.offset = e.offset;
  if (e.sha256 !== undefined) out.sha256 = e.sha256;
  if (e.type === 'directory') Object.assign(out, { entries: e.entries, files: e.files, bytes: e.bytes });
  return JSON.stringify(out) + '\n';
}

/**
 * The line of a file or folder whose path is already known to be a valid relative path in
 * UTF-8 (a seal's own entries: names from the file system), without the per-field checks of
 * {@link encodeIndexEntry}; the same bytes as encodeIndexEntry for such an entry.
 */
export function encodeWalkedEntry(
  path: string,
  type: 'file' | 'directory',
  size: number,
  mode: number,
  mtime: number,
  offset: number,
  sha256OrTotals: string | { entries: number; files: number; bytes: number },
): string {
  const head = `{"path":${JSON.stringify(path)},"type":"${type}","size":${size},"mode":${mode},"mtime":${JSON.stringify(mtime)},"offset":${offset}`;
  if (typeof sha256OrTotals === 'string') return `${head},"sha256":"${sha256OrTotals}"}\n`;
  return `${head},"entries":${sha256OrTotals.entries},"files":${sha256OrTotals.files},"bytes":${sha256OrTotals.bytes}}\n`;
}

/** The exact bytes of an entry's (or directory line's) path. */
export function entryPathBytes(e: Pick<IndexEntry, 'path' | 'pathBytes'>): Buffer {
  return e.pathBytes !== undefined ? Buffer.from(e.pathBytes, 'base64') : Buffer.from(e.path, 'utf8');
}

/** The exact bytes of a symlink's target. */
export function entryLinkBytes(e: Pick<IndexEntry, 'linkTarget' | 'linkTargetBytes'>): Buffer {
  return e.linkTargetBytes !== undefined ? Buffer.from(e.linkTargetBytes, 'base64') : Buffer.from(e.linkTarget ?? '', 'utf8');
}

/** The path fields of an index entry for an archive path and optional link target. */
export function entryPathFields(path: Uint8Array, linkTarget?: Uint8Array): Pick<IndexEntry, 'path' | 'pathBytes' | 'linkTarget' | 'linkTargetBytes'> {
  const out: Pick<IndexEntry, 'path' | 'pathBytes' | 'linkTarget' | 'linkTargetBytes'> = { path: Buffer.from(path).toString('utf8') };
  if (!isUtf8(path)) out.pathBytes = Buffer.from(path).toString('base64');
  if (linkTarget !== undefined) {
    out.linkTarget = Buffer.from(linkTarget).toString('utf8');
    if (!isUtf8(linkTarget)) out.linkTargetBytes = Buffer.from(linkTarget).toString('base64');
  }
  return out;
}
