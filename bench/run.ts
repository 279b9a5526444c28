// Scellé benchmark: `scelle seal` / `open` / `list` / `verify` against `tar | age`, `age -d | tar -x`,
// `age -d | tar -t`, `cp -r` and restic, on deterministic workloads in tmpfs (/dev/shm), so that the
// CPU path is measured, not a disk; and one seal to a disk-backed folder against `cp -r` + `sync`.
//
//   npm run bench -- [--scale 0.1] [--only large|small|many|disk] [--runs 3] [--keep] [--dir /dev/shm/scelle-bench]
//
// See docs/BENCHMARKS.md. Results: a table on stdout, and dist/bench-results/latest.json.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statfsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CommandError, findExecutable, hasGnuTime, measure, shellQuote, type CommandSpec, type Measurement, type RssProbe } from './measure.js';
import {
  GOALS,
  OPS,
  formatTargets,
  formatUnevenRuns,
  formatWorkloadTable,
  median,
  rssScalingTarget,
  summarize,
  targets,
  toolLabel,
  unevenRuns,
  type Op,
  type Sample,
  type TargetVerdict,
  type ToolId,
  type ToolSummary,
} from './report.js';
import { floorTargets, formatFloor, freshWriteNsPerByte, measureStepCosts } from './floor.js';
import { scelleBinFlags } from './node-flags.js';
import { holdFreedMemory, memAvailableBytes, readPageReporting, reportsFreedMemory, warmBytes, warmFreeMemory, type HeldMemory } from './freed-memory.js';
import { ensureWorkload, estimateBytes, sha256File, summarizeTree, verifyTree, workloadDirName, workloadParams, type Workload, type WorkloadName } from './workload.js';

/** A workload, or `disk`: the large workload sealed to a disk-backed folder. */
type BenchName = WorkloadName | 'disk';
const ALL: BenchName[] = ['large', 'small', 'many', 'disk'];

const USAGE = `Usage: node dist/bench/run.js [options]   (or: npm run bench -- [options])
  --scale <x>          shrink or grow the workloads (default 1: 4 × 512 MiB, 50,000 small files,
                       1,000,000 tiny files in 1,000 folders)
  --only large|small|many|disk   run one workload (default: all four)
  --runs <n>           measured runs per tool (default 3; the median is reported)
  --keep               keep the last run's outputs (sealed drive, .age file, restic repository, restored trees)
  --dir <path>         working directory on tmpfs (default /dev/shm/scelle-bench)
  --disk-dir <path>    disk-backed folder for the disk workload (default /var/tmp/scelle-bench-disk;
                       must not be tmpfs; what the bench writes there is deleted at the end)
  --no-restic          leave restic out (when it is not installed)
  --rss-probe time|proc  peak RSS from /usr/bin/time (default when present) or /proc polling
  --no-code-run        skip the one extra seal with an unlock code (Argon2id)
  --hold-memory        on a VM that hands freed memory back to its host (Linux free page reporting),
                       keep it for the run (root: sets page_reporting_order, put back at the end) and
                       write once into the free memory first, so that no run pays the host for it
  --clean              delete the working directory (cached workloads included) and exit
  -h, --help           this help`;

interface Options {
  scale: number;
  only: BenchName | null;
  runs: number;
  keep: boolean;
  dir: string;
  diskDir: string;
  restic: boolean;
  probe: RssProbe;
  codeRun: boolean;
  holdMemory: boolean;
  clean: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      only: { type: 'string' },
      runs: { type: 'string' },
      keep: { type: 'boolean' },
      dir: { type: 'string' },
      'disk-dir': { type: 'string' },
      'no-restic': { type: 'boolean' },
      'rss-probe': { type: 'string' },
      'no-code-run': { type: 'boolean' },
      'hold-memory': { type: 'boolean' },
      clean: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0) || scale > 4) throw new UsageError('--scale must be a number in (0, 4]');
  const runs = values.runs === undefined ? 3 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError('--runs must be an integer in 1..50');
  const only = values.only ?? null;
  if (only !== null && !(ALL as string[]).includes(only)) throw new UsageError(`--only must be one of ${ALL.join(', ')}`);
  const probe = values['rss-probe'] ?? (hasGnuTime() ? 'time' : 'proc');
  if (probe !== 'time' && probe !== 'proc') throw new UsageError('--rss-probe must be time or proc');
  if (probe === 'time' && !hasGnuTime()) throw new UsageError('--rss-probe time needs /usr/bin/time (apt-get install -y time)');
  return {
    scale,
    runs,
    only: only as BenchName | null,
    probe,
    keep: values.keep ?? false,
    dir: resolve(values.dir ?? '/dev/shm/scelle-bench'),
    diskDir: resolve(values['disk-dir'] ?? '/var/tmp/scelle-bench-disk'),
    restic: !values['no-restic'],
    codeRun: !values['no-code-run'],
    holdMemory: values['hold-memory'] ?? false,
    clean: values.clean ?? false,
  };
}

class UsageError extends Error {}
class BenchError extends Error {}

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'scelle') return d;
    const up = dirname(d);
    if (up === d) throw new BenchError('cannot find the scelle repository root (package.json)');
    d = up;
  }
}

