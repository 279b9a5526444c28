/**
 * The order of scelle/1's tar stream and index (docs/FORMAT.md §4 and §5): entries grouped
 * by their parent folder ("blocks"), blocks in depth-first post-order (a folder's block comes
 * after the blocks of every folder below it), names inside a block sorted bytewise. So:
 * - everything below a folder D is one contiguous range that ends with D's own block (D's
 *   own entry sits later, in its parent's block);
 * - D's children are contiguous (D's block);
 * - one path, one folder's children or one folder's subtree is found by binary search.
 * Paths are the exact bytes ('/'-separated, relative, no empty component); the root folder
 * is the empty path.
 */

const SLASH = 0x2f;

/** The parent folder of `path` (empty for a top-level name). */
export function parentOf(path: Uint8Array): Uint8Array {
  const i = path.lastIndexOf(SLASH);
  return i < 0 ? path.subarray(0, 0) : path.subarray(0, i);
}

/** The last component of `path`. */
export function nameOf(path: Uint8Array): Uint8Array {
  return path.subarray(path.lastIndexOf(SLASH) + 1);
}

/** True when folder `a` is `b` or lies above it (the root lies above everything). */
export function isWithin(b: Uint8Array, a: Uint8Array): boolean {
  if (a.length === 0) return true;
  if (b.length < a.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return b.length === a.length || b[a.length] === SLASH;
}

/** Index of the last '/' in `path`, or -1 (a loop: short paths, no call into the runtime). */
function lastSlash(path: Uint8Array): number {
  for (let i = path.length - 1; i >= 0; i--) if (path[i] === SLASH) return i;
  return -1;
}

/**
 * Compares folders `a[0, aLength)` and `b[0, bLength)` in block order (see compareFolders),
 * without making a view of either.
 */
function compareFolderPrefixes(a: Uint8Array, aLength: number, b: Uint8Array, bLength: number): number {
  const n = Math.min(aLength, bLength);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === aLength && i === bLength) return 0;
  // One is a prefix of the other: an ancestor when the prefix ends at a component boundary.
  if (i === aLength && (aLength === 0 || b[i] === SLASH)) return 1;
  if (i === bLength && (bLength === 0 || a[i] === SLASH)) return -1;
  const ca = i < aLength && a[i] !== SLASH ? a[i]! : -1;
  const cb = i < bLength && b[i] !== SLASH ? b[i]! : -1;
  return ca - cb;
}

/**
 * Compares two folders in block order: negative when `a`'s block comes first. A folder comes
 * after every folder below it; otherwise the first differing component decides, bytewise
 * (a component that ends sorts before any longer one).
 */
export function compareFolders(a: Uint8Array, b: Uint8Array): number {
  return compareFolderPrefixes(a, a.length, b, b.length);
}

/**
 * Compares two entry paths in index order (negative: `a` first; 0: the same path). Runs for
 * every entry of every full pass over an index, so it makes no views: parents and names are
 * ranges of the paths.
 */
export function compareEntryPaths(a: Uint8Array, b: Uint8Array): number {
  const sa = lastSlash(a);
  const sb = lastSlash(b);
  const c = compareFolderPrefixes(a, sa < 0 ? 0 : sa, b, sb < 0 ? 0 : sb);
  if (c !== 0) return c;
  // Same parent: the names, bytewise (a name that ends first sorts first).
  const na = a.length - sa - 1;
  const nb = b.length - sb - 1;
  const n = Math.min(na, nb);
  for (let i = 0; i < n; i++) {
    const x = a[sa + 1 + i]!;
    const y = b[sb + 1 + i]!;
    if (x !== y) return x - y;
  }
  return na - nb;
}

/**
 * Where entry `path` lies relative to everything below folder `folder` (its descendants, not
 * the folder's own entry): negative before, 0 inside, positive after.
 */
export function compareToSubtree(path: Uint8Array, folder: Uint8Array): number {
  const parent = parentOf(path);
  if (isWithin(parent, folder)) return 0;
  return compareFolders(parent, folder);
}
