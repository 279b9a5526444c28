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

/**
 * Compares two folders in block order: negative when `a`'s block comes first. A folder comes
 * after every folder below it; otherwise the first differing component decides, bytewise
 * (a component that ends sorts before any longer one).
 */
export function compareFolders(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return 0;
  // One is a prefix of the other: an ancestor when the prefix ends at a component boundary.
  if (i === a.length && (a.length === 0 || b[i] === SLASH)) return 1;
  if (i === b.length && (b.length === 0 || a[i] === SLASH)) return -1;
  const ca = i < a.length && a[i] !== SLASH ? a[i]! : -1;
  const cb = i < b.length && b[i] !== SLASH ? b[i]! : -1;
  return ca - cb;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Compares two entry paths in index order (negative: `a` first; 0: the same path). */
export function compareEntryPaths(a: Uint8Array, b: Uint8Array): number {
  const c = compareFolders(parentOf(a), parentOf(b));
  return c !== 0 ? c : compareBytes(nameOf(a), nameOf(b));
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