/** Checks the external tools; on a miss prints the apt-get command and returns false. */
function checkTools(opts: Options): boolean {
  const needed: [string, string][] = [
    ['age', 'age'],
    ['age-keygen', 'age'],
    ['tar', 'tar'],
    ['cp', 'coreutils'],
    ['bash', 'bash'],
    ['rm', 'coreutils'],
    ['sync', 'coreutils'],
    ['stat', 'coreutils'],
    ['tail', 'coreutils'],
    ['wc', 'coreutils'],
  ];
  if (opts.restic) needed.push(['restic', 'restic']);
  const missing = needed.filter(([exe]) => !findExecutable(exe));
  if (missing.length === 0) return true;
  const pkgs = [...new Set(missing.map(([, p]) => p))];
  console.error(
    `Missing: ${missing.map(([e]) => e).join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs.join(' ')}` +
      (missing.some(([e]) => e === 'restic') ? '\n(or pass --no-restic to leave the restic peer out)' : ''),
  );
  return false;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

const fmtMiB = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

/** restic as this machine has it: version, and the flags this version supports. */
interface Restic {
  version: string;
  /** Global flags of every command: no cache (the repository is local), password, compression. */
  args: string[];
  initArgs: string[];
  env: NodeJS.ProcessEnv;
  /** Repository format version of a fresh `restic init` (2 supports `--compression`). */
  repositoryVersion: number | null;
  compressionOff: boolean;
  passwordless: boolean;
}

interface Ctx {
  opts: Options;
  root: string;
  scelleBin: string;
  /** The V8 flags bin/scelle.js runs with (its first line), for what the bench runs of scelle's code itself. */
  nodeFlags: string[];
  home: string;
  keys: { escrowKey: string; escrowPub: string; ageKey: string; agePub: string };
  env: NodeJS.ProcessEnv;
  restic: Restic | null;
  log: (s: string) => void;
  /** Folders to delete at the end whatever happens (the disk workload's output). */
  cleanup: string[];
  /** The workload being measured, so that a failure still reports what was measured. */
  current: {
    name: BenchName;
    files: number;
    dirs: number;
    bytes: number;
    generatedSeconds: number | null;
    verification: Record<string, string>;
    samples: Map<string, Sample[]>;
    tarAlone?: TarAlone;
    /** The seal's count alone (seal-count.ts), median seconds. */
    countSeconds?: number;
    opBytes: Partial<Record<Op, number>>;
    note?: string;
  } | null;
}

/** `tar -c` and `tar -x` alone on the workload (no encryption, no hash): the file system's own cost, in C. */
interface TarAlone {
  createSeconds: number;
  extractSeconds: number;
}

interface WorkloadResult {
  name: BenchName;
  /** False when a command failed during this workload: the numbers are partial. */
  complete: boolean;
  files: number;
  dirs: number;
  bytes: number;
  generatedSeconds: number | null;
  verification: Record<string, string>;
  /** Each run; `reportedKiB`: the freed memory the host took back while it ran (where the kernel counts it). */
  samples: Record<string, { run: number; position: number; seconds: number; rssKiB: Record<string, number>; reportedKiB?: number }[]>;
  summaries: ToolSummary[];
  targets: TargetVerdict[];
  tarAlone?: TarAlone;
  /** The seal's count alone (seal-count.ts), median seconds. */
  countSeconds?: number;
  /** disk: where the drive was written (folder and file system type). */
  note?: string;
}

/** The last JSON line of `stdout` that `pick` accepts. */
function lastJsonWhere(stdout: string, pick: (r: Record<string, unknown>) => boolean, what: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i] ?? '') as Record<string, unknown>;
      if (pick(r)) return r;
    } catch {
      /* not JSON */
    }
  }
  throw new BenchError(`${what} printed no JSON result; last line: ${(lines[lines.length - 1] ?? '').slice(0, 300)}`);
}

/** The `{"event":"result",...}` record of scelle's JSON Lines output (normally the last line). */
function lastJson(stdout: string): Record<string, unknown> {
  return lastJsonWhere(stdout, (r) => r.event === 'result', 'scelle');
}

function rotate<T>(xs: T[], k: number): T[] {
  if (xs.length === 0) return [];
  const n = k % xs.length;
  return [...xs.slice(n), ...xs.slice(0, n)];
}

/** `rm -rf`: several times faster than rmSync on a tree of 10^6 files. */
function removeTree(path: string): void {
  execFileSync('rm', ['-rf', '--', path]);
}

/** Bytes the outputs of one run of a workload take on tmpfs at the same time (upper bound). */
function outputEstimate(name: WorkloadName, files: number, est: number, restic: boolean): number {
  // large, small: a sealed drive, an .age file, a restic repository and one restored tree.
  if (name !== 'many') return (restic ? 4 : 3) * est * 1.05;
  // many: one restored tree; drive, .age file and repository ≈ 1 KiB a file each (tar blocks, index, packs).
  return est + files * (restic ? 3 : 2) * 1.2 * 1024;
}

/** Refuses to start a workload that does not fit on the tmpfs (bytes and inodes). */
function checkSpace(ctx: Ctx, name: WorkloadName, need: number, needInodes: number): void {
  const { opts } = ctx;
  const s = statfsSync(opts.dir);
  const free = s.bavail * s.bsize;
  if (free < need) {
    throw new BenchError(
      `not enough space on ${opts.dir}: workload "${name}" at scale ${opts.scale} needs about ${fmtMiB(need)}, ` +
        `${fmtMiB(free)} free. Use a smaller --scale, free /dev/shm (npm run bench -- --clean), or enlarge it ` +
        `(mount -o remount,size=8G /dev/shm).`,
    );
  }
  // tmpfs limits the number of inodes too (nr_inodes): a source and a restored tree of 10^6 files each.
  if (s.files > 0 && s.ffree < needInodes) {
    throw new BenchError(
      `not enough inodes on ${opts.dir}: workload "${name}" at scale ${opts.scale} needs about ${needInodes} files and folders, ` +
        `${s.ffree} free. Use a smaller --scale, free /dev/shm, or raise the limit (mount -o remount,nr_inodes=4M /dev/shm).`,
    );
  }
}

async function prepareWorkload(ctx: Ctx, name: WorkloadName): Promise<{ w: Workload; generatedSeconds: number | null }> {
  const { opts, log } = ctx;
  const params = workloadParams(name, opts.scale);
  const est = estimateBytes(params);
  const wlRoot = join(opts.dir, 'workloads');
  mkdirSync(wlRoot, { recursive: true });
  const cached = existsSync(join(wlRoot, workloadDirName(params), 'workload.json'));
  const entries = params.files + (params.folders ?? Math.ceil(params.files / (params.filesPerDir ?? 1))) + 1;
  const need = (cached ? 0 : est) + outputEstimate(name, params.files, est, ctx.restic !== null) + 128 * 1024 * 1024;
  checkSpace(ctx, name, need, (cached ? 0 : entries) + entries + 10_000);
  const ens = await ensureWorkload(wlRoot, params, log);
  const w = ens.workload;
  log(ens.generated ? `generated ${name} in ${ens.seconds.toFixed(1)} s` : `using cached workload ${w.dir}`);
  log(`workload ${name}: ${w.files} files, ${w.dirs} folders, ${(w.bytes / 1e6).toFixed(1)} MB`);
  return { w, generatedSeconds: ens.generated ? ens.seconds : null };
}

/** The file `scelle open … <path>` restores in the open-one test: a sampled file in the middle of the tree. */
function probeFile(w: Workload): string {
  const keys = Object.keys(w.hashes).sort();
  const rel = keys[Math.floor(keys.length / 2)];
  if (rel === undefined) throw new BenchError('the workload has no sampled file');
  return rel;
}

/** Commands of each tool for one run of a workload: its outputs are under runDir. */
class RunTools {
  readonly ageFile: string;
  readonly repo: string;
  driveDir = '';
  constructor(
    private readonly ctx: Ctx,
    private readonly w: Workload,
    readonly runDir: string,
  ) {
    this.ageFile = join(runDir, 'out.age');
    this.repo = join(runDir, 'restic');
  }

  private get srcName(): string {
    return basename(this.w.src);
  }

  private run(spec: CommandSpec): Promise<Measurement> {
    return measure(spec, this.ctx.opts.probe, this.ctx.opts.dir);
  }

