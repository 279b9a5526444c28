/**
 * The service's Merkle tree in the database: every perfect subtree hash is stored in
 * `merkle_nodes (level, idx, hash)` (about 2n rows for n leaves), written once when it becomes
 * complete. Appending reads only the O(log n) frontier; a root or a proof reads O(log n)
 * stored nodes, so proofs at a million leaves never recompute the tree.
 */
import {
  EMPTY_ROOT,
  consistencyProofRanges,
  hashChildren,
  hashRange,
  inclusionProofRanges,
  nodesCompletedByAppend,
  rangeNodeIds,
  type NodeId,
} from '../../shared/custody/merkle.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { num, str, type SqlValue, type Tx } from '../db/driver.js';

const key = (n: NodeId): string => `${n.level}/${n.index}`;
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Multi-row INSERT chunk size (well below both engines' parameter limits). */
const INSERT_CHUNK = 300;

/**
 * Loads the given stored nodes.
 * @throws ScelleError E_SERVER_DATABASE if any is missing (a damaged or truncated tree).
 */
export async function fetchNodes(tx: Tx, ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const unique = [...new Map(ids.map((n) => [key(n), n])).values()];
  for (let i = 0; i < unique.length; i += 200) {
    const chunk = unique.slice(i, i + 200);
    const where = chunk.map(() => '(level = ? AND idx = ?)').join(' OR ');
    const rows = await tx.query(
      `SELECT level, idx, hash FROM merkle_nodes WHERE ${where}`,
      chunk.flatMap((n) => [n.level, n.index]),
    );
    for (const r of rows) out.set(`${num(r['level'])}/${num(r['idx'])}`, fromHex(str(r['hash']) ?? ''));
  }
  for (const n of unique) {
    if (!out.has(key(n))) throw new ScelleError('E_SERVER_DATABASE', 'Merkle node missing from the store', { level: n.level, index: n.index });
  }
  return out;
}

function lookupIn(map: Map<string, Uint8Array>): (n: NodeId) => Uint8Array {
  return (n) => {
    const h = map.get(key(n));
    if (!h) throw new ScelleError('E_SERVER_DATABASE', 'Merkle node missing from the store', { level: n.level, index: n.index });
    return h;
  };
}

/**
 * Appends `leaves` (leaf hashes) to a tree of `size` leaves, storing the leaves and every
 * perfect subtree they complete. Must run in the transaction that owns the tree size (the
 * caller locks `tree_state`).
 * @returns the root hash of the tree of size + leaves.length.
 * @throws ScelleError E_SERVER_DATABASE on a missing frontier node or a write failure.
 */
export async function appendLeaves(tx: Tx, size: number, leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  const cache = size > 0 ? await fetchNodes(tx, rangeNodeIds(0, size)) : new Map<string, Uint8Array>();
  const lookup = lookupIn(cache);
  const rows: SqlValue[][] = [];
  leaves.forEach((leaf, i) => {
    const index = size + i;
    cache.set(key({ level: 0, index }), leaf);
    rows.push([0, index, toHex(leaf)]);
    for (const c of nodesCompletedByAppend(index)) {
      const h = hashChildren(lookup(c.left), lookup(c.right));
      cache.set(key(c.node), h);
      rows.push([c.node.level, c.node.index, toHex(h)]);
    }
  });
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await tx.run(`INSERT INTO merkle_nodes (level, idx, hash) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, chunk.flat());
  }
  const newSize = size + leaves.length;
  return newSize === 0 ? EMPTY_ROOT : hashRange(0, newSize, lookup);
}

/**
 * Root hash of the stored tree restricted to its first `size` leaves.
 * @throws ScelleError E_SERVER_DATABASE if a needed node is missing.
 */
export async function storedRoot(tx: Tx, size: number): Promise<Uint8Array> {
  if (size === 0) return EMPTY_ROOT;
  return hashRange(0, size, lookupIn(await fetchNodes(tx, rangeNodeIds(0, size))));
}

async function rangesToHashes(tx: Tx, ranges: readonly { start: number; end: number }[]): Promise<Uint8Array[]> {
  const ids = ranges.flatMap((r) => rangeNodeIds(r.start, r.end));
  const lookup = lookupIn(await fetchNodes(tx, ids));
  return ranges.map((r) => hashRange(r.start, r.end, lookup));
}

/**
 * RFC 9162 inclusion proof of leaf `index` in the stored tree's first `treeSize` leaves.
 * @throws ScelleError E_CUSTODY_MERKLE on out-of-range arguments; E_SERVER_DATABASE on a missing node.
 */
export async function storedInclusionProof(tx: Tx, index: number, treeSize: number): Promise<Uint8Array[]> {
  return rangesToHashes(tx, inclusionProofRanges(index, treeSize));
}

/**
 * RFC 9162 consistency proof between the stored tree's first `size1` and `size2` leaves.
 * @throws ScelleError E_CUSTODY_MERKLE on out-of-range arguments; E_SERVER_DATABASE on a missing node.
 */
export async function storedConsistencyProof(tx: Tx, size1: number, size2: number): Promise<Uint8Array[]> {
  return rangesToHashes(tx, consistencyProofRanges(size1, size2));
}
