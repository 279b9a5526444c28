// Runs one benchmarked command: wall time with a high-resolution timer, peak RSS per process.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, in KiB) wrapped around each process of
// the command; without it, /proc/<pid>/status VmHWM is polled over the process tree (less
// precise: a process that lives less than a polling interval may be missed).
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { reportedKiB } from './freed-memory.js';

export type RssProbe = 'time' | 'proc';
export const GNU_TIME = '/usr/bin/time';

export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function hasGnuTime(): boolean {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One process of a command: argv, and for pipelines its place in the pipe. */
export interface Proc {
  label: string;
  argv: string[];
}

export interface CommandSpec {
  /** Processes joined by pipes, in order (or run one after the other with `sequential`). */
  procs: Proc[];
  /** Runs the processes one after the other (`a && b`) instead of in a pipeline. */
  sequential?: boolean;
  /** stdin of the first process (a file), stdout of the last (a file); else inherited/captured. */
  stdinFile?: string;
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Measurement {
  seconds: number;
  /** Peak RSS of each process, KiB (label → KiB). */
  rssKiB: Record<string, number>;
  /**
   * Sum over the processes (they run concurrently in a pipeline: an upper bound of the total);
   * for sequential processes, the largest.
   */
  rssTotalKiB: number;
  stdout: string;
  /**
   * Freed memory the machine handed back to its host while the command ran (free page
   * reporting, freed-memory.ts), KiB; absent where the kernel does not count it.
   */
  reportedKiB?: number;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the command in bash (pipefail), each process under GNU time when probe = 'time'.
 * stdout of the last process is captured unless redirected to a file.
 */
export async function measure(spec: CommandSpec, probe: RssProbe, tmpDir: string): Promise<Measurement> {
  const rssFiles = spec.procs.map((_, i) => join(tmpDir, `rss-${process.pid}-${i}.txt`));
  const parts = spec.procs.map((p, i) => {
    const cmd = p.argv.map(shellQuote).join(' ');
    return probe === 'time' ? `${GNU_TIME} -f %M -o ${shellQuote(rssFiles[i] ?? '')} ${cmd}` : cmd;
  });
  let script = parts.join(spec.sequential ? ' && ' : ' | ');
  if (spec.stdinFile) script += ` < ${shellQuote(spec.stdinFile)}`;
  if (spec.stdoutFile) script += ` > ${shellQuote(spec.stdoutFile)}`;
  script = `set -o pipefail; ${script}`;

  const reported0 = reportedKiB();
  const t0 = process.hrtime.bigint();
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: spec.env ?? process.env });
  const stdout: Buffer[] = [],
    stderr: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  const poller = probe === 'proc' && child.pid ? new TreePoller(child.pid) : null;
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
  }).finally(() => poller?.stop());
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  poller?.stop();
  const err = Buffer.concat(stderr).toString('utf8');
  if (code !== 0) {
    for (const f of rssFiles) rmSync(f, { force: true });
    // With --json, scelle reports its error as the last line of stdout.
    const lastOut = Buffer.concat(stdout).toString('utf8').trim().split('\n').at(-1) ?? '';
    throw new CommandError(`command failed (exit ${code}): ${script}\n${err.trim()}${err.trim() ? '' : lastOut.slice(0, 2000)}`, err);
  }
  const rssKiB: Record<string, number> = {};
  if (probe === 'time') {
    spec.procs.forEach((p, i) => {
      const f = rssFiles[i] ?? '';
      const lines = readFileSync(f, 'utf8').trim().split('\n');
      rssKiB[p.label] = Number(lines[lines.length - 1]);
      rmSync(f, { force: true });
    });
  } else if (poller) {
    Object.assign(rssKiB, poller.byLabel(spec.procs));
  }
  const rssTotalKiB = Object.values(rssKiB).reduce((a, b) => (spec.sequential ? Math.max(a, b) : a + b), 0);
  const reported1 = reportedKiB();
  const m: Measurement = { seconds, rssKiB, rssTotalKiB, stdout: Buffer.concat(stdout).toString('utf8') };
  if (reported0 !== null && reported1 !== null) m.reportedKiB = reported1 - reported0;
  return m;
}

/** Polls VmHWM of a process tree every few milliseconds (fallback without GNU time). */
class TreePoller {
  private readonly peak = new Map<number, { comm: string; argv0: string; kib: number }>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly root: number) {
    this.timer = setInterval(() => this.poll(), 10);
    this.poll();
  }
  private poll(): void {
    const stack = [this.root];
    while (stack.length) {
      const pid = stack.pop() as number;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        const comm = /Name:\s+(\S+)/.exec(status)?.[1] ?? '';
        const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
        if (hwm) {
          const prev = this.peak.get(pid);
          const kib = Number(hwm[1]);
          if (!prev || kib > prev.kib || argv0 !== prev.argv0) this.peak.set(pid, { comm, argv0, kib: Math.max(kib, prev?.kib ?? 0) });
        }
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
          if (kids) for (const k of kids.split(/\s+/)) stack.push(Number(k));
        }
      } catch {
        /* the process ended meanwhile */
      }
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
  /** Matches polled processes to the command's processes by executable name; bash is excluded. */
  byLabel(procs: Proc[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of procs) {
      const exe = (p.argv[0] ?? '').split('/').pop() ?? '';
      let kib = 0;
      for (const [pid, e] of this.peak) {
        if (pid === this.root && procs.length > 1) continue;
        if ((e.argv0.split('/').pop() ?? '') === exe || e.comm === exe.slice(0, 15)) kib = Math.max(kib, e.kib);
      }
      out[p.label] = kib;
    }
    return out;
  }
}