  private scelle(args: string[], stdoutFile?: string): Promise<Measurement> {
    return this.run({ env: this.ctx.env, stdoutFile, procs: [{ label: 'scelle', argv: [this.ctx.scelleBin, ...args] }] });
  }

  private restic(args: string[]): string[] {
    const r = this.ctx.restic;
    if (!r) throw new BenchError('restic is not enabled');
    return ['restic', '-r', this.repo, ...r.args, ...args];
  }

  async seal(tool: ToolId, verify: (label: string, tree: string) => Promise<void>, first: boolean): Promise<Measurement> {
    const { ctx, w, runDir } = this;
    if (tool === 'scelle') {
      const target = join(runDir, 'target');
      mkdirSync(target, { recursive: true });
      const m = await this.scelle(['seal', w.src, '--to', target, '--no-unlock-code', '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json']);
      const res = lastJson(m.stdout);
      if (res.files !== w.files || res.bytes !== w.bytes) {
        throw new BenchError(`scelle seal reported ${String(res.files)} files / ${String(res.bytes)} bytes, expected ${w.files} / ${w.bytes}`);
      }
      this.driveDir = String(res.driveDir);
      return m;
    }
    if (tool === 'scelle×2') {
      // The same seal as a set of two drives: the first holds about 60 %, the second the rest.
      const targets = [join(runDir, 'member-1'), join(runDir, 'member-2')];
      for (const t of targets) mkdirSync(t, { recursive: true });
      const partSize = Math.max(64 << 20, Math.min(1 << 30, 2 ** Math.floor(Math.log2(w.bytes / 8))));
      const memberSize = Math.ceil(w.bytes * 0.6) + (8 << 20);
      const m = await this.scelle([
        'seal',
        w.src,
        ...targets.flatMap((t) => ['--to', t]),
        '--member-size',
        String(memberSize),
        '--part-size',
        String(partSize),
        '--no-unlock-code',
        '--no-escrow',
        '--recipient',
        ctx.keys.escrowPub,
        '--json',
      ]);
      const res = lastJson(m.stdout) as { files?: number; bytes?: number; set?: { members: unknown[] } };
      if (res.files !== w.files || res.bytes !== w.bytes || res.set?.members.length !== 2) {
        throw new BenchError(
          `scelle seal (2-drive set) reported ${String(res.files)} files / ${String(res.bytes)} bytes on ${String(res.set?.members.length)} drives, expected ${w.files} / ${w.bytes} on 2`,
        );
      }
      for (const t of targets) removeTree(t);
      return m;
    }
    if (tool === 'tar|age') {
      return this.run({
        stdoutFile: this.ageFile,
        procs: [
          { label: 'tar', argv: ['tar', '-cf', '-', '-C', dirname(w.src), this.srcName] },
          { label: 'age', argv: ['age', '-r', ctx.keys.agePub] },
        ],
      });
    }
    if (tool === 'cp') {
      const copy = join(runDir, 'copy');
      mkdirSync(copy);
      const m = await this.run({ procs: [{ label: 'cp', argv: ['cp', '-r', w.src, join(copy, this.srcName)] }] });
      if (first) await verify('cp -r', join(copy, this.srcName));
      removeTree(copy);
      return m;
    }
    if (tool === 'restic') {
      const r = ctx.restic as Restic;
      // A fresh repository per run, as scelle writes a fresh drive; init (key derivation) is not timed.
      execFileSync('restic', ['-r', this.repo, ...r.args, 'init', ...r.initArgs], { env: r.env, stdio: 'ignore' });
      const m = await this.run({ env: r.env, procs: [{ label: 'restic', argv: this.restic(['--json', '--quiet', 'backup', w.src]) }] });
      const sum = lastJsonWhere(m.stdout, (x) => x.message_type === 'summary', 'restic backup');
      if (sum.total_files_processed !== w.files || sum.total_bytes_processed !== w.bytes) {
        throw new BenchError(`restic backup processed ${String(sum.total_files_processed)} files / ${String(sum.total_bytes_processed)} bytes, expected ${w.files} / ${w.bytes}`);
      }
      return m;
    }
    throw new BenchError(`no seal with ${tool}`);
  }

  /** Restores everything into dst; returns the measurement and where the source folder landed. */
  async open(tool: ToolId, dst: string): Promise<{ m: Measurement; tree: string }> {
    const { ctx, w } = this;
    if (tool === 'scelle') {
      const m = await this.scelle(['open', this.driveDir, '--to', dst, '--identity', ctx.keys.escrowKey, '--json']);
      const res = lastJson(m.stdout);
      if (res.verified !== true || res.files !== w.files) throw new BenchError(`scelle open did not verify: ${JSON.stringify(res).slice(0, 300)}`);
      return { m, tree: join(dst, this.srcName) };
    }
    if (tool === 'age|tar') {
      const m = await this.run({
        procs: [
          { label: 'age', argv: ['age', '-d', '-i', ctx.keys.ageKey, this.ageFile] },
          { label: 'tar', argv: ['tar', '-xf', '-', '-C', dst] },
        ],
      });
      return { m, tree: join(dst, this.srcName) };
    }
    if (tool === 'restic') {
      const m = await this.run({ env: (ctx.restic as Restic).env, procs: [{ label: 'restic', argv: this.restic(['restore', 'latest', '--target', dst]) }] });
      // restic restores the absolute path of what was backed up under the target.
      return { m, tree: join(dst, w.src) };
    }
    throw new BenchError(`no open with ${tool}`);
  }

  /** Lists every entry to /dev/null, as the operator would pipe it elsewhere. */
  list(tool: ToolId): Promise<Measurement> {
    const { ctx } = this;
    if (tool === 'scelle') return this.scelle(['list', this.driveDir, '--identity', ctx.keys.escrowKey, '--json'], '/dev/null');
    if (tool === 'age|tar-t') {
      return this.run({
        stdoutFile: '/dev/null',
        procs: [
          { label: 'age', argv: ['age', '-d', '-i', ctx.keys.ageKey, this.ageFile] },
          { label: 'tar', argv: ['tar', '-tf', '-'] },
        ],
      });
    }
    throw new BenchError(`no list with ${tool}`);
  }

