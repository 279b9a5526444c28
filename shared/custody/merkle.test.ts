import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  consistencyProof,
  consistencyProofRanges,
  hashChildren,
  hashLeafData,
  hashRange,
  inclusionProof,
  leafHash,
  nodesCompletedByAppend,
  rangeNodeIds,
  rootHash,
  verifyConsistencyProof,
  verifyInclusionProof,
  type NodeId,
} from './merkle.js';
import { isScelleError } from '../errors/scelle-error.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// --- A literal, recursive transcription of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 ---------------

function naiveK(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function naiveMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return new Uint8Array(createHash('sha256').digest());
  if (d.length === 1) return d[0] as Uint8Array;
  const k = naiveK(d.length);
  return hashChildren(naiveMth(d.slice(0, k)), naiveMth(d.slice(k)));
}
function naivePath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const k = naiveK(d.length);
  return m < k ? [...naivePath(m, d.slice(0, k)), naiveMth(d.slice(k))] : [...naivePath(m - k, d.slice(k)), naiveMth(d.slice(0, k))];
}
function naiveSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [naiveMth(d)];
  const k = naiveK(d.length);
  return m <= k ? [...naiveSubproof(m, d.slice(0, k), b), naiveMth(d.slice(k))] : [...naiveSubproof(m - k, d.slice(k), false), naiveMth(d.slice(0, k))];
}

// --- Certificate Transparency reference vectors (transparency-dev/merkle, proof/verify_test.go) --

const ctLeafData = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const ctRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, proof]
const ctInclusion: Array<[number, number, string[]]> = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const ctConsistency: Array<[number, number, string[]]> = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];
const ctLeaves = ctLeafData.map(hashLeafData);

function mutations(proof: Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [[...proof, proof[0] ?? EMPTY_ROOT], [EMPTY_ROOT, ...proof], proof.slice(0, -1)];
  proof.forEach((_, i) => {
    const p = proof.map((x) => new Uint8Array(x));
    (p[i] as Uint8Array)[0] = ((p[i] as Uint8Array)[0] ?? 0) ^ 0x10;
    out.push(p);
  });
  if (proof.length > 1) out.push([proof[1] as Uint8Array, proof[0] as Uint8Array, ...proof.slice(2)]);
  return out.filter((p) => p.length !== proof.length || p.some((x, i) => hex(x) !== hex(proof[i] as Uint8Array)));
}

