/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree hashing over custody event hashes.
 *
 * The custody service keeps one append-only Merkle tree whose leaves are the hashes of all
 * accepted events, in acceptance order; it publishes signed checkpoints (tree size + root)
 * and proves inclusion and consistency between checkpoints, so that a client can detect that
 * events it already saw were later dropped or rewritten.
 *
 * - leaf hash  = SHA-256(0x00 || leaf data); for custody, leaf data = the 32 raw bytes of the
 *   event hash (see {@link leafHash});
 * - node hash  = SHA-256(0x01 || left || right);
 * - empty tree = SHA-256("").
 *
 * Two families of functions:
 * - array-based (`rootHash`, `inclusionProof`, `consistencyProof`): take the leaf hashes in
 *   memory; simple, for clients and tests;
 * - range-based (`inclusionProofRanges`, `consistencyProofRanges`, `rangeNodeIds`,
 *   `hashRange`, `nodesCompletedByAppend`): describe proofs as Merkle subtree ranges built
 *   from stored perfect-subtree nodes, so a server with a million leaves reads O(log² n) stored
 *   hashes per proof instead of recomputing the tree.
 *
 * Sizes and indexes are plain numbers (safe integers); no 32-bit bit operations are used, so
 * trees larger than 2³¹ leaves are handled correctly.
 */
import { createHash } from 'node:crypto';
import { ScelleError } from '../errors/scelle-error.js';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** Identifies a perfect (complete) subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  /** Height of the subtree: 0 for a leaf. */
  readonly level: number;
  /** Position of the subtree among the subtrees of that height, from 0. */
  readonly index: number;
}

/** A half-open range of leaves [start, end) whose RFC 9162 subtree hash is one proof element. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** Returns the stored hash of a perfect subtree; must throw if it is unknown. */
export type NodeLookup = (node: NodeId) => Uint8Array;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** SHA-256 of the empty string: the root hash of a tree with no leaves. */
export const EMPTY_ROOT: Uint8Array = sha256();

/**
 * RFC 9162 leaf hash of arbitrary leaf data: SHA-256(0x00 || data). Never throws.
 */
export function hashLeafData(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/**
 * RFC 9162 interior node hash: SHA-256(0x01 || left || right). Never throws.
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/**
 * The Merkle leaf hash of a custody event: SHA-256(0x00 || the 32 raw bytes of the event hash).
 * @param eventHashHex the event hash as 64 hexadecimal digits (either case).
 * @throws ScelleError E_CUSTODY_MERKLE if `eventHashHex` is not 64 hex digits.
 */
export function leafHash(eventHashHex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(eventHashHex)) {
    throw new ScelleError('E_CUSTODY_MERKLE', 'event hash must be 64 hexadecimal digits', { length: eventHashHex.length });
  }
  return hashLeafData(new Uint8Array(Buffer.from(eventHashHex, 'hex')));
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1 || !Number.isSafeInteger(n)) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

function assertSize(name: string, n: number, min = 0): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ScelleError('E_CUSTODY_MERKLE', `${name} must be an integer ≥ ${min}`, { [name]: String(n) });
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Splits the leaf range [start, end) of an RFC 9162 subtree into the perfect subtrees whose
 * hashes, folded from the right, give its hash: sizes follow the binary decomposition of
 * (end − start), largest first. `start` must be a multiple of the largest of those sizes, which
 * holds for every subtree of an RFC 9162 tree, including [0, n).
 * @throws ScelleError E_CUSTODY_MERKLE if the range is empty or misaligned.
 */
export function rangeNodeIds(start: number, end: number): NodeId[] {
  assertSize('start', start);
  assertSize('end', end, start + 1);
  const nodes: NodeId[] = [];
  let offset = start;
  let remaining = end - start;
  while (remaining > 0) {
    let size = 1;
    let level = 0;
    while (size * 2 <= remaining) {
      size *= 2;
      level++;
    }
    if (offset % size !== 0) {
      throw new ScelleError('E_CUSTODY_MERKLE', 'range is not an RFC 9162 subtree', { start, end });
    }
    nodes.push({ level, index: offset / size });
    offset += size;
    remaining -= size;
  }
  return nodes;
}

/**
 * Hash of the RFC 9162 subtree over leaves [start, end), computed from stored perfect-subtree
 * hashes (see {@link rangeNodeIds}).
 * @throws ScelleError E_CUSTODY_MERKLE on a misaligned range; whatever `lookup` throws.
 */
export function hashRange(start: number, end: number, lookup: NodeLookup): Uint8Array {
  const nodes = rangeNodeIds(start, end);
  let acc: Uint8Array | undefined;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const h = lookup(nodes[i] as NodeId);
    acc = acc === undefined ? h : hashChildren(h, acc);
  }
  return acc as Uint8Array;
}

/**
 * The perfect subtrees that become complete when leaf `index` is appended (leaf `index` being
 * the last leaf added): for each, its id and its two children, in increasing level. The leaf
 * itself (level 0) is not listed. A store computes them in order: each right child is either the
 * new leaf or the node computed just before.
 * @throws ScelleError E_CUSTODY_MERKLE if `index` is not a non-negative integer.
 */