  /** Not timed: the listings are complete (entries = files + folders + the source folder). */
  checkLists(): string {
    const { ctx, w } = this;
    const want = w.files + w.dirs + 1;
    const q = shellQuote;
    const tail = execFileSync('bash', ['-c', `set -o pipefail; ${q(ctx.scelleBin)} list ${q(this.driveDir)} --identity ${q(ctx.keys.escrowKey)} --json | tail -n 20`], {
      env: ctx.env,
      encoding: 'utf8',
    });
    const res = lastJson(tail);
    if (res.files !== w.files || res.entries !== want || res.listed !== want) {
      throw new BenchError(`scelle list: ${JSON.stringify(res).slice(0, 300)}, expected ${w.files} files and ${want} entries`);
    }
    const n = Number(execFileSync('bash', ['-c', `set -o pipefail; age -d -i ${q(ctx.keys.ageKey)} ${q(this.ageFile)} | tar -tf - | wc -l`], { encoding: 'utf8' }).trim());
    if (n !== want) throw new BenchError(`age -d | tar -t listed ${n} entries, expected ${want}`);
    return `ok: both list ${want} entries (${w.files} files, ${w.dirs} folders and the source folder)`;
  }

  /** Restores one file (as stored in the drive: src/…) into dst, and checks it is that file alone. */
  async openOne(rel: string, dst: string): Promise<Measurement> {
    const { ctx, w } = this;
    const m = await this.scelle(['open', this.driveDir, '--to', dst, `${this.srcName}/${rel}`, '--identity', ctx.keys.escrowKey, '--json']);
    lastJson(m.stdout);
    const s = summarizeTree(dst);
    const got = existsSync(join(dst, this.srcName, rel)) ? await sha256File(join(dst, this.srcName, rel)) : 'missing';
    if (s.files !== 1 || got !== w.hashes[rel]) throw new BenchError(`scelle open of ${this.srcName}/${rel}: ${s.files} file(s) restored, hash ${got.slice(0, 16)}…`);
    return m;
  }

  async verify(): Promise<Measurement> {
    const { ctx, w } = this;
    const m = await this.scelle(['verify', this.driveDir, '--identity', ctx.keys.escrowKey, '--json']);
    const res = lastJson(m.stdout);
    if (res.ok !== true || res.files !== w.files) throw new BenchError(`scelle verify: ${JSON.stringify(res).slice(0, 300)}`);
    return m;
  }
}

/** What a run's log line says of the freed memory the host took back while it ran (nothing below 16 MiB). */
function hostTookBack(m: Measurement): string {
  const kib = m.reportedKiB ?? 0;
  return kib >= 16 * 1024 ? `  (host took back ${fmtMiB(kib * 1024)} of freed memory meanwhile)` : '';
}

const OUT_NAME: Partial<Record<ToolId, string>> = { scelle: 'scelle', 'age|tar': 'age', restic: 'restic' };

async function benchWorkload(ctx: Ctx, name: WorkloadName): Promise<WorkloadResult> {
  const { opts, log } = ctx;
  const { w, generatedSeconds } = await prepareWorkload(ctx, name);

  const samples = new Map<string, Sample[]>();
  const verification: Record<string, string> = {};
  const opBytes: Partial<Record<Op, number>> = {};
  ctx.current = { name, files: w.files, dirs: w.dirs, bytes: w.bytes, generatedSeconds, verification, samples, opBytes };
  const add = (op: Op, tool: ToolId, s: Sample) => {
    const k = `${op} ${tool}`;
    samples.set(k, [...(samples.get(k) ?? []), s]);
  };
  const verify = async (label: string, tree: string) => {
    const problems = await verifyTree(w, tree);
    if (problems.length) throw new BenchError(`${label}: the output differs from the source: ${problems.slice(0, 5).join('; ')}`);
    verification[label] = `ok: ${w.files} files, ${w.bytes} bytes, ${Object.keys(w.hashes).length} SHA-256 sampled`;
    log(`  verified ${label}: ${verification[label]}`);
  };
  const show = (op: Op, tool: ToolId, m: Measurement, bytes = w.bytes) => {
    const rate = op === 'open-one' ? '' : `  ${(bytes / 1e6 / m.seconds).toFixed(1)} MB/s`;
    log(`  ${op.padEnd(8)} ${toolLabel(op, tool).padEnd(16)} ${m.seconds.toFixed(3)} s${rate}  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB${hostTookBack(m)}`);
  };
  const withRestic = (ts: ToolId[]): ToolId[] => (ctx.restic ? [...ts, 'restic'] : ts);
  const sealTools = withRestic(name === 'many' ? ['scelle', 'tar|age'] : name === 'large' ? ['scelle', 'scelle×2', 'tar|age', 'cp'] : ['scelle', 'tar|age', 'cp']);
  const openTools = withRestic(['scelle', 'age|tar']);
  const many = name === 'many';
  const listTools: ToolId[] = many ? ['scelle', 'age|tar-t'] : [];
  const probe = many ? probeFile(w) : '';
  if (many) opBytes['open-one'] = statSync(join(w.src, probe)).size;

  for (let r = 0; r < opts.runs; r++) {
    const runDir = join(opts.dir, 'out', `${name}-run${r + 1}`);
    removeTree(runDir);
    mkdirSync(runDir, { recursive: true });
    const t = new RunTools(ctx, w, runDir);
    const sealOrder = rotate(sealTools, r);
    const openOrder = rotate(openTools, r);
    const listOrder = rotate(listTools, r);
    const keep = opts.keep && r === opts.runs - 1;
    log(`run ${r + 1}/${opts.runs}: seal order ${sealOrder.join(', ')}; open order ${openOrder.join(', ')}${many ? `; list order ${listOrder.join(', ')}` : ''}`);

    for (const [pos, tool] of sealOrder.entries()) {
      const m = await t.seal(tool, verify, r === 0);
      add('seal', tool, { run: r, position: pos, m });
      show('seal', tool, m);
    }

    for (const [pos, tool] of openOrder.entries()) {
      const dst = join(runDir, `open-${OUT_NAME[tool] ?? 'x'}`);
      mkdirSync(dst);
      const { m, tree } = await t.open(tool, dst);
      add('open', tool, { run: r, position: pos, m });
      show('open', tool, m);
      if (r === 0) await verify(tool === 'scelle' ? 'scelle open' : tool === 'restic' ? 'restic restore' : 'age -d | tar -x', tree);
      if (!keep) removeTree(dst);
    }

    for (const [pos, tool] of listOrder.entries()) {
      const m = await t.list(tool);
      add('list', tool, { run: r, position: pos, m });
      show('list', tool, m);
    }
    if (many && r === 0) {
      verification['list'] = t.checkLists();
      log(`  verified list: ${verification['list']}`);
    }

    if (many) {
      const dst = join(runDir, 'open-one');
      mkdirSync(dst);
      const one = await t.openOne(probe, dst);
      add('open-one', 'scelle', { run: r, position: 0, m: one });
      show('open-one', 'scelle', one);
      if (r === 0) {
        verification['scelle open (one file)'] = `ok: ${basename(w.src)}/${probe} alone, SHA-256 as generated`;
        log(`  verified scelle open (one file): ${verification['scelle open (one file)']}`);
      }
      if (!keep) removeTree(dst);
      const v = await t.verify();
      add('verify', 'scelle', { run: r, position: 0, m: v });
      show('verify', 'scelle', v);
    }
    if (!keep) removeTree(runDir);
  }

  {
    // tar alone, once: writing an archive of the sources to tmpfs, then extracting it.
    const dir = join(opts.dir, 'out', `${name}-tar-alone`);
    removeTree(dir);
    mkdirSync(join(dir, 'x'), { recursive: true });
    const archive = join(dir, 'src.tar');
    const run = (spec: CommandSpec) => measure(spec, opts.probe, opts.dir);
    const create = await run({ stdoutFile: archive, procs: [{ label: 'tar', argv: ['tar', '-cf', '-', '-C', dirname(w.src), basename(w.src)] }] });
    const extract = await run({ procs: [{ label: 'tar', argv: ['tar', '-xf', archive, '-C', join(dir, 'x')] }] });
    removeTree(dir);
    ctx.current.tarAlone = { createSeconds: create.seconds, extractSeconds: extract.seconds };
    log(`  tar alone: -c ${create.seconds.toFixed(3)} s, -x ${extract.seconds.toFixed(3)} s`);
  }

  {
    // The seal's count alone (its first pass, which lstats every entry before anything is
    // written), as many times as the tools run: the median is what a seal spends on it.
    const seconds: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const m = await measure({ procs: [{ label: 'count', argv: [process.execPath, ...ctx.nodeFlags, sealCountScript(ctx.scelleBin), w.src] }] }, opts.probe, opts.dir);
      seconds.push(Number(lastJsonWhere(m.stdout, (x) => typeof x.seconds === 'number', 'seal-count.js').seconds));
    }
    ctx.current.countSeconds = median(seconds);
    log(`  seal's count alone: ${seconds.map((s) => s.toFixed(3)).join(', ')} s`);
  }

  if (opts.codeRun) {
    // One seal with an unlock code as well as the X25519 recipient: adds Argon2id (m = 64 MiB, t = 3).
    const runDir = join(opts.dir, 'out', `${name}-code`);
    removeTree(runDir);
    mkdirSync(runDir, { recursive: true });
    const m = await measure(
      { env: ctx.env, procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'seal', w.src, '--to', runDir, '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json'] }] },
      opts.probe,
      opts.dir,
    );
    const res = lastJson(m.stdout);
    if (typeof res.unlockCode !== 'string') throw new BenchError('scelle seal with an unlock code returned no code');
    add('seal', 'scelle+code', { run: 0, position: 0, m });
    log(`  seal scelle+unlock code ${m.seconds.toFixed(3)} s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB`);
    removeTree(runDir);
  }

  const result = workloadResult(ctx.current, true);
  ctx.current = null;
  return result;
}

