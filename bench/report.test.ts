import { describe, expect, it } from 'vitest';
import type { Measurement } from './measure.js';
import {
  GOALS,
  diskRatio,
  diskTarget,
  formatTargets,
  formatUnevenRuns,
  formatWorkloadTable,
  maxOf,
  rssScalingTarget,
  speedRatio,
  summarize,
  targets,
  timeRatio,
  toolLabel,
  unevenRuns,
  verdict,
  type Op,
  type ToolId,
  type ToolSummary,
} from './report.js';

/** A summary whose runs took `seconds` with peak RSS `rssMiB` (scelle alone, or one process). */
function sum(op: Op, tool: ToolId, seconds: number[], rssMiB = 10, bytes = 1e6): ToolSummary {
  const samples = seconds.map((s, i) => ({
    run: i,
    position: 0,
    m: { seconds: s, rssKiB: { [tool]: rssMiB * 1024 }, rssTotalKiB: rssMiB * 1024, stdout: '' } satisfies Measurement,
  }));
  return summarize(op, tool, samples, bytes);
}

const byName = (vs: ReturnType<typeof targets>) => Object.fromEntries(vs.map((v) => [v.name, v]));

describe('ratios', () => {
  it('speed ratio = the other time / scelle time, time ratio its inverse, from medians', () => {
    const scelle = sum('seal', 'scelle', [2, 4, 3]);
    const peer = sum('seal', 'tar|age', [1.5, 1.5, 9]);
    expect(scelle.medianSeconds).toBe(3);
    expect(speedRatio(scelle, peer)).toBeCloseTo(0.5);
    expect(timeRatio(scelle, peer)).toBeCloseTo(2);
    expect(speedRatio(scelle, undefined)).toBeNaN();
    expect(timeRatio(undefined, peer)).toBeNaN();
  });
  it('max of the numbers present', () => {
    expect(maxOf([1, NaN, 3])).toBe(3);
    expect(maxOf([NaN])).toBeNaN();
    expect(maxOf([])).toBeNaN();
  });
});

describe('verdicts', () => {
  it('compares in the stated direction, boundary included for ≥ and ≤ only', () => {
    expect(verdict('w', 'x', 0.7, '≥', 0.7, '×').pass).toBe(true);
    expect(verdict('w', 'x', 0.69, '≥', 0.7, '×').pass).toBe(false);
    expect(verdict('w', 'x', 1.5, '≤', 1.5, '×').pass).toBe(true);
    expect(verdict('w', 'x', 1.51, '≤', 1.5, '×').pass).toBe(false);
    expect(verdict('w', 'x', 0.5, '<', 0.5, 's').pass).toBe(false);
    expect(verdict('w', 'x', 0.49, '<', 0.5, 's').pass).toBe(true);
    expect(verdict('w', 'x', 1, '>', 1, '×').pass).toBe(false);
    expect(verdict('w', 'x', 1.01, '>', 1, '×').pass).toBe(true);
  });
  it('never passes a missing measurement, and prints it as n/a', () => {
    const v = verdict('w', 'missing', NaN, '≤', 256, 'MiB');
    expect(v.pass).toBe(false);
    expect(formatTargets([v])).toMatch(/missing\s+n\/a\s+n\/a$/m);
  });
});

describe('targets of the many workload', () => {
  const sums = [
    sum('seal', 'scelle', [10], 200),
    sum('seal', 'tar|age', [7.5]),
    sum('seal', 'restic', [12]),
    sum('open', 'scelle', [8], 150),
    sum('open', 'age|tar', [8]),
    sum('open', 'restic', [6]),
    sum('list', 'scelle', [3], 100),
    sum('list', 'age|tar-t', [2]),
    sum('open-one', 'scelle', [0.45], 80),
    sum('verify', 'scelle', [5], 300),
  ];
  const v = byName(targets('many', sums));
  it('seal: speed ≥ 0.7× tar|age (7.5 / 10 = 0.75)', () => {
    expect(v['seal many ≥ 0.7× tar|age']).toMatchObject({ measured: 0.75, pass: true });
  });
  it('open: ≥ 1.0× (8 / 8 = 1, the boundary passes)', () => {
    expect(v['open many ≥ 1.0× age -d|tar -x']).toMatchObject({ measured: 1, pass: true });
  });
  it('list: scelle time ÷ tar -t time ≤ 1.5 (3 / 2 = 1.5)', () => {
    expect(v['list many time ≤ 1.5× age -d|tar -t']).toMatchObject({ measured: 1.5, pass: true });
  });
  it('open one file: absolute time under 0.5 s', () => {
    expect(v['open one file (many) < 0.5 s']).toMatchObject({ measured: 0.45, unit: 's', pass: true });
  });
  it('peak RSS of each scelle op ≤ 256 MiB', () => {
    expect(v['scelle seal peak RSS (many) ≤ 256 MiB']?.pass).toBe(true);
    expect(v['scelle verify peak RSS (many) ≤ 256 MiB']).toMatchObject({ measured: 300, pass: false });
    expect(v['scelle list peak RSS (many) ≤ 256 MiB']).toMatchObject({ measured: 100, pass: true });
  });
  it('restic: ahead means a speed ratio above 1', () => {
    expect(v['seal many ahead of restic backup']).toMatchObject({ measured: 1.2, pass: true });
    expect(v['open many ahead of restic restore']).toMatchObject({ measured: 0.75, pass: false });
  });
  it('leaves restic out when it did not run, and reports missing ops as n/a', () => {
    const only = byName(targets('many', [sum('seal', 'scelle', [10]), sum('seal', 'tar|age', [5])]));
    expect(only['seal many ahead of restic backup']).toBeUndefined();
    expect(only['open one file (many) < 0.5 s']?.measured).toBeNaN();
    expect(only['list many time ≤ 1.5× age -d|tar -t']?.pass).toBe(false);
  });
});

