// Summaries, target verdicts and the printed table.
import type { Measurement } from './measure.js';

export type Op = 'seal' | 'open';
export type ToolId = 'scelle' | 'tar|age' | 'cp' | 'age|tar' | 'scelle+code';

export const TOOL_LABEL: Record<ToolId, string> = {
  scelle: 'scelle',
  'tar|age': 'tar -c | age -r',
  cp: 'cp -r',
  'age|tar': 'age -d | tar -x',
  'scelle+code': 'scelle (+unlock code)',
};

export interface Sample { run: number; position: number; m: Measurement }

export interface ToolSummary {
  op: Op;
  tool: ToolId;
  runs: number;
  seconds: number[];
  medianSeconds: number;
  mbPerSecond: number;
  /** Max over runs of each process's peak RSS, KiB. */
  peakRssKiB: Record<string, number>;
  peakRssTotalKiB: number;
}

export interface TargetVerdict {
  workload: string;
  name: string;
  measured: number;
  goal: number;
  unit: '×' | 'MiB';
  pass: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

export function summarize(op: Op, tool: ToolId, samples: Sample[], bytes: number): ToolSummary {
  const seconds = samples.map((s) => s.m.seconds);
  const med = median(seconds);
  const peakRssKiB: Record<string, number> = {};
  let peakRssTotalKiB = 0;
  for (const s of samples) {
    for (const [k, v] of Object.entries(s.m.rssKiB)) peakRssKiB[k] = Math.max(peakRssKiB[k] ?? 0, v);
    peakRssTotalKiB = Math.max(peakRssTotalKiB, s.m.rssTotalKiB);
  }
  return { op, tool, runs: samples.length, seconds, medianSeconds: med, mbPerSecond: bytes / 1e6 / med, peakRssKiB, peakRssTotalKiB };
}

/** Speed ratio a / b (> 1: a is faster). */
export function speedRatio(a: ToolSummary | undefined, b: ToolSummary | undefined): number {
  return a && b ? b.medianSeconds / a.medianSeconds : NaN;
}

export function targets(workload: string, sums: ToolSummary[]): TargetVerdict[] {
  const get = (op: Op, tool: ToolId) => sums.find((s) => s.op === op && s.tool === tool);
  const v: TargetVerdict[] = [];
  const sealGoal = workload === 'large' ? 1.5 : 1.2;
  const seal = speedRatio(get('seal', 'scelle'), get('seal', 'tar|age'));
  v.push({ workload, name: `seal ${workload} ≥ ${sealGoal}× tar|age`, measured: seal, goal: sealGoal, unit: '×', pass: seal >= sealGoal });
  const open = speedRatio(get('open', 'scelle'), get('open', 'age|tar'));
  v.push({ workload, name: `open ${workload} ≥ 1.5× age -d|tar -x`, measured: open, goal: 1.5, unit: '×', pass: open >= 1.5 });
  const rss = Math.max(get('seal', 'scelle')?.peakRssTotalKiB ?? 0, get('open', 'scelle')?.peakRssTotalKiB ?? 0) / 1024;
  v.push({ workload, name: `scelle peak RSS (${workload}) < 256 MiB`, measured: rss, goal: 256, unit: 'MiB', pass: rss < 256 });
  return v;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function fmtRss(s: ToolSummary): string {
  const parts = Object.entries(s.peakRssKiB);
  const total = (s.peakRssTotalKiB / 1024).toFixed(1);
  if (parts.length <= 1) return total;
  return `${total} (${parts.map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`).join(' + ')})`;
}

export function formatWorkloadTable(title: string, bytes: number, sums: ToolSummary[]): string {
  const lines: string[] = [title];
  const header = `${pad('op', 5)} ${pad('tool', 22)} ${pad('median s', 9, true)} ${pad('MB/s', 8, true)} ${pad('vs scelle', 9, true)}  ${pad('runs (s)', 26)} peak RSS MiB`;
  lines.push(header, '-'.repeat(header.length + 12));
  for (const op of ['seal', 'open'] as Op[]) {
    const ref = sums.find((s) => s.op === op && s.tool === 'scelle');
    for (const s of sums.filter((x) => x.op === op)) {
      const rel = s.tool === 'scelle' || s.tool === 'scelle+code' || !ref ? '' : `${speedRatio(ref, s).toFixed(2)}×`;
      lines.push(`${pad(op, 5)} ${pad(TOOL_LABEL[s.tool], 22)} ${pad(s.medianSeconds.toFixed(3), 9, true)} ${pad(s.mbPerSecond.toFixed(1), 8, true)} ${pad(rel, 9, true)}  ${pad(s.seconds.map((x) => x.toFixed(2)).join(' '), 26)} ${fmtRss(s)}`);
    }
  }
  lines.push(`(MB = 10^6 bytes of source data, ${bytes} bytes; "vs scelle" = the other tool's time / scelle's time, > 1 means scelle is faster)`);
  return lines.join('\n');
}

export function formatTargets(vs: TargetVerdict[]): string {
  const lines = ['Targets (informative)', '-'.repeat(64)];
  for (const v of vs) {
    const m = Number.isNaN(v.measured) ? 'n/a' : v.unit === '×' ? `${v.measured.toFixed(2)}×` : `${v.measured.toFixed(1)} MiB`;
    lines.push(`${pad(v.name, 40)} ${pad(m, 12, true)}  ${Number.isNaN(v.measured) || v.measured === 0 ? 'n/a' : v.pass ? 'PASS' : 'FAIL'}`);
  }
  return lines.join('\n');
}