/** The file system type of path (`stat -f -c %T`: tmpfs, ext2/ext3, xfs, btrfs…). */
function fsType(path: string): string {
  return execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
}

/**
 * The large workload sealed to a disk-backed folder, against the same seal to tmpfs and
 * `cp -r` + `sync` to the same folder. scelle fsyncs every part and folder it writes, so the copy
 * is flushed too before its time stops. A global `sync` (not timed) precedes each tool.
 */
async function benchDisk(ctx: Ctx): Promise<WorkloadResult> {
  const { opts, log } = ctx;
  const created = !existsSync(opts.diskDir);
  mkdirSync(opts.diskDir, { recursive: true });
  if (created) ctx.cleanup.push(opts.diskDir);
  const type = fsType(opts.diskDir);
  if (type === 'tmpfs' || type === 'ramfs') {
    throw new BenchError(`--disk-dir ${opts.diskDir} is on ${type}: the disk workload needs a disk-backed folder (e.g. --disk-dir /var/tmp/scelle-bench-disk)`);
  }
  const base = join(opts.diskDir, `scelle-bench-${process.pid}`);
  mkdirSync(base);
  ctx.cleanup.unshift(base);
  const { w, generatedSeconds } = await prepareWorkload(ctx, 'large');
  const dfree = statfsSync(opts.diskDir);
  if (dfree.bavail * dfree.bsize < w.bytes * 1.1 + 256 * 1024 * 1024) {
    throw new BenchError(`not enough space on ${opts.diskDir} (${type}): the disk workload writes ${fmtMiB(w.bytes * 1.1)} at a time`);
  }
  const note = `large sealed to ${opts.diskDir} (${type}), against the same seal to tmpfs and cp -r + sync to ${opts.diskDir}`;
  log(`disk workload: ${note}`);

  const samples = new Map<string, Sample[]>();
  const verification: Record<string, string> = {};
  ctx.current = { name: 'disk', files: w.files, dirs: w.dirs, bytes: w.bytes, generatedSeconds, verification, samples, opBytes: {}, note };
  const run = (spec: CommandSpec) => measure(spec, opts.probe, opts.dir);
  const seal = async (target: string) => {
    mkdirSync(target, { recursive: true });
    const m = await run({
      env: ctx.env,
      procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'seal', w.src, '--to', target, '--no-unlock-code', '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json'] }],
    });
    const res = lastJson(m.stdout);
    if (res.files !== w.files || res.bytes !== w.bytes) {
      throw new BenchError(`scelle seal reported ${String(res.files)} files / ${String(res.bytes)} bytes, expected ${w.files} / ${w.bytes}`);
    }
    return m;
  };
  for (let r = 0; r < opts.runs; r++) {
    const order = rotate<ToolId>(['scelle', 'scelle@tmpfs', 'cp+sync'], r);
    log(`run ${r + 1}/${opts.runs}: seal order ${order.join(', ')}`);
    for (const [pos, tool] of order.entries()) {
      execFileSync('sync');
      let m: Measurement;
      const out = tool === 'scelle@tmpfs' ? join(opts.dir, 'out', 'disk-tmpfs') : join(base, 'out');
      if (tool === 'cp+sync') {
        mkdirSync(out, { recursive: true });
        const dst = join(out, basename(w.src));
        m = await run({
          sequential: true,
          procs: [
            { label: 'cp', argv: ['cp', '-r', w.src, dst] },
            { label: 'sync', argv: ['sync', '-f', dst] },
          ],
        });
        if (r === 0) {
          const problems = await verifyTree(w, dst);
          if (problems.length) throw new BenchError(`cp -r to disk: the copy differs from the source: ${problems.slice(0, 5).join('; ')}`);
          verification['cp -r + sync'] = `ok: ${w.files} files, ${w.bytes} bytes`;
        }
      } else {
        m = await seal(out);
      }
      removeTree(out);
      const k = `seal ${tool}`;
      samples.set(k, [...(samples.get(k) ?? []), { run: r, position: pos, m }]);
      log(
        `  seal ${toolLabel('seal', tool).padEnd(18)} ${m.seconds.toFixed(3)} s  ${(w.bytes / 1e6 / m.seconds).toFixed(1)} MB/s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB${hostTookBack(m)}`,
      );
    }
  }
  const result = workloadResult(ctx.current, true);
  ctx.current = null;
  return result;
}

