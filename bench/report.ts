// Summaries, target verdicts and the printed table.
import type { Measurement } from './measure.js';

export type Op = 'seal' | 'open' | 'list' | 'open-one' | 'verify';
export const OPS: Op[] = ['seal', 'open', 'list', 'open-one', 'verify'];
export type ToolId = 'scelle' | 'tar|age' | 'cp' | 'age|tar' | 'scelle+code' | 'restic' | 'age|tar-t' | 'scelle@tmpfs' | 'cp+sync' | 'scelle×2';

export const TOOL_LABEL: Record<ToolId, string> = {
  scelle: 'scelle',
  'tar|age': 'tar -c | age -r',
  cp: 'cp -r',
  'age|tar': 'age -d | tar -x',
  'scelle+code': 'scelle (+unlock code)',
  restic: 'restic',
  'age|tar-t': 'age -d | tar -t',
  'scelle@tmpfs': 'scelle (to tmpfs)',
  'cp+sync': 'cp -r + sync',
  'scelle×2': 'scelle, 2-drive set',
};

/** The printed name of a tool for an operation (restic's commands differ between seal and open). */
export function toolLabel(op: Op, tool: ToolId): string {
  if (tool === 'restic') return op === 'seal' ? 'restic backup' : 'restic restore';
  return TOOL_LABEL[tool];
}

/** The goals of the issues, per workload. Speed goals are ratios of the peer's time to Scellé's. */
export const GOALS = {
  large: { seal: 1.5, open: 1.5 },
  small: { seal: 1.2, open: 1.5 },
  /** Issue 8's lines: scelle's time ÷ its floor + files + fixed (floor.ts), at most this, seal and open alike. */
  floor: { large: 1.2, small: 1.3 } as Readonly<Record<string, number>>,
  many: { seal: 0.7, open: 1.0, listTimeRatio: 1.5, openOneSeconds: 0.5 },
  rssMiB: 256,
  /** Seal peak RSS on many ÷ on small. */
  rssScaling: 1.25,
  /** Seal to disk ÷ the slower of (seal to tmpfs, cp -r + sync to the disk). */
  disk: 1.25,
  /** The large workload sealed as a two-member set ÷ sealed onto one drive (time ratio). */
  setSeal: 1.1,
} as const;

export interface Sample {
  run: number;
  position: number;
  m: Measurement;
}

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

export type Cmp = '≥' | '≤' | '<' | '>';

export interface TargetVerdict {
  workload: string;
  name: string;
  measured: number;
  goal: number;
  /** measured `cmp` goal passes. */
  cmp: Cmp;
  unit: '×' | 'MiB' | 's';
  pass: boolean;
}

