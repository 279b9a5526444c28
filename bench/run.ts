// Scellé benchmark: `scelle seal` / `scelle open` against `tar | age`, `age -d | tar -x` and `cp -r`,
// on deterministic workloads in tmpfs (/dev/shm), so that the CPU path is measured, not a disk.
//
//   npm run bench -- [--scale 0.1] [--only large|small] [--runs 3] [--keep] [--dir /dev/shm/scelle-bench]
//
// See docs/BENCHMARKS.md. Results: a table on stdout, and dist/bench-results/latest.json.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CommandError, findExecutable, hasGnuTime, measure, type CommandSpec, type Measurement, type RssProbe } from './measure.js';
import {
  formatTargets, formatWorkloadTable, summarize, targets,
  type Op, type Sample, type TargetVerdict, type ToolId, type ToolSummary,
} from './report.js';
import { formatFloor, measureStepCosts } from './floor.js';
import { ensureWorkload, estimateBytes, verifyTree, workloadDirName, workloadParams, type WorkloadName } from './workload.js';

const USAGE = `Usage: node dist/bench/run.js [options]   (or: npm run bench -- [options])
  --scale <x>          shrink or grow the workloads (default 1: 4 × 512 MiB, 50,000 small files)
  --only large|small   run one workload
  --runs <n>           measured runs per tool (default 3; the median is reported)
  --keep               keep the last run's outputs (sealed drive, .age file, restored trees)
  --dir <path>         working directory on tmpfs (default /dev/shm/scelle-bench)
  --rss-probe time|proc  peak RSS from /usr/bin/time (default when present) or /proc polling
  --no-code-run        skip the one extra seal with an unlock code (Argon2id)
  --clean              delete the working directory (cached workloads included) and exit
  -h, --help           this help`;