const TOOL_ORDER: ToolId[] = ['scelle', 'scelle×2', 'scelle+code', 'scelle@tmpfs', 'tar|age', 'cp', 'cp+sync', 'age|tar', 'age|tar-t', 'restic'];

function workloadResult(c: NonNullable<Ctx['current']>, complete: boolean): WorkloadResult {
  const summaries = OPS.flatMap((op) =>
    TOOL_ORDER.filter((t) => c.samples.has(`${op} ${t}`)).map((t) => summarize(op, t, c.samples.get(`${op} ${t}`) ?? [], c.opBytes[op] ?? c.bytes)),
  );
  const raw: WorkloadResult['samples'] = {};
  for (const [k, ss] of c.samples) {
    raw[k] = ss.map((s) => ({ run: s.run + 1, position: s.position + 1, seconds: s.m.seconds, rssKiB: s.m.rssKiB, reportedKiB: s.m.reportedKiB }));
  }
  return {
    name: c.name,
    complete,
    files: c.files,
    dirs: c.dirs,
    bytes: c.bytes,
    generatedSeconds: c.generatedSeconds,
    verification: c.verification,
    samples: raw,
    summaries,
    targets: targets(c.name, summaries),
    tarAlone: c.tarAlone,
    countSeconds: c.countSeconds,
    note: c.note,
  };
}

/**
 * The seal's peak RSS on the small workload, for the ratio many / small: from this invocation's
 * small workload when it ran, else from one extra seal of it.
 */
async function smallSealRss(ctx: Ctx, results: WorkloadResult[]): Promise<{ files: number; kib: number; source: string }> {
  const small = results.find((r) => r.name === 'small');
  const s = small?.summaries.find((x) => x.op === 'seal' && x.tool === 'scelle');
  if (small && s) return { files: small.files, kib: s.peakRssTotalKiB, source: 'the small workload of this run' };
  const { w } = await prepareWorkload(ctx, 'small');
  const target = join(ctx.opts.dir, 'out', 'small-rss');
  removeTree(target);
  mkdirSync(target, { recursive: true });
  const m = await measure(
    {
      env: ctx.env,
      procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'seal', w.src, '--to', target, '--no-unlock-code', '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json'] }],
    },
    ctx.opts.probe,
    ctx.opts.dir,
  );
  removeTree(target);
  ctx.log(`  seal scelle on small (for the RSS ratio) ${m.seconds.toFixed(3)} s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB`);
  return { files: w.files, kib: m.rssTotalKiB, source: 'one extra seal of the small workload' };
}

/** Finds what this restic supports: password-less repositories (0.17+), compression (format 2, 0.14+). */
function setupRestic(dir: string): Restic {
  const version = execFileSync('restic', ['version'], { encoding: 'utf8' }).trim();
  const help = execFileSync('restic', ['--help'], { encoding: 'utf8' });
  const initHelp = execFileSync('restic', ['init', '--help'], { encoding: 'utf8' });
  const passwordless = help.includes('--insecure-no-password') || initHelp.includes('--insecure-no-password');
  const env = passwordless ? { ...process.env } : { ...process.env, RESTIC_PASSWORD: 'scelle-bench' };
  const base = ['--no-cache', ...(passwordless ? ['--insecure-no-password'] : [])];
  const initArgs = initHelp.includes('--repository-version') ? ['--repository-version', '2'] : [];
  // A probe repository tells the format a fresh init makes here.
  const repo = join(dir, 'out', 'restic-probe');
  removeTree(repo);
  execFileSync('restic', ['-r', repo, ...base, 'init', ...initArgs], { env, stdio: 'ignore' });
  let repositoryVersion: number | null = null;
  try {
    const config = JSON.parse(execFileSync('restic', ['-r', repo, ...base, 'cat', 'config'], { env, encoding: 'utf8' })) as { version?: number };
    repositoryVersion = config.version ?? null;
  } catch {
    /* older restic: format 1 */
  }
  removeTree(repo);
  const compressionOff = help.includes('--compression') && (repositoryVersion ?? 1) >= 2;
  return { version, args: [...base, ...(compressionOff ? ['--compression', 'off'] : [])], initArgs, env, repositoryVersion, compressionOff, passwordless };
}

/**
 * Copies the built CLI (package.json, bin/, dist/cli, dist/shared, and the provider configuration
 * dist/provider.json the build writes) to the working directory, so that
 * a concurrent `npm run build` in the tree can neither break nor change the measured program.
 * Packages still resolve through a symlink to the repository's node_modules.
 */
/** seal-count.ts in the snapshot of `scelleBin` (snapshotCli): the count alone of the engine the bench measures. */
function sealCountScript(scelleBin: string): string {
  return join(dirname(dirname(scelleBin)), 'dist', 'bench', 'seal-count.js');
}