/** A verdict: passes when `measured cmp goal`; never when the measurement is missing (NaN). */
export function verdict(workload: string, name: string, measured: number, cmp: Cmp, goal: number, unit: TargetVerdict['unit']): TargetVerdict {
  const pass = !Number.isNaN(measured) && (cmp === '≥' ? measured >= goal : cmp === '≤' ? measured <= goal : cmp === '<' ? measured < goal : measured > goal);
  return { workload, name, measured, goal, cmp, unit, pass };
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

/** Slowest run ÷ fastest run above which a tool's runs disagree too much for its median to be read as its speed. */
export const UNEVEN_RUNS_LIMIT = 1.5;

/** A tool whose runs on one workload disagree (slowest ÷ fastest over {@link UNEVEN_RUNS_LIMIT}). */
export interface UnevenRuns {
  workload: string;
  op: Op;
  tool: ToolId;
  /** Slowest run ÷ fastest run. */
  spread: number;
}

/**
 * The tools of `workload` whose runs disagree: slowest ÷ fastest over `limit` (tools with fewer
 * than two runs cannot tell and are left out). On this shared VM a run can take twice another
 * of the same command (docs/BENCHMARKS.md, sessions 11 and 12), and a median of three such runs
 * says more about the machine than about the tool.
 */
export function unevenRuns(workload: string, sums: ToolSummary[], limit = UNEVEN_RUNS_LIMIT): UnevenRuns[] {
  const out: UnevenRuns[] = [];
  for (const s of sums) {
    if (s.seconds.length < 2) continue;
    const spread = Math.max(...s.seconds) / Math.min(...s.seconds);
    if (spread > limit) out.push({ workload, op: s.op, tool: s.tool, spread });
  }
  return out;
}

/** The printed warning for uneven runs, or '' when every tool's runs agree. */
export function formatUnevenRuns(uneven: UnevenRuns[], limit = UNEVEN_RUNS_LIMIT): string {
  if (uneven.length === 0) return '';
  const lines = [
    `uneven runs: the slowest run took over ${limit}× the fastest for these tools, so their medians (and the ratios and targets built on them) reflect this machine more than the tool; run the bench again on a quiet machine:`,
  ];
  for (const u of uneven) lines.push(`  ${u.workload} ${u.op} ${toolLabel(u.op, u.tool)}: ${u.spread.toFixed(2)}×`);
  return lines.join('\n');
}

/** Time ratio a / b (< 1: a is faster); the inverse of speedRatio. */
export function timeRatio(a: ToolSummary | undefined, b: ToolSummary | undefined): number {
  return a && b ? a.medianSeconds / b.medianSeconds : NaN;
}

const findSummary = (sums: ToolSummary[]) => (op: Op, tool: ToolId) => sums.find((s) => s.op === op && s.tool === tool);
const rssMiB = (s: ToolSummary | undefined) => (s ? s.peakRssTotalKiB / 1024 : NaN);

/** The largest of the numbers that are not NaN; NaN when there are none. */
export function maxOf(xs: number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? Math.max(...ok) : NaN;
}

export function targets(workload: string, sums: ToolSummary[]): TargetVerdict[] {
  const get = findSummary(sums);
  const v: TargetVerdict[] = [];
  if (workload === 'disk') return [diskTarget(sums)];
  if (workload === 'many') {
    const g = GOALS.many;
    v.push(verdict(workload, `seal many ≥ ${g.seal}× tar|age`, speedRatio(get('seal', 'scelle'), get('seal', 'tar|age')), '≥', g.seal, '×'));
    v.push(verdict(workload, `open many ≥ ${g.open.toFixed(1)}× age -d|tar -x`, speedRatio(get('open', 'scelle'), get('open', 'age|tar')), '≥', g.open, '×'));
    v.push(verdict(workload, `list many time ≤ ${g.listTimeRatio}× age -d|tar -t`, timeRatio(get('list', 'scelle'), get('list', 'age|tar-t')), '≤', g.listTimeRatio, '×'));
    v.push(verdict(workload, `open one file (many) < ${g.openOneSeconds} s`, get('open-one', 'scelle')?.medianSeconds ?? NaN, '<', g.openOneSeconds, 's'));
    for (const op of ['seal', 'open', 'list', 'verify'] as Op[]) {
      v.push(verdict(workload, `scelle ${op} peak RSS (many) ≤ ${GOALS.rssMiB} MiB`, rssMiB(get(op, 'scelle')), '≤', GOALS.rssMiB, 'MiB'));
    }
  } else {
    const goals = workload === 'large' ? GOALS.large : GOALS.small;
    v.push(verdict(workload, `seal ${workload} ≥ ${goals.seal}× tar|age`, speedRatio(get('seal', 'scelle'), get('seal', 'tar|age')), '≥', goals.seal, '×'));
    v.push(verdict(workload, `open ${workload} ≥ ${goals.open}× age -d|tar -x`, speedRatio(get('open', 'scelle'), get('open', 'age|tar')), '≥', goals.open, '×'));
    const rss = maxOf([rssMiB(get('seal', 'scelle')), rssMiB(get('open', 'scelle'))]);
    v.push(verdict(workload, `scelle peak RSS (${workload}) < ${GOALS.rssMiB} MiB`, rss, '<', GOALS.rssMiB, 'MiB'));
    if (get('seal', 'scelle×2')) {
      v.push(
        verdict(workload, `seal ${workload} as a 2-drive set ≤ ${GOALS.setSeal}× one drive`, timeRatio(get('seal', 'scelle×2'), get('seal', 'scelle')), '≤', GOALS.setSeal, '×'),
      );
    }
  }
  if (get('seal', 'restic') || get('open', 'restic')) {
    v.push(verdict(workload, `seal ${workload} ahead of restic backup`, speedRatio(get('seal', 'scelle'), get('seal', 'restic')), '>', 1, '×'));
    v.push(verdict(workload, `open ${workload} ahead of restic restore`, speedRatio(get('open', 'scelle'), get('open', 'restic')), '>', 1, '×'));
  }
  return v;
}

/** Seal to disk ÷ the slower of the same seal to tmpfs and cp -r + sync to the disk (time ratio). */
export function diskRatio(sums: ToolSummary[]): number {
  const get = findSummary(sums);
  const disk = get('seal', 'scelle'),
    tmpfs = get('seal', 'scelle@tmpfs'),
    cp = get('seal', 'cp+sync');
  if (!disk || !tmpfs || !cp) return NaN;
  return disk.medianSeconds / Math.max(tmpfs.medianSeconds, cp.medianSeconds);
}

export function diskTarget(sums: ToolSummary[]): TargetVerdict {
  return verdict('disk', `seal to disk ≤ ${GOALS.disk}× max(tmpfs seal, cp+sync)`, diskRatio(sums), '≤', GOALS.disk, '×');
}

/** Seal peak RSS at many files ÷ at the small workload's file count (KiB in, ratio out). */
export function rssScalingTarget(manyFiles: number, manyKiB: number, smallFiles: number, smallKiB: number): TargetVerdict {
  const ratio = manyKiB > 0 && smallKiB > 0 ? manyKiB / smallKiB : NaN;
  const n = (x: number) => x.toLocaleString('en-US');
  return verdict('many', `seal RSS at ${n(manyFiles)} / at ${n(smallFiles)} files ≤ ${GOALS.rssScaling}`, ratio, '≤', GOALS.rssScaling, '×');
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
  const header = `${pad('op', 8)} ${pad('tool', 22)} ${pad('median s', 9, true)} ${pad('MB/s', 8, true)} ${pad('vs scelle', 9, true)}  ${pad('runs (s)', 26)} peak RSS MiB`;
  lines.push(header, '-'.repeat(header.length + 12));
  for (const op of OPS) {
    const ref = sums.find((s) => s.op === op && s.tool === 'scelle');
    for (const s of sums.filter((x) => x.op === op)) {
      const rel = s.tool === 'scelle' || s.tool === 'scelle+code' || !ref ? '' : `${speedRatio(ref, s).toFixed(2)}×`;
      const mbs = op === 'open-one' ? '' : s.mbPerSecond.toFixed(1);
      lines.push(
        `${pad(op, 8)} ${pad(toolLabel(op, s.tool), 22)} ${pad(s.medianSeconds.toFixed(3), 9, true)} ${pad(mbs, 8, true)} ${pad(rel, 9, true)}  ${pad(s.seconds.map((x) => x.toFixed(2)).join(' '), 26)} ${fmtRss(s)}`,
      );
    }
  }
  lines.push(`(MB = 10^6 bytes of source data, ${bytes} bytes; "vs scelle" = the other tool's time / scelle's time, > 1 means scelle is faster)`);
  return lines.join('\n');
}

export function formatMeasured(v: TargetVerdict): string {
  if (Number.isNaN(v.measured)) return 'n/a';
  if (v.unit === '×') return `${v.measured.toFixed(2)}×`;
  if (v.unit === 's') return `${v.measured.toFixed(3)} s`;
  return `${v.measured.toFixed(1)} MiB`;
}

/** The verdicts as a table under `title`; a missing measurement shows n/a. */
export function formatTargets(vs: TargetVerdict[], title = 'Targets (informative)'): string {
  const lines = [title, '-'.repeat(72)];
  for (const v of vs) {
    const missing = Number.isNaN(v.measured) || (v.unit === 'MiB' && v.measured === 0);
    lines.push(`${pad(v.name, 52)} ${pad(formatMeasured(v), 12, true)}  ${missing ? 'n/a' : v.pass ? 'PASS' : 'FAIL'}`);
  }
  return lines.join('\n');
}
