import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorNsPerByte, floorSeconds, floorTargets, formatFloor, freshWriteNsPerByte, perFileSeconds, withCountSeconds, type StepCosts } from './floor.js';

const steps: StepCosts = { sha256: 0.5, aesGcm: 0.4, tmpfsWrite: 0.3, tmpfsRead: 0.2 };

describe('the format floor', () => {
  it('adds up the steps each operation must do per byte', () => {
    expect(floorNsPerByte('seal', steps)).toBeCloseTo(0.2 + 0.5 + 0.4 + 0.5 + 0.3);
    expect(floorNsPerByte('open', steps)).toBeCloseTo(0.2 + 0.4 + 0.5 + 0.3);
    // 1e9 bytes at 1.9 ns/B on 2 cores, plus 0.25 s fixed.
    expect(floorSeconds('seal', steps, 1e9, 2, 0.25)).toBeCloseTo(0.95 + 0.25);
  });
  it('takes the per-byte reads and writes out of tar alone, never below zero', () => {
    expect(perFileSeconds(steps, 1e9, 1.5)).toBeCloseTo(1.0);
    expect(perFileSeconds(steps, 1e9, 0.1)).toBe(0);
  });
  it('says where each target lies', () => {
    const row = { workload: 'w', op: 'open' as const, bytes: 1e9, goal: 1.5, scelleSeconds: 2 };
    // floor 0.7 s; + files (1.5 − 0.5) / 2 = 1.2 s; + fixed 0.2 = 1.4 s.
    const text = formatFloor(steps, 2, 0.2, [
      { ...row, baselineSeconds: 0.9, tarAloneSeconds: 1.5 },
      { ...row, baselineSeconds: 1.5, tarAloneSeconds: 1.5 },
      { ...row, baselineSeconds: 1.95, tarAloneSeconds: 1.5 },
      { ...row, baselineSeconds: 3, tarAloneSeconds: 1.5 },
    ]);
    const verdicts = text
      .split('\n')
      .slice(-4)
      .map((l) => l.slice(l.lastIndexOf(': ') + 2));
    expect(verdicts).toEqual([
      'unreachable with this format in Node on this machine',
      'unreachable with this format in Node on this machine',
      'below the floor + files + fixed',
      'above the floor + files + fixed',
    ]);
    expect(text).toContain('open w: floor 0.70 s, + files 1.20 s, + fixed 1.40 s');
    expect(text).toContain('≤ 0.60 s: below the floor:');
    expect(text).toContain('≤ 1.00 s: below the floor + files:');
  });
  it("adds a seal's count alone to its line when it was measured, and only to a seal's", () => {
    // seal of 1e9 bytes: floor 1.9 / 2 = 0.95 s; + files (1.5 − 0.5) / 2 = 1.45 s; + fixed 0.2 = 1.65 s; + count 0.35 = 2.0 s.
    const seal = { workload: 'small', op: 'seal' as const, bytes: 1e9, goal: 1.2, baselineSeconds: 3, scelleSeconds: 2.5, tarAloneSeconds: 1.5, countSeconds: 0.35 };
    expect(withCountSeconds(steps, 2, 0.2, seal)).toBeCloseTo(2.0);
    expect(withCountSeconds(steps, 2, 0.2, { ...seal, countSeconds: undefined })).toBeUndefined();
    expect(withCountSeconds(steps, 2, 0.2, { ...seal, tarAloneSeconds: undefined })).toBeUndefined();
    expect(withCountSeconds(steps, 2, 0.2, { ...seal, op: 'open' })).toBeUndefined();
    const text = formatFloor(steps, 2, 0.2, [seal, { ...seal, countSeconds: undefined }]);
    expect(text).toContain('seal small: floor 0.95 s, + files 1.45 s, + fixed 1.65 s, + count 2.00 s; scelle 2.50 s (1.25× the floor + files + fixed + count);');
    expect(text).toContain('seal small: floor 0.95 s, + files 1.45 s, + fixed 1.65 s; scelle 2.50 s;');
    // The issue's own verdict stays against floor + files + fixed.
    expect(floorTargets(steps, 2, 0.2, [seal])[0]!.measured).toBeCloseTo(2.5 / 1.65, 6);
  });
  it("judges the issue's lines: scelle ÷ (floor + files + fixed), ≤ 1.3× for small files and 1.2× for large ones", () => {
    // open of 1e9 bytes: floor 0.7 s, + files (1.5 − 0.5) / 2 = 1.2 s, + fixed 0.2 = 1.4 s.
    const row = { bytes: 1e9, goal: 1.5, baselineSeconds: 3, tarAloneSeconds: 1.5, op: 'open' as const };
    const vs = floorTargets(steps, 2, 0.2, [
      { ...row, workload: 'small', scelleSeconds: 1.4 * 1.3 - 0.01 },
      { ...row, workload: 'large', scelleSeconds: 1.4 * 1.2 + 0.01 },
      { ...row, workload: 'many', scelleSeconds: 9 }, // no floor line for many files: not judged here
      { ...row, workload: 'small', scelleSeconds: 1, tarAloneSeconds: undefined }, // no tar alone: cannot be judged
    ]);
    expect(vs.map((v) => [v.name, v.pass])).toEqual([
      ['open small ≤ 1.3× floor + files + fixed', true],
      ['open large ≤ 1.2× floor + files + fixed', false],
      ['open small ≤ 1.3× floor + files + fixed', false],
    ]);
    expect(vs[0]!.measured).toBeCloseTo((1.4 * 1.3 - 0.01) / 1.4, 6);
    expect(vs[2]!.measured).toBeNaN();
  });
  it('times one write into fresh memory and leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scelle-fresh-'));
    const ns = freshWriteNsPerByte(dir);
    expect(Number.isFinite(ns) && ns > 0).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