function snapshotCli(root: string, dir: string): string {
  const app = join(dir, 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  cpSync(join(root, 'bin'), join(app, 'bin'), { recursive: true });
  for (const d of ['cli', 'cli-bundle', 'shared']) cpSync(join(root, 'dist', d), join(app, 'dist', d), { recursive: true });
  // The seal's count alone runs the snapshot's engine too (sealCountScript).
  mkdirSync(join(app, 'dist', 'bench'));
  cpSync(join(root, 'dist', 'bench', 'seal-count.js'), join(app, 'dist', 'bench', 'seal-count.js'));
  // The CLI reads the provider's pinned roots from it (an unreadable file is an error, E_PROVIDER_CONFIG).
  if (existsSync(join(root, 'dist', 'provider.json'))) cpSync(join(root, 'dist', 'provider.json'), join(app, 'dist', 'provider.json'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  return join(app, 'bin', 'scelle.js');
}

async function main(argv: string[]): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!opts || opts.clean) return bench(opts);
  let held: HeldMemory | null = null;
  if (opts.holdMemory) {
    try {
      held = holdFreedMemory();
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  }
  const putBack = () => {
    const problem = held?.restore();
    if (problem) console.error(problem);
  };
  const interrupted = (signal: NodeJS.Signals) => {
    putBack();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await bench(opts, held);
  } finally {
    putBack();
  }
}

/** The bench itself (see the module doc); `held` when --hold-memory keeps freed memory for the run. */
async function bench(opts: Options | null, held: HeldMemory | null = null): Promise<number> {
  if (!opts) return 0;
  if (opts.clean) {
    rmSync(opts.dir, { recursive: true, force: true });
    console.log(`removed ${opts.dir}`);
    return 0;
  }
  if (!checkTools(opts)) return 1;
  if (!opts.only || opts.only === 'disk') {
    let existing = opts.diskDir;
    while (!existsSync(existing)) existing = dirname(existing);
    const type = fsType(existing);
    if (type === 'tmpfs' || type === 'ramfs') {
      console.error(`--disk-dir ${opts.diskDir} is on ${type}: the disk workload needs a disk-backed folder (or --only large|small|many).`);
      return 1;
    }
  }
  const shm = opts.dir.startsWith('/dev/shm') ? '/dev/shm' : dirname(opts.dir);
  if (!existsSync(shm)) {
    console.error(`${shm} does not exist: the benchmark needs a tmpfs (/dev/shm).`);
    return 1;
  }
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    console.error('dist/cli/main.js is missing: run npm run build first.');
    return 1;
  }
  mkdirSync(opts.dir, { recursive: true });
  const scelleBin = snapshotCli(root, opts.dir);
  const log = (s: string) => console.log(s);

  // Fresh station home and keys for this invocation.
  const home = join(opts.dir, 'home');
  const keyDir = join(opts.dir, 'keys');
  rmSync(home, { recursive: true, force: true });
  rmSync(keyDir, { recursive: true, force: true });
  rmSync(join(opts.dir, 'out'), { recursive: true, force: true });
  mkdirSync(keyDir, { recursive: true });
  // scelle runs as users run the installed command: its bin through its #! line (which sets
  // its V8 flags), with this Node first on the PATH.
  const env = { ...process.env, SCELLE_HOME: home, SCELLE_LANG: 'en', PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const keys = {
    escrowKey: join(keyDir, 'escrow.key'),
    escrowPub: join(keyDir, 'escrow.key.pub'),
    ageKey: join(keyDir, 'age.key'),
    agePub: '',
  };
  execFileSync(process.execPath, [scelleBin, 'keygen', 'escrow', '--out', keys.escrowKey, '--json'], { env, stdio: 'ignore' });
  execFileSync('age-keygen', ['-o', keys.ageKey], { stdio: 'ignore' });
  keys.agePub = execFileSync('age-keygen', ['-y', keys.ageKey], { encoding: 'utf8' }).trim();
  const restic = opts.restic ? setupRestic(opts.dir) : null;
  const nodeFlags = scelleBinFlags(scelleBin);
  const ctx: Ctx = { opts, root, scelleBin, nodeFlags, home, keys, env, restic, log, cleanup: [], current: null };
  // With --hold-memory, the host backs the guest's free memory once, before anything is measured.
  const reportingAtStart = readPageReporting();
  const tmpfs = statfsSync(opts.dir);
  const warmed = held ? warmFreeMemory(opts.dir, warmBytes(memAvailableBytes(), tmpfs.bavail * tmpfs.bsize)) : null;

  // Warm-up (not measured): creates the local station on first use, loads binaries in the page cache.
  const warm = join(opts.dir, 'out', 'warmup');
  mkdirSync(join(warm, 'src'), { recursive: true });
  writeFileSync(join(warm, 'src', 'hello.txt'), 'hello\n');
  mkdirSync(join(warm, 'target'));
  execFileSync(process.execPath, [scelleBin, 'seal', join(warm, 'src'), '--to', join(warm, 'target'), '--no-unlock-code', '--no-escrow', '--recipient', keys.escrowPub, '--json'], {
    env,
    stdio: 'ignore',
  });
  // Fixed cost of one seal of a 6-byte file (node start-up, station key, manifest signature, custody record).
  mkdirSync(join(warm, 'target2'));
  const tiny = await measure(
    {
      env,
      procs: [
        {
          label: 'scelle',
          argv: [scelleBin, 'seal', join(warm, 'src'), '--to', join(warm, 'target2'), '--no-unlock-code', '--no-escrow', '--recipient', keys.escrowPub, '--json'],
        },
      ],
    },
    opts.probe,
    opts.dir,
  );
  execFileSync('bash', ['-c', `tar -cf - -C ${warm} src | age -r ${keys.agePub} | age -d -i ${keys.ageKey} | tar -tf - > /dev/null`]);
  rmSync(warm, { recursive: true, force: true });

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    commit: version('git', ['-C', root, 'describe', '--always', '--dirty']),
    age: version('age', ['--version']),
    tar: version('tar', ['--version']),
    restic: restic ? { version: restic.version, repositoryVersion: restic.repositoryVersion, compressionOff: restic.compressionOff, passwordless: restic.passwordless } : null,
    rssProbe: opts.probe === 'time' ? '/usr/bin/time -f %M' : 'polling /proc/<pid>/status VmHWM',
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
    tinySealSeconds: +tiny.seconds.toFixed(3),
    tinySealRssMiB: +(tiny.rssTotalKiB / 1024).toFixed(1),
  };
  log(
    `Scellé benchmark — scale ${opts.scale}, ${opts.runs} run(s), median reported; ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, commit ${machine.commit}, age ${machine.age}, ${machine.tar}`,
  );
  log(`peak RSS: ${machine.rssProbe}; load average at start ${machine.loadavgStart.join(' ')}`);
  if (restic) {
    log(
      `${restic.version}: repository format ${restic.repositoryVersion ?? '1 (assumed)'}, ${restic.compressionOff ? '--compression off' : 'no compression flag (format 1 does not compress)'}, ` +
        `${restic.passwordless ? '--insecure-no-password' : 'RESTIC_PASSWORD in the environment'}, --no-cache`,
    );
  } else log('restic: left out (--no-restic)');
  if (held && warmed) {
    log(
      `freed memory: held in this VM for the run (page_reporting_order ${held.previousOrder} → no reporting, put back at the end); ` +
        `${fmtMiB(warmed.bytes)} of free memory written once first, in ${warmed.seconds.toFixed(1)} s`,
    );
  } else if (reportsFreedMemory(reportingAtStart)) {
    log(
      `freed memory: this VM hands it back to its host (free page reporting, order ${reportingAtStart!.order}); a run writing into memory the host took back ` +
        `pays a host fault per page (1 GiB took 1.0–2.6 s instead of 0.2 s on the development VM: docs/BENCHMARKS.md), so what ran before a run slows it; ` +
        `as root, --hold-memory keeps it for the run`,
    );
  }
  log(`fixed cost: scelle seal of one 6-byte file takes ${machine.tinySealSeconds} s (peak RSS ${machine.tinySealRssMiB} MiB)`);
  const steps = measureStepCosts(opts.dir);
  const freshAtStart = freshWriteNsPerByte(opts.dir);
  log(
    `format building blocks (Node, this machine): SHA-256 ${steps.sha256.toFixed(2)} ns/B, AES-256-GCM ${steps.aesGcm.toFixed(2)} ns/B, tmpfs write ${steps.tmpfsWrite.toFixed(2)} ns/B, read ${steps.tmpfsRead.toFixed(2)} ns/B`,
  );
  if (opts.probe === 'proc') log('(install GNU time for exact peak RSS: sudo apt-get install -y time)');

  const names: BenchName[] = opts.only ? [opts.only] : ALL;
  const results: WorkloadResult[] = [];
  const extraTargets: TargetVerdict[] = [];
  let rssScaling: Record<string, unknown> | null = null;
  let failed = false;
  try {
    for (const n of names) results.push(n === 'disk' ? await benchDisk(ctx) : await benchWorkload(ctx, n));
    const many = results.find((r) => r.name === 'many');
    const manySeal = many?.summaries.find((x) => x.op === 'seal' && x.tool === 'scelle');
    if (many && manySeal) {
      const small = await smallSealRss(ctx, results);
      const v = rssScalingTarget(many.files, manySeal.peakRssTotalKiB, small.files, small.kib);
      extraTargets.push(v);
      rssScaling = {
        manyFiles: many.files,
        manySealRssKiB: manySeal.peakRssTotalKiB,
        smallFiles: small.files,
        smallSealRssKiB: small.kib,
        smallFrom: small.source,
        ratio: v.measured,
      };
    }
  } catch (e) {
    failed = true;
    if (ctx.current) results.push(workloadResult(ctx.current, false));
    if (e instanceof CommandError || e instanceof BenchError) console.error(`\nBENCHMARK FAILED: ${e.message}`);
    else throw e;
  } finally {
    // The disk workload's folder is always deleted (it is on a real disk, not in the working directory).
    for (const d of ctx.cleanup) {
      if (d === opts.diskDir) {
        try {
          rmdirSync(d);
        } catch {
          /* not empty: something else is in it */
        }
      } else removeTree(d);
    }
    if (!opts.keep) {
      removeTree(join(opts.dir, 'out'));
      rmSync(home, { recursive: true, force: true });
      rmSync(join(opts.dir, 'app'), { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    }
  }

  const allTargets = [...results.flatMap((r) => r.targets), ...extraTargets];
  console.log('');
  for (const r of results) {
    const what = `${r.files} files${r.dirs ? ` in ${r.dirs} folders` : ''}, ${(r.bytes / 1e6).toFixed(1)} MB${r.note ? `: ${r.note}` : ''}`;
    console.log(formatWorkloadTable(`Workload ${r.name}: ${what}${r.complete ? '' : ' (INCOMPLETE: a command failed)'}`, r.bytes, r.summaries));
    console.log('');
  }
  if (rssScaling) {
    const mib = (k: unknown) => (Number(k) / 1024).toFixed(1);
    console.log(
      `seal peak RSS: ${mib(rssScaling.manySealRssKiB)} MiB at ${String(rssScaling.manyFiles)} files (many), ${mib(rssScaling.smallSealRssKiB)} MiB at ${String(rssScaling.smallFiles)} files (${String(rssScaling.smallFrom)})\n`,
    );
  }
  if (allTargets.length) console.log(formatTargets(allTargets));
  const floorRows = results.flatMap((r) => {
    if (r.name === 'disk') return [];
    const goals = GOALS[r.name];
    const med = (op: Op, tool: ToolId) => r.summaries.find((x) => x.op === op && x.tool === tool)?.medianSeconds ?? NaN;
    return [
      {
        workload: r.name,
        op: 'seal' as const,
        bytes: r.bytes,
        goal: goals.seal,
        baselineSeconds: med('seal', 'tar|age'),
        scelleSeconds: med('seal', 'scelle'),
        tarAloneSeconds: r.tarAlone?.createSeconds,
        countSeconds: r.countSeconds,
      },
      {
        workload: r.name,
        op: 'open' as const,
        bytes: r.bytes,
        goal: goals.open,
        baselineSeconds: med('open', 'age|tar'),
        scelleSeconds: med('open', 'scelle'),
        tarAloneSeconds: r.tarAlone?.extractSeconds,
      },
    ].filter((x) => !Number.isNaN(x.baselineSeconds) && !Number.isNaN(x.scelleSeconds));
  });
  const againstFloor = floorTargets(steps, machine.cpus, machine.tinySealSeconds, floorRows);
  if (floorRows.length) console.log(`\n${formatFloor(steps, machine.cpus, machine.tinySealSeconds, floorRows)}`);
  if (againstFloor.length) console.log(`\n${formatTargets(againstFloor, 'Targets against the floor (issue 8)')}`);
  const freshAtEnd = freshWriteNsPerByte(opts.dir);
  console.log(
    `\nfresh memory: 256 MiB written to tmpfs into new pages took ${freshAtStart.toFixed(2)} ns/B at the start and ${freshAtEnd.toFixed(2)} ns/B at the end ` +
      `(the floor's write, on memory just freed: ${steps.tmpfsWrite.toFixed(2)} ns/B; far above it means this machine was paying to get memory back, and every run that writes to tmpfs was slower)`,
  );
  const reportingAtEnd = readPageReporting();
  const tookBackKiB = reportingAtStart?.reportedKiB != null && reportingAtEnd?.reportedKiB != null ? reportingAtEnd.reportedKiB - reportingAtStart.reportedKiB : null;
  if (tookBackKiB !== null) {
    console.log(
      `\nfreed memory the host took back during the whole run: ${fmtMiB(tookBackKiB * 1024)}` +
        (held ? ' (held: none expected)' : tookBackKiB > 0 ? ' (runs that wrote into it paid for it again: see "host took back" in the runs above)' : ''),
    );
  }
  const uneven = results.flatMap((r) => unevenRuns(r.name, r.summaries));
  if (uneven.length) console.log(`\n${formatUnevenRuns(uneven)}`);
  const loadEnd = loadavg().map((x) => +x.toFixed(2));
  console.log(`\nload average at end ${loadEnd.join(' ')} (a shared or busy machine makes these numbers noisy)`);

  const outDir = join(root, 'dist', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'latest.json');
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        options: { ...opts },
        machine: {
          ...machine,
          loadavgEnd: loadEnd,
          freedMemory: {
            pageReportingOrder: held?.previousOrder ?? reportingAtStart?.order ?? null,
            held: held !== null,
            warmedBytes: warmed?.bytes ?? null,
            tookBackKiB,
          },
        },
        failed,
        workloads: results,
        targets: [...allTargets, ...againstFloor],
        rssScaling,
        unevenRuns: uneven,
        stepCosts: steps,
      },
      null,
      2,
    ),
  );
  console.log(`results written to ${outFile}`);
  if (opts.keep) console.log(`outputs kept under ${join(opts.dir, 'out')}`);
  console.log(`cached workloads stay in ${join(opts.dir, 'workloads')} (tmpfs, i.e. RAM): npm run bench -- --clean to free them`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