describe('targets of large and small', () => {
  it('keep their goals, and RSS is the larger of seal and open', () => {
    const v = byName(targets('small', [sum('seal', 'scelle', [2], 100), sum('seal', 'tar|age', [2.4]), sum('open', 'scelle', [1], 260), sum('open', 'age|tar', [1.5])]));
    expect(v['seal small ≥ 1.2× tar|age']).toMatchObject({ measured: 1.2, pass: true });
    expect(v['open small ≥ 1.5× age -d|tar -x']).toMatchObject({ measured: 1.5, pass: true });
    expect(v['scelle peak RSS (small) < 256 MiB']).toMatchObject({ measured: 260, pass: false });
    expect(GOALS.large).toEqual({ seal: 1.5, open: 1.5 });
  });
});

describe('the disk target', () => {
  it('divides the seal to disk by the slower of the tmpfs seal and cp -r + sync', () => {
    const sums = [sum('seal', 'scelle', [5]), sum('seal', 'scelle@tmpfs', [3]), sum('seal', 'cp+sync', [4])];
    expect(diskRatio(sums)).toBeCloseTo(1.25);
    expect(diskTarget(sums).pass).toBe(true);
    expect(diskRatio([sum('seal', 'scelle', [5]), sum('seal', 'scelle@tmpfs', [4.5]), sum('seal', 'cp+sync', [2])])).toBeCloseTo(5 / 4.5);
    expect(diskTarget([sums[0] as ToolSummary, sum('seal', 'cp+sync', [1])]).measured).toBeNaN();
    expect(targets('disk', sums)).toHaveLength(1);
  });
});

describe('the RSS scaling target', () => {
  it('is the seal peak RSS at many files over that at the small workload, ≤ 1.25', () => {
    const ok = rssScalingTarget(1_000_000, 250 * 1024, 50_000, 200 * 1024);
    expect(ok).toMatchObject({ measured: 1.25, pass: true, name: 'seal RSS at 1,000,000 / at 50,000 files ≤ 1.25' });
    expect(rssScalingTarget(1_000_000, 251 * 1024, 50_000, 200 * 1024).pass).toBe(false);
    expect(rssScalingTarget(1_000_000, 100, 50_000, 0).measured).toBeNaN();
  });
});

describe('the table', () => {
  it('labels restic by operation, shows ratios against scelle, and no MB/s for one file', () => {
    expect(toolLabel('seal', 'restic')).toBe('restic backup');
    expect(toolLabel('open', 'restic')).toBe('restic restore');
    const text = formatWorkloadTable('t', 1e6, [
      sum('seal', 'scelle', [2]),
      sum('seal', 'restic', [3]),
      sum('open-one', 'scelle', [0.3], 10, 100),
      sum('list', 'scelle', [1]),
      sum('list', 'age|tar-t', [0.5]),
    ]);
    const row = (label: string) => text.split('\n').find((l) => l.includes(label)) ?? '';
    expect(row('restic backup')).toMatch(/3\.000\s+0\.3\s+1\.50×/);
    expect(row('age -d | tar -t')).toMatch(/0\.50×/);
    expect(row('open-one')).toMatch(/^open-one scelle\s+0\.300\s{2,}0\.30/);
  });
});

describe('unevenRuns', () => {
  it("names the tools whose slowest run took over 1.5× their fastest (session 12's large seal), and only those", () => {
    const sums = [
      sum('seal', 'scelle', [6.29, 6.28, 4.94]), // 1.27×: uneven, but within the limit
      sum('seal', 'scelle×2', [6.01, 2.5, 5.84]), // 2.40×
      sum('open', 'age|tar', [3.06, 6.87, 3.91]), // 2.25×
      sum('seal', 'scelle+code', [3.37]), // one run cannot tell
    ];
    const uneven = unevenRuns('large', sums);
    expect(uneven.map((u) => [u.op, u.tool])).toEqual([
      ['seal', 'scelle×2'],
      ['open', 'age|tar'],
    ]);
    expect(uneven[0]!.spread).toBeCloseTo(6.01 / 2.5, 6);
    const text = formatUnevenRuns(uneven);
    expect(text).toContain('uneven runs');
    expect(text).toContain('large seal scelle, 2-drive set: 2.40×');
    expect(text).toContain('large open age -d | tar -x: 2.25×');
  });

  it("prints nothing when every tool's runs agree", () => {
    const sums = [sum('seal', 'scelle', [2.23, 2.26, 2.22]), sum('open', 'scelle', [1.75, 1.85, 1.94])];
    expect(unevenRuns('small', sums)).toEqual([]);
    expect(formatUnevenRuns([])).toBe('');
  });
});