describe('RFC 9162 hashing', () => {
  it('matches the Certificate Transparency reference roots for sizes 1..8', () => {
    for (let n = 1; n <= 8; n++) expect(hex(rootHash(ctLeaves.slice(0, n)))).toBe(ctRoots[n - 1]);
  });
  it('hashes the empty tree as SHA-256("")', () => {
    expect(hex(rootHash([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('reproduces and verifies the reference inclusion proofs, and rejects their mutations', () => {
    for (const [index, size, want] of ctInclusion) {
      const proof = inclusionProof(ctLeaves, index, size);
      expect(proof.map(hex)).toEqual(want);
      const root = unhex(ctRoots[size - 1] as string);
      const leaf = ctLeaves[index] as Uint8Array;
      expect(verifyInclusionProof(leaf, index, size, proof, root)).toBe(true);
      for (const bad of mutations(proof)) expect(verifyInclusionProof(leaf, index, size, bad, root)).toBe(false);
      expect(verifyInclusionProof(leaf, index + 1, size, proof, root)).toBe(false);
      expect(verifyInclusionProof(leaf, index, size * 2, proof, root)).toBe(false);
      expect(verifyInclusionProof(hashLeafData(unhex('ff')), index, size, proof, root)).toBe(false);
      expect(verifyInclusionProof(leaf, index, size, proof, EMPTY_ROOT)).toBe(false);
    }
  });
  it('reproduces and verifies the reference consistency proofs, and rejects their mutations', () => {
    for (const [size1, size2, want] of ctConsistency) {
      const proof = consistencyProof(ctLeaves, size1, size2);
      expect(proof.map(hex)).toEqual(want);
      const r1 = unhex(ctRoots[size1 - 1] as string);
      const r2 = unhex(ctRoots[size2 - 1] as string);
      expect(verifyConsistencyProof(size1, size2, proof, r1, r2)).toBe(true);
      for (const bad of mutations(proof)) expect(verifyConsistencyProof(size1, size2, bad, r1, r2)).toBe(false);
      expect(verifyConsistencyProof(size1, size2, proof, r2, r1)).toBe(false);
      expect(verifyConsistencyProof(size1 + 1, size2, proof, r1, r2)).toBe(false);
      expect(verifyConsistencyProof(size1, size2 * 2, proof, r1, r2)).toBe(false);
      expect(verifyConsistencyProof(size1 ^ 2, size2, proof, r1, r2)).toBe(false);
      expect(verifyConsistencyProof(size1, size2, [], r1, r2)).toBe(false);
    }
  });
  it('handles the degenerate consistency cases like the reference verifier', () => {
    const a = unhex(ctRoots[0] as string);
    const b = unhex(ctRoots[1] as string);
    expect(verifyConsistencyProof(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistencyProof(0, 5, [], EMPTY_ROOT, b)).toBe(true);
    expect(verifyConsistencyProof(1, 1, [], a, a)).toBe(true);
    expect(verifyConsistencyProof(1, 1, [], a, b)).toBe(false);
    expect(verifyConsistencyProof(1, 1, [EMPTY_ROOT], a, a)).toBe(false);
    expect(verifyConsistencyProof(0, 1, [EMPTY_ROOT], EMPTY_ROOT, a)).toBe(false);
    expect(verifyConsistencyProof(2, 1, [], b, a)).toBe(false);
    expect(verifyConsistencyProof(1, 2, [], a, b)).toBe(false);
    expect(verifyInclusionProof(a, 0, 0, [], a)).toBe(false);
    expect(verifyInclusionProof(a, 0, 1, [], a)).toBe(true);
    expect(verifyInclusionProof(a, 1, 1, [], a)).toBe(false);
    expect(verifyInclusionProof(new Uint8Array(0), 0, 1, [], new Uint8Array(0))).toBe(false);
  });
});

describe('exhaustive agreement with a literal RFC 9162 implementation, sizes 1..64', () => {
  const leaves = Array.from({ length: 64 }, (_, i) => hashLeafData(Uint8Array.of(i, (i * 7) & 0xff)));
  const roots = [EMPTY_ROOT, ...Array.from({ length: 64 }, (_, n) => naiveMth(leaves.slice(0, n + 1)))];

  it('root hashes', () => {
    for (let n = 0; n <= 64; n++) expect(hex(rootHash(leaves.slice(0, n)))).toBe(hex(roots[n] as Uint8Array));
  });
  it('inclusion proofs for every leaf of every size, verified; wrong index or size rejected', () => {
    for (let n = 1; n <= 64; n++) {
      const root = roots[n] as Uint8Array;
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(leaves, m, n);
        expect(proof.map(hex)).toEqual(naivePath(m, leaves.slice(0, n)).map(hex));
        expect(verifyInclusionProof(leaves[m] as Uint8Array, m, n, proof, root)).toBe(true);
        if (n > 1) expect(verifyInclusionProof(leaves[m] as Uint8Array, (m + 1) % n, n, proof, root)).toBe(false);
        expect(verifyInclusionProof(leaves[m] as Uint8Array, m, n * 2, proof, roots[n] as Uint8Array)).toBe(false);
      }
    }
  });
  it('consistency proofs for every pair of sizes, verified; swapped or wrong roots rejected', () => {
    for (let n2 = 1; n2 <= 64; n2++) {
      for (let n1 = 1; n1 <= n2; n1++) {
        const proof = consistencyProof(leaves, n1, n2);
        const want = n1 === n2 ? [] : naiveSubproof(n1, leaves.slice(0, n2), true);
        expect(proof.map(hex)).toEqual(want.map(hex));
        expect(verifyConsistencyProof(n1, n2, proof, roots[n1] as Uint8Array, roots[n2] as Uint8Array)).toBe(true);
        if (n1 < n2) {
          expect(verifyConsistencyProof(n1, n2, proof, roots[n1 - 1] ?? EMPTY_ROOT, roots[n2] as Uint8Array)).toBe(false);
          expect(verifyConsistencyProof(n1, n2, proof, roots[n1] as Uint8Array, roots[n2 - 1] as Uint8Array)).toBe(false);
          expect(verifyConsistencyProof(n1, n2, proof.slice(1), roots[n1] as Uint8Array, roots[n2] as Uint8Array)).toBe(false);
        }
      }
    }
  });
  it('incremental node storage (nodesCompletedByAppend + hashRange) gives the same roots and proofs', () => {
    const store = new Map<string, Uint8Array>();
    const key = (n: NodeId): string => `${n.level}/${n.index}`;
    const lookup = (n: NodeId): Uint8Array => {
      const h = store.get(key(n));
      if (h === undefined) throw new Error(`missing ${key(n)}`);
      return h;
    };
    for (let i = 0; i < 64; i++) {
      store.set(key({ level: 0, index: i }), leaves[i] as Uint8Array);
      for (const c of nodesCompletedByAppend(i)) store.set(key(c.node), hashChildren(lookup(c.left), lookup(c.right)));
      expect(hex(hashRange(0, i + 1, lookup))).toBe(hex(roots[i + 1] as Uint8Array));
    }
    // 64 leaves store 127 perfect nodes.
    expect(store.size).toBe(127);
    for (const [a, b] of [
      [3, 17],
      [1, 64],
      [33, 64],
      [63, 64],
    ] as const) {
      const viaStore = consistencyProofRanges(a, b).map((r) => hex(hashRange(r.start, r.end, lookup)));
      expect(viaStore).toEqual(consistencyProof(leaves, a, b).map(hex));
    }
  });
});

describe('input validation', () => {
  it('leafHash hashes the 32 raw bytes of the event hash', () => {
    const eh = 'ab'.repeat(32);
    expect(hex(leafHash(eh))).toBe(hex(hashLeafData(unhex(eh))));
    expect(hex(leafHash(eh.toUpperCase()))).toBe(hex(leafHash(eh)));
  });
  it('leafHash rejects anything but 64 hex digits', () => {
    for (const bad of ['', 'ab', 'zz'.repeat(32), 'ab'.repeat(33)]) {
      expect(() => leafHash(bad)).toThrow();
      try {
        leafHash(bad);
      } catch (e) {
        expect(isScelleError(e, 'E_CUSTODY_MERKLE')).toBe(true);
      }
    }
  });
  it('proof builders reject out-of-range sizes and indexes', () => {
    expect(() => inclusionProof(ctLeaves, 8, 8)).toThrow(/outside/);
    expect(() => inclusionProof(ctLeaves, 0, 9)).toThrow(/exceeds/);
    expect(() => consistencyProof(ctLeaves, 5, 4)).toThrow(/larger/);
    expect(() => rangeNodeIds(1, 3)).toThrow(/subtree/);
    expect(rangeNodeIds(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
  it('handles indexes beyond 2^32 without 32-bit overflow', () => {
    const big = 2 ** 40 + 3;
    expect(nodesCompletedByAppend(big).map((c) => c.node)).toEqual([
      { level: 1, index: (big - 1) / 2 },
      { level: 2, index: (big - 3) / 4 },
    ]);
    expect(rangeNodeIds(0, 2 ** 40 + 1)).toEqual([
      { level: 40, index: 0 },
      { level: 0, index: 2 ** 40 },
    ]);
  });
});