interface Options {
  scale: number;
  only: WorkloadName | null;
  runs: number;
  keep: boolean;
  dir: string;
  probe: RssProbe;
  codeRun: boolean;
  clean: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' }, only: { type: 'string' }, runs: { type: 'string' }, keep: { type: 'boolean' },
      dir: { type: 'string' }, 'rss-probe': { type: 'string' }, 'no-code-run': { type: 'boolean' },
      clean: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) { console.log(USAGE); return null; }
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0) || scale > 4) throw new UsageError('--scale must be a number in (0, 4]');
  const runs = values.runs === undefined ? 3 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError('--runs must be an integer in 1..50');
  const only = values.only ?? null;
  if (only !== null && only !== 'large' && only !== 'small') throw new UsageError('--only must be large or small');
  const probe = values['rss-probe'] ?? (hasGnuTime() ? 'time' : 'proc');
  if (probe !== 'time' && probe !== 'proc') throw new UsageError('--rss-probe must be time or proc');
  if (probe === 'time' && !hasGnuTime()) throw new UsageError('--rss-probe time needs /usr/bin/time (apt-get install -y time)');
  return {
    scale, runs, only, probe, keep: values.keep ?? false, dir: resolve(values.dir ?? '/dev/shm/scelle-bench'),
    codeRun: !values['no-code-run'], clean: values.clean ?? false,
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
function checkTools(): boolean {
  const needed: [string, string][] = [['age', 'age'], ['age-keygen', 'age'], ['tar', 'tar'], ['cp', 'coreutils'], ['bash', 'bash']];
  const missing = needed.filter(([exe]) => !findExecutable(exe));
  if (missing.length === 0) return true;
  const pkgs = [...new Set(missing.map(([, p]) => p))];
  console.error(`Missing: ${missing.map(([e]) => e).join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
  return false;
}

function version(cmd: string, args: string[]): string {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? ''; } catch { return 'unknown'; }
}

function freeBytes(path: string): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

const fmtMiB = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

interface Ctx {
  opts: Options;
  root: string;
  scelleBin: string;
  home: string;
  keys: { escrowKey: string; escrowPub: string; ageKey: string; agePub: string };
  env: NodeJS.ProcessEnv;
  log: (s: string) => void;
  /** The workload being measured, so that a failure still reports what was measured. */
  current: { name: WorkloadName; files: number; dirs: number; bytes: number; generatedSeconds: number | null;
    verification: Record<string, string>; samples: Map<string, Sample[]>; tarAlone?: TarAlone } | null;
}

/** `tar -c` and `tar -x` alone on the workload (no encryption, no hash): the file system's own cost, in C. */
interface TarAlone { createSeconds: number; extractSeconds: number }

interface WorkloadResult {
  name: WorkloadName;
  /** False when a command failed during this workload: the numbers are partial. */
  complete: boolean;
  files: number;
  dirs: number;
  bytes: number;
  generatedSeconds: number | null;
  verification: Record<string, string>;
  samples: Record<string, { run: number; position: number; seconds: number; rssKiB: Record<string, number> }[]>;
  summaries: ToolSummary[];
  targets: TargetVerdict[];
  tarAlone?: TarAlone;
}

/** The `{"event":"result",...}` record of scelle's JSON Lines output (normally the last line). */
function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i] ?? '') as Record<string, unknown>;
      if (r.event === 'result') return r;
    } catch { /* not JSON */ }
  }
  throw new BenchError(`scelle printed no JSON result; last line: ${(lines[lines.length - 1] ?? '').slice(0, 300)}`);
}

function rotate<T>(xs: T[], k: number): T[] {
  const n = k % xs.length;
  return [...xs.slice(n), ...xs.slice(0, n)];
}

async function benchWorkload(ctx: Ctx, name: WorkloadName): Promise<WorkloadResult> {
  const { opts, log } = ctx;
  const params = workloadParams(name, opts.scale);
  const est = estimateBytes(params);
  const wlRoot = join(opts.dir, 'workloads');
  mkdirSync(wlRoot, { recursive: true });
  const marker = existsSync(join(wlRoot, workloadDirName(params), 'workload.json'));
  // Outputs at the same time: sealed drive + .age file + one restored (or copied) tree.
  const need = (marker ? 0 : est) + 3 * est * 1.05 + 128 * 1024 * 1024;
  const free = freeBytes(opts.dir);
  if (free < need) {
    throw new BenchError(`not enough space on ${opts.dir}: workload "${name}" at scale ${opts.scale} needs about ${fmtMiB(need)}, `
      + `${fmtMiB(free)} free. Use a smaller --scale, free /dev/shm (npm run bench -- --clean), or enlarge it `
      + `(mount -o remount,size=8G /dev/shm).`);
  }
  const ens = await ensureWorkload(wlRoot, params, log);
  const w = ens.workload;
  log(ens.generated ? `generated ${name} in ${ens.seconds.toFixed(1)} s` : `using cached workload ${w.dir}`);
  log(`workload ${name}: ${w.files} files, ${w.dirs} folders, ${(w.bytes / 1e6).toFixed(1)} MB`);

  const samples = new Map<string, Sample[]>();
  const verification: Record<string, string> = {};
  ctx.current = { name, files: w.files, dirs: w.dirs, bytes: w.bytes, generatedSeconds: ens.generated ? ens.seconds : null, verification, samples };
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
  const srcParent = dirname(w.src);
  const run = (spec: CommandSpec) => measure(spec, opts.probe, opts.dir);

  for (let r = 0; r < opts.runs; r++) {
    const runDir = join(opts.dir, 'out', `${name}-run${r + 1}`);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'target'), { recursive: true });
    const ageFile = join(runDir, 'out.age');
    let driveDir = '';
    const sealOrder = rotate<ToolId>(['scelle', 'tar|age', 'cp'], r);
    const openOrder = rotate<ToolId>(['scelle', 'age|tar'], r);
    log(`run ${r + 1}/${opts.runs}: seal order ${sealOrder.join(', ')}; open order ${openOrder.join(', ')}`);

    for (const [pos, tool] of sealOrder.entries()) {
      let m: Measurement;
      if (tool === 'scelle') {
        m = await run({ env: ctx.env, procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'seal', w.src, '--to', join(runDir, 'target'),
          '--no-unlock-code', '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json'] }] });
        const res = lastJson(m.stdout);
        if (res.files !== w.files || res.bytes !== w.bytes) {
          throw new BenchError(`scelle seal reported ${String(res.files)} files / ${String(res.bytes)} bytes, expected ${w.files} / ${w.bytes}`);
        }
        driveDir = String(res.driveDir);
      } else if (tool === 'tar|age') {
        m = await run({ stdoutFile: ageFile, procs: [
          { label: 'tar', argv: ['tar', '-cf', '-', '-C', srcParent, 'src'] },
          { label: 'age', argv: ['age', '-r', ctx.keys.agePub] },
        ] });
      } else {
        const copy = join(runDir, 'copy');
        mkdirSync(copy);
        m = await run({ procs: [{ label: 'cp', argv: ['cp', '-r', w.src, join(copy, 'src')] }] });
        if (r === 0) await verify('cp -r', join(copy, 'src'));
        rmSync(copy, { recursive: true, force: true });
      }
      add('seal', tool, { run: r, position: pos, m });
      log(`  seal ${tool.padEnd(8)} ${m.seconds.toFixed(3)} s  ${(w.bytes / 1e6 / m.seconds).toFixed(1)} MB/s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB`);
    }

    for (const [pos, tool] of openOrder.entries()) {
      const dst = join(runDir, `open-${tool === 'scelle' ? 'scelle' : 'age'}`);
      mkdirSync(dst);
      let m: Measurement;
      if (tool === 'scelle') {
        m = await run({ env: ctx.env, procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'open', driveDir, '--to', dst,
          '--identity', ctx.keys.escrowKey, '--json'] }] });
        const res = lastJson(m.stdout);
        if (res.verified !== true || res.files !== w.files) {
          throw new BenchError(`scelle open did not verify: ${JSON.stringify(res).slice(0, 300)}`);
        }
      } else {
        m = await run({ procs: [
          { label: 'age', argv: ['age', '-d', '-i', ctx.keys.ageKey, ageFile] },
          { label: 'tar', argv: ['tar', '-xf', '-', '-C', dst] },
        ] });
      }
      add('open', tool, { run: r, position: pos, m });
      log(`  open ${tool.padEnd(8)} ${m.seconds.toFixed(3)} s  ${(w.bytes / 1e6 / m.seconds).toFixed(1)} MB/s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB`);
      if (r === 0) await verify(tool === 'scelle' ? 'scelle open' : 'age -d | tar -x', join(dst, 'src'));
      if (!(opts.keep && r === opts.runs - 1)) rmSync(dst, { recursive: true, force: true });
    }
    if (!(opts.keep && r === opts.runs - 1)) rmSync(runDir, { recursive: true, force: true });
  }

  {
    // tar alone, once: writing an archive of the sources to tmpfs, then extracting it.
    const dir = join(opts.dir, 'out', `${name}-tar-alone`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'x'), { recursive: true });
    const archive = join(dir, 'src.tar');
    const create = await run({ stdoutFile: archive, procs: [{ label: 'tar', argv: ['tar', '-cf', '-', '-C', srcParent, 'src'] }] });
    const extract = await run({ procs: [{ label: 'tar', argv: ['tar', '-xf', archive, '-C', join(dir, 'x')] }] });
    rmSync(dir, { recursive: true, force: true });
    ctx.current.tarAlone = { createSeconds: create.seconds, extractSeconds: extract.seconds };
    log(`  tar alone: -c ${create.seconds.toFixed(3)} s, -x ${extract.seconds.toFixed(3)} s`);
  }

  if (opts.codeRun) {
    // One seal with an unlock code as well as the X25519 recipient: adds Argon2id (m = 64 MiB, t = 3).
    const runDir = join(opts.dir, 'out', `${name}-code`);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    const m = await run({ env: ctx.env, procs: [{ label: 'scelle', argv: [ctx.scelleBin, 'seal', w.src, '--to', runDir,
      '--no-escrow', '--recipient', ctx.keys.escrowPub, '--json'] }] });
    const res = lastJson(m.stdout);
    if (typeof res.unlockCode !== 'string') throw new BenchError('scelle seal with an unlock code returned no code');
    add('seal', 'scelle+code', { run: 0, position: 0, m });
    log(`  seal scelle+unlock code ${m.seconds.toFixed(3)} s  RSS ${(m.rssTotalKiB / 1024).toFixed(1)} MiB`);
    rmSync(runDir, { recursive: true, force: true });
  }

  const result = workloadResult(ctx.current, true);
  ctx.current = null;
  return result;
}

function workloadResult(c: NonNullable<Ctx['current']>, complete: boolean): WorkloadResult {
  const order: [Op, ToolId][] = [['seal', 'scelle'], ['seal', 'scelle+code'], ['seal', 'tar|age'], ['seal', 'cp'], ['open', 'scelle'], ['open', 'age|tar']];
  const summaries = order.filter(([op, t]) => c.samples.has(`${op} ${t}`))
    .map(([op, t]) => summarize(op, t, c.samples.get(`${op} ${t}`) ?? [], c.bytes));
  const raw: WorkloadResult['samples'] = {};
  for (const [k, ss] of c.samples) raw[k] = ss.map((s) => ({ run: s.run + 1, position: s.position + 1, seconds: s.m.seconds, rssKiB: s.m.rssKiB }));
  return {
    name: c.name, complete, files: c.files, dirs: c.dirs, bytes: c.bytes, generatedSeconds: c.generatedSeconds,
    verification: c.verification, samples: raw, summaries, targets: targets(c.name, summaries), tarAlone: c.tarAlone,
  };
}

/**
 * Copies the built CLI (package.json, bin/, dist/cli, dist/shared) to the working directory, so that
 * a concurrent `npm run build` in the tree can neither break nor change the measured program.
 * Packages still resolve through a symlink to the repository's node_modules.
 */
function snapshotCli(root: string, dir: string): string {
  const app = join(dir, 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  cpSync(join(root, 'bin'), join(app, 'bin'), { recursive: true });
  for (const d of ['cli', 'cli-bundle', 'shared']) cpSync(join(root, 'dist', d), join(app, 'dist', d), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  return join(app, 'bin', 'scelle.js');
}

async function main(argv: string[]): Promise<number> {
  let opts: Options | null;
  try { opts = parseOptions(argv); } catch (e) { console.error(`${(e as Error).message}\n\n${USAGE}`); return 2; }
  if (!opts) return 0;
  if (opts.clean) {
    rmSync(opts.dir, { recursive: true, force: true });
    console.log(`removed ${opts.dir}`);
    return 0;
  }
  if (!checkTools()) return 1;
  const shm = opts.dir.startsWith('/dev/shm') ? '/dev/shm' : dirname(opts.dir);
  if (!existsSync(shm)) { console.error(`${shm} does not exist: the benchmark needs a tmpfs (/dev/shm).`); return 1; }
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) { console.error('dist/cli/main.js is missing: run npm run build first.'); return 1; }
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
    escrowKey: join(keyDir, 'escrow.key'), escrowPub: join(keyDir, 'escrow.key.pub'),
    ageKey: join(keyDir, 'age.key'), agePub: '',
  };
  execFileSync(process.execPath, [scelleBin, 'keygen', 'escrow', '--out', keys.escrowKey, '--json'], { env, stdio: 'ignore' });
  execFileSync('age-keygen', ['-o', keys.ageKey], { stdio: 'ignore' });
  keys.agePub = execFileSync('age-keygen', ['-y', keys.ageKey], { encoding: 'utf8' }).trim();
  const ctx: Ctx = { opts, root, scelleBin, home, keys, env, log, current: null };

  // Warm-up (not measured): creates the local station on first use, loads binaries in the page cache.
  const warm = join(opts.dir, 'out', 'warmup');
  mkdirSync(join(warm, 'src'), { recursive: true });
  writeFileSync(join(warm, 'src', 'hello.txt'), 'hello\n');
  mkdirSync(join(warm, 'target'));
  execFileSync(process.execPath, [scelleBin, 'seal', join(warm, 'src'), '--to', join(warm, 'target'), '--no-unlock-code', '--no-escrow',
    '--recipient', keys.escrowPub, '--json'], { env, stdio: 'ignore' });
  // Fixed cost of one seal of a 6-byte file (node start-up, station key, manifest signature, custody record).
  mkdirSync(join(warm, 'target2'));
  const tiny = await measure({ env, procs: [{ label: 'scelle', argv: [scelleBin, 'seal', join(warm, 'src'),
    '--to', join(warm, 'target2'), '--no-unlock-code', '--no-escrow', '--recipient', keys.escrowPub, '--json'] }] }, opts.probe, opts.dir);
  execFileSync('bash', ['-c', `tar -cf - -C ${warm} src | age -r ${keys.agePub} | age -d -i ${keys.ageKey} | tar -tf - > /dev/null`]);
  rmSync(warm, { recursive: true, force: true });

  const machine = {
    cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version, commit: version('git', ['-C', root, 'describe', '--always', '--dirty']), age: version('age', ['--version']), tar: version('tar', ['--version']),
    rssProbe: opts.probe === 'time' ? '/usr/bin/time -f %M' : 'polling /proc/<pid>/status VmHWM',
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
    tinySealSeconds: +tiny.seconds.toFixed(3), tinySealRssMiB: +(tiny.rssTotalKiB / 1024).toFixed(1),
  };
  log(`Scellé benchmark — scale ${opts.scale}, ${opts.runs} run(s), median reported; ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, commit ${machine.commit}, age ${machine.age}, ${machine.tar}`);
  log(`peak RSS: ${machine.rssProbe}; load average at start ${machine.loadavgStart.join(' ')}`);
  log(`fixed cost: scelle seal of one 6-byte file takes ${machine.tinySealSeconds} s (peak RSS ${machine.tinySealRssMiB} MiB)`);
  const steps = measureStepCosts(opts.dir);
  log(`format building blocks (Node, this machine): SHA-256 ${steps.sha256.toFixed(2)} ns/B, AES-256-GCM ${steps.aesGcm.toFixed(2)} ns/B, tmpfs write ${steps.tmpfsWrite.toFixed(2)} ns/B, read ${steps.tmpfsRead.toFixed(2)} ns/B`);
  if (opts.probe === 'proc') log('(install GNU time for exact peak RSS: sudo apt-get install -y time)');

  const names: WorkloadName[] = opts.only ? [opts.only] : ['large', 'small'];
  const results: WorkloadResult[] = [];
  let failed = false;
  try {
    for (const n of names) results.push(await benchWorkload(ctx, n));
  } catch (e) {
    failed = true;
    if (ctx.current) results.push(workloadResult(ctx.current, false));
    if (e instanceof CommandError || e instanceof BenchError) console.error(`\nBENCHMARK FAILED: ${e.message}`);
    else throw e;
  } finally {
    if (!opts.keep) {
      rmSync(join(opts.dir, 'out'), { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
      rmSync(join(opts.dir, 'app'), { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    }
  }

  const allTargets = results.flatMap((r) => r.targets);
  console.log('');
  for (const r of results) {
    console.log(formatWorkloadTable(`Workload ${r.name}: ${r.files} files${r.dirs ? ` in ${r.dirs} folders` : ''}, ${(r.bytes / 1e6).toFixed(1)} MB${r.complete ? '' : ' (INCOMPLETE: a command failed)'}`, r.bytes, r.summaries));
    console.log('');
  }
  if (allTargets.length) console.log(formatTargets(allTargets));
  const floorRows = results.flatMap((r) => {
    const med = (op: Op, tool: ToolId) => r.summaries.find((x) => x.op === op && x.tool === tool)?.medianSeconds ?? NaN;
    return [
      { workload: r.name, op: 'seal' as const, bytes: r.bytes, goal: r.name === 'large' ? 1.5 : 1.2, baselineSeconds: med('seal', 'tar|age'), scelleSeconds: med('seal', 'scelle'), tarAloneSeconds: r.tarAlone?.createSeconds },
      { workload: r.name, op: 'open' as const, bytes: r.bytes, goal: 1.5, baselineSeconds: med('open', 'age|tar'), scelleSeconds: med('open', 'scelle'), tarAloneSeconds: r.tarAlone?.extractSeconds },
    ].filter((x) => !Number.isNaN(x.baselineSeconds) && !Number.isNaN(x.scelleSeconds));
  });
  if (floorRows.length) console.log(`\n${formatFloor(steps, machine.cpus, machine.tinySealSeconds, floorRows)}`);
  const loadEnd = loadavg().map((x) => +x.toFixed(2));
  console.log(`\nload average at end ${loadEnd.join(' ')} (a shared or busy machine makes these numbers noisy)`);

  const outDir = join(root, 'dist', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'latest.json');
  writeFileSync(outFile, JSON.stringify({
    date: new Date().toISOString(), options: { ...opts }, machine: { ...machine, loadavgEnd: loadEnd }, failed,
    workloads: results, targets: allTargets, stepCosts: steps,
  }, null, 2));
  console.log(`results written to ${outFile}`);
  if (opts.keep) console.log(`outputs kept under ${join(opts.dir, 'out')}`);
  console.log(`cached workloads stay in ${join(opts.dir, 'workloads')} (tmpfs, i.e. RAM): npm run bench -- --clean to free them`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
