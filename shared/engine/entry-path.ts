/**
 * Names in the index: a name is stored as its UTF-8 string, and when its bytes are not valid
 * UTF-8 also as `pathBytes` (base64 of the exact bytes), so nothing is lost on restore.
 */
import { isUtf8 } from '../format/tar.js';
import type { IndexEntry } from './api.js';

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

/** The exact bytes of an entry's path. */
export function entryPathBytes(e: Pick<IndexEntry, 'path' | 'pathBytes'>): Buffer {
  return e.pathBytes !== undefined ? Buffer.from(e.pathBytes, 'base64') : Buffer.from(e.path, 'utf8');
}

/** The exact bytes of a symlink's target. */
export function entryLinkBytes(e: Pick<IndexEntry, 'linkTarget' | 'linkTargetBytes'>): Buffer {
  return e.linkTargetBytes !== undefined ? Buffer.from(e.linkTargetBytes, 'base64') : Buffer.from(e.linkTarget ?? '', 'utf8');
}