export function nodesCompletedByAppend(index: number): Array<{ node: NodeId; left: NodeId; right: NodeId }> {
  assertSize('index', index);
  const out: Array<{ node: NodeId; left: NodeId; right: NodeId }> = [];
  let level = 0;
  let idx = index;
  while (idx % 2 === 1) {
    const parent = (idx - 1) / 2;
    out.push({ node: { level: level + 1, index: parent }, left: { level, index: idx - 1 }, right: { level, index: idx } });
    level++;
    idx = parent;
  }
  return out;
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of the first `treeSize` leaves,
 * as leaf ranges, bottom-up (the order of the proof's hashes).
 * @throws ScelleError E_CUSTODY_MERKLE unless 0 ≤ index < treeSize.
 */
export function inclusionProofRanges(index: number, treeSize: number): LeafRange[] {
  assertSize('treeSize', treeSize, 1);
  assertSize('index', index);
  if (index >= treeSize) throw new ScelleError('E_CUSTODY_MERKLE', 'leaf index outside the tree', { index, treeSize });
  const out: LeafRange[] = [];
  // Walk top-down, collecting siblings, then reverse to get the bottom-up order.
  let start = 0;
  let end = treeSize;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return out.reverse();
}

/**
 * RFC 9162 §2.1.4.1 consistency proof between the trees of the first `size1` and `size2`
 * leaves, as leaf ranges in proof order. Empty when size1 is 0 or size1 = size2.
 * @throws ScelleError E_CUSTODY_MERKLE unless 0 ≤ size1 ≤ size2.
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  assertSize('size1', size1);
  assertSize('size2', size2);
  if (size1 > size2) throw new ScelleError('E_CUSTODY_MERKLE', 'size1 is larger than size2', { size1, size2 });
  if (size1 === 0 || size1 === size2) return [];
  const siblings: LeafRange[] = [];
  let terminal: LeafRange | undefined;
  // SUBPROOF(m, D[start:end], b), iteratively: siblings are met top-down; the recursion emits
  // the deepest result first (the terminal subtree, when b is false), then siblings bottom-up.
  let start = 0;
  let end = size2;
  let m = size1;
  let complete = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) terminal = { start, end };
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      siblings.push({ start: start + k, end });
      end = start + k;
    } else {
      siblings.push({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
  siblings.reverse();
  return terminal === undefined ? siblings : [terminal, ...siblings];
}

function leafLookup(leaves: readonly Uint8Array[], limit: number): NodeLookup {
  const perfect = (level: number, index: number): Uint8Array => {
    if (level === 0) {
      const leaf = index < limit ? leaves[index] : undefined;
      if (leaf === undefined) throw new ScelleError('E_CUSTODY_MERKLE', 'leaf outside the tree', { index });
      return leaf;
    }
    return hashChildren(perfect(level - 1, index * 2), perfect(level - 1, index * 2 + 1));
  };
  return (node) => perfect(node.level, node.index);
}

function checkLeaves(leaves: readonly Uint8Array[], treeSize: number): void {
  assertSize('treeSize', treeSize);
  if (treeSize > leaves.length) {
    throw new ScelleError('E_CUSTODY_MERKLE', 'tree size exceeds the number of leaves', { treeSize, leaves: leaves.length });
  }
}

/**
 * Root hash (RFC 9162 MTH) of the tree whose leaf hashes are `leaves`, in order.
 * The empty tree's root is SHA-256(""). Never throws.
 */
export function rootHash(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  return hashRange(0, leaves.length, leafLookup(leaves, leaves.length));
}

/**
 * Inclusion proof (audit path) of leaf `index` in the tree formed by the first `treeSize`
 * entries of `leaves` (leaf hashes).
 * @throws ScelleError E_CUSTODY_MERKLE unless 0 ≤ index < treeSize ≤ leaves.length.
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, treeSize: number): Uint8Array[] {
  checkLeaves(leaves, treeSize);
  const lookup = leafLookup(leaves, treeSize);
  return inclusionProofRanges(index, treeSize).map((r) => hashRange(r.start, r.end, lookup));
}

/**
 * Consistency proof between the trees formed by the first `size1` and the first `size2`
 * entries of `leaves` (leaf hashes). Empty when size1 is 0 or equals size2.
 * @throws ScelleError E_CUSTODY_MERKLE unless 0 ≤ size1 ≤ size2 ≤ leaves.length.
 */
export function consistencyProof(leaves: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  checkLeaves(leaves, size2);
  const lookup = leafLookup(leaves, size2);
  return consistencyProofRanges(size1, size2).map((r) => hashRange(r.start, r.end, lookup));
}

/**
 * RFC 9162 §2.1.3.2: true iff `proof` proves that `leafHash` is the leaf at `index` of the tree
 * of size `treeSize` whose root is `root`. Returns false (never throws) for any malformed
 * input: index out of range, wrong hash lengths, extra or missing proof elements.
 */
export function verifyInclusionProof(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  if (leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2: true iff `proof` proves that the tree of size `size2` with root `root2`
 * extends the tree of size `size1` with root `root1`. When size1 = size2 the proof must be
 * empty and the roots equal; when size1 = 0 the proof must be empty (anything extends the
 * empty tree). Returns false (never throws) for any malformed input.
 */
export function verifyConsistencyProof(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.length === HASH_SIZE && bytesEqual(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false;
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_SIZE)) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = path[0] as Uint8Array;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}
