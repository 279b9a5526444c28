import { describe, expect, it } from 'vitest';
import { compareEntryPaths, compareFolders, compareToSubtree, isWithin, nameOf, parentOf } from './index-order.js';

const b = (s: string) => Buffer.from(s);
const sortPaths = (paths: string[]) => [...paths].sort((x, y) => compareEntryPaths(b(x), b(y)));

describe('index order', () => {
  it('puts each folder block after the blocks below it, names bytewise inside a block', () => {
    const paths = ['docs', 'docs/a.txt', 'docs/sub', 'docs/sub/x', 'docs/sub/deep', 'docs/sub/deep/y', 'docs/z', 'docs.txt', 'b', 'b/1'];
    expect(sortPaths(paths)).toEqual(['b/1', 'docs/sub/deep/y', 'docs/sub/deep', 'docs/sub/x', 'docs/a.txt', 'docs/sub', 'docs/z', 'b', 'docs', 'docs.txt']);
  });

  it('compares a component that ends before any longer one ("a" < "a.b" < "a0", whatever "/" is worth)', () => {
    expect(compareFolders(b('a'), b('a.b'))).toBeLessThan(0);
    expect(compareFolders(b('a/x'), b('a.b'))).toBeLessThan(0);
    expect(compareFolders(b('a.b'), b('a0'))).toBeLessThan(0);
    expect(compareFolders(b('a'), b('a/x'))).toBeGreaterThan(0); // an ancestor comes after
    expect(compareFolders(b(''), b('a'))).toBeGreaterThan(0); // the root comes last
    expect(compareFolders(b('a/x'), b('a/x'))).toBe(0);
  });

  it('is a total order (antisymmetric and transitive on a mixed sample)', () => {
    const sample = ['a', 'a/b', 'a/b/c', 'a.b', 'a0', 'a/b.c', 'a/b/c/d', 'z', 'é', 'a/é', 'b/a', 'ab', 'a b'].map(b);
    for (const x of sample)
      for (const y of sample) {
        expect(Math.sign(compareEntryPaths(x, y)) + Math.sign(compareEntryPaths(y, x))).toBe(0);
        for (const z of sample) {
          if (compareEntryPaths(x, y) < 0 && compareEntryPaths(y, z) < 0) expect(compareEntryPaths(x, z)).toBeLessThan(0);
        }
      }
  });

  it('compares entry paths as their definition does: parent folders in block order, then names bytewise', () => {
    // The definition, spelled out with views (compareEntryPaths itself makes none).
    const byDefinition = (x: Uint8Array, y: Uint8Array) => compareFolders(parentOf(x), parentOf(y)) || Buffer.compare(Buffer.from(nameOf(x)), Buffer.from(nameOf(y)));
    const parts = ['a', 'b', 'a.b', 'a0', 'ab', 'é', ' ', 'a b'];
    let seed = 7;
    const pick = () => parts[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % parts.length]!;
    const paths = Array.from({ length: 300 }, () => b(Array.from({ length: 1 + (seed % 4) }, pick).join('/')));
    for (const x of paths) for (const y of paths.slice(0, 60)) expect(Math.sign(compareEntryPaths(x, y)), `${x} vs ${y}`).toBe(Math.sign(byDefinition(x, y)));
  });

  it('keeps a folder subtree contiguous, ending with the folder block', () => {
    const paths = sortPaths(['a', 'a/1', 'a/b', 'a/b/2', 'a/b/c', 'a/b/c/3', 'a/d', 'a/d/4', 'e', 'e/5', 'a.x']);
    const inside = paths.map((p) => compareToSubtree(b(p), b('a/b')));
    const first = inside.indexOf(0);
    const last = inside.lastIndexOf(0);
    expect(inside.slice(first, last + 1).every((c) => c === 0)).toBe(true);
    expect(inside.slice(0, first).every((c) => c < 0)).toBe(true);
    expect(inside.slice(last + 1).every((c) => c > 0)).toBe(true);
    expect(paths.slice(first, last + 1)).toEqual(['a/b/c/3', 'a/b/2', 'a/b/c']);
  });

  it('splits paths', () => {
    expect(parentOf(b('a/b/c')).toString()).toBe('a/b');
    expect(parentOf(b('a')).length).toBe(0);
    expect(Buffer.from(nameOf(b('a/b/c'))).toString()).toBe('c');
    expect(isWithin(b('a/b'), b('a'))).toBe(true);
    expect(isWithin(b('ab'), b('a'))).toBe(false);
    expect(isWithin(b('a'), b(''))).toBe(true);
  });
});
