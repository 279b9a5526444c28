/**
 * The check sweep: proves that every check of the code that reads a drive has a test that
 * fails without it. It disables one check at a time — an `if (COND) throw …`, or an
 * `if (COND) {` whose block throws, becomes `if (false) …` — runs the tests with `--bail=1`,
 * puts the source back, and reports every check whose removal left the tests green (a
 * "survivor": a check no test needs, or a missing test).
 *
 *   node test/mutants/sweep.ts [--files a.ts,b.ts] [--tests dir,file] [--skip file:line,…] [--timeout seconds]
 *
 * Slow (one test run per check, 1–2 minutes each here; 120 checks by default, over 3 hours), so
 * not part of `npm test`; run it before a release or after changing a checked path, or on one
 * file against its own tests (seconds a check). Exits 1 when a check
 * survives. The source is restored after each run, and on Ctrl-C. Node 24 runs this file as
 * it is (type stripping); it imports nothing of the repo, so it never tests itself.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** One check found in a source file: where its condition starts and ends (0-based lines). */
export interface Check {
  line: number;
  /** The condition's first character on `line` (inside the `if (`). */
  from: number;
  /** The line of the condition's closing `)`, and that parenthesis' position on it. */
  endLine: number;
  to: number;
  /** The check as written, its lines joined by a space. */
  text: string;
}

/**
 * A check whose line says `// unreachable …` (a guard that narrows a type after a schema has
 * already refused the input, so no test can reach it) is listed, not run.
 */
const MARKED_UNREACHABLE = /\/\/ unreachable\b/;

/** How far below an `if (COND) {` the block's `throw` may be (a block that only throws). */
const BLOCK_LINES = 6;
/** How many lines a condition may run over. */
const CONDITION_LINES = 12;

/**
 * The checks of `source`: `if` statements (or `} else if`) that throw, directly or as a block
 * that only throws, their condition on one line or over several. One per line (see module doc).
 */
export function findChecks(source: string): Check[] {
  const lines = source.split('\n');
  const checks: Check[] = [];
  lines.forEach((line, n) => {
    const m = /^(\s*)(?:\} else )?if \(/.exec(line);
    if (!m) return;
    const end = conditionEnd(lines, n, m[0].length);
    if (end === null) return;
    const rest = lines[end.line]!.slice(end.to + 1).trim();
    const blockThrows = () => {
      const block = lines.slice(end.line + 1, end.line + 1 + BLOCK_LINES).join('\n');
      const close = block.indexOf('\n' + m[1] + '}');
      return /\bthrow\b/.test(close < 0 ? block : block.slice(0, close));
    };
    if (rest.startsWith('throw ') || (rest === '{' && blockThrows())) {
      const text = lines
        .slice(n, end.line + 1)
        .map((l) => l.trim())
        .join(' ');
      checks.push({ line: n, from: m[0].length, endLine: end.line, to: end.to, text });
    }
  });
  return checks;
}

/** Where the condition opened just before (line, from) closes: its `)`; null if not within CONDITION_LINES. */
function conditionEnd(lines: string[], line: number, from: number): { line: number; to: number } | null {
  let depth = 1;
  for (let l = line; l < Math.min(lines.length, line + CONDITION_LINES); l++) {
    const text = lines[l]!;
    for (let i = l === line ? from : 0; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) return { line: l, to: i };
    }
  }
  return null;
}

/**
 * `source` with `check`'s condition replaced by `false` (the check can no longer fire). A
 * condition over several lines leaves its inner lines empty, so every line keeps its number.
 */
export function disable(source: string, check: Check): string {
  const lines = source.split('\n');
  const first = lines[check.line]!;
  const last = lines[check.endLine]!;
  for (let l = check.line + 1; l <= check.endLine; l++) lines[l] = '';
  lines[check.line] = `${first.slice(0, check.from)}false /* mutant */${check.endLine === check.line ? first.slice(check.to) : ''}`;
  if (check.endLine !== check.line) lines[check.endLine] = last.slice(check.to);
  return lines.join('\n');
}

/**
 * Everything that reads a drive, and the tests that guard it: the index and restore paths
 * (issue 8's list), then the manifest and keyslots, the encrypted stream, the payload reader,
 * the tar stream and the full verify.
 */
const DEFAULT_FILES = [
  'shared/format/index-reader.ts',
  'shared/format/index-codec.ts',
  'shared/engine/drive.ts',
  'shared/engine/restore/restore-file.ts',
  'shared/engine/restore/open.ts',
  'shared/engine/restore/restore-selection.ts',
  'shared/engine/restore/restore-paths.ts',
  'shared/engine/restore/destination.ts',
  'shared/format/manifest.ts',
  'shared/format/keyslot.ts',
  'shared/format/stream.ts',
  'shared/engine/payload/payload-reader.ts',
  'shared/format/tar.ts',
  'shared/engine/verify/verify.ts',
  'shared/engine/verify/file-hasher.ts',
];
/**
 * A test run longer than this is a mutant the tests never finish with (a loop the check ended,
 * e.g. a read that returns nothing): counted as caught. A whole run takes 100–150 s here.
 */
const RUN_TIMEOUT_MS = 6 * 60_000;
const DEFAULT_TESTS = ['shared/format', 'shared/engine', 'test/independent', 'test/fixture-drive.test.ts'];

function option(args: string[], name: string, fallback: string[]): string[] {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]!.split(',').filter(Boolean) : fallback;
}

/** Kills a process group (a test run and every process it started). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The test process group running now, killed with the sweep on Ctrl-C. */
let running: number | undefined;

/**
 * Runs the tests once, in a process group of their own, and says whether they passed; a run past
 * `timeoutMs` is killed whole and reported as timed out.
 */
function runTests(tests: string[], timeoutMs: number): Promise<{ passed: boolean; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', '--bail=1', '--reporter=dot', ...tests], { stdio: 'ignore', detached: true });
    running = child.pid;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) killGroup(child.pid);
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      running = undefined;
      resolve({ passed: code === 0, timedOut });
    });
  });
}

async function main(args: string[]): Promise<number> {
  const files = option(args, '--files', DEFAULT_FILES);
  const tests = option(args, '--tests', DEFAULT_TESTS);
  const skip = new Set(option(args, '--skip', []));
  const timeoutMs = Number(option(args, '--timeout', [String(RUN_TIMEOUT_MS / 1000)])[0]) * 1000;
  // A timeout that is not a number would end every run at once, and count every check as caught.
  if (!(timeoutMs > 0)) throw new Error('--timeout takes a number of seconds, e.g. --timeout 120');
  let restore: (() => void) | null = null;
  process.on('SIGINT', () => {
    if (running) killGroup(running);
    restore?.();
    process.exit(130);
  });
  const survivors: string[] = [];
  const unreachable: string[] = [];
  let ran = 0;
  for (const file of files) {
    const original = readFileSync(file, 'utf8');
    for (const check of findChecks(original)) {
      const where = `${file}:${check.line + 1}`;
      if (skip.has(where)) continue;
      if (MARKED_UNREACHABLE.test(check.text)) {
        unreachable.push(`${where}  ${check.text}`);
        console.log(`marked unreachable ${where}  ${check.text.slice(0, 100)}`);
        continue;
      }
      restore = () => writeFileSync(file, original);
      writeFileSync(file, disable(original, check));
      const started = Date.now();
      let outcome: { passed: boolean; timedOut: boolean };
      try {
        outcome = await runTests(tests, timeoutMs);
      } finally {
        restore();
        restore = null;
      }
      ran++;
      if (outcome.passed) survivors.push(`${where}  ${check.text}`);
      const verdict = outcome.timedOut ? 'caught (the tests never ended: a loop without it?)' : outcome.passed ? 'SURVIVED' : 'caught  ';
      console.log(`${verdict} ${where} (${Math.round((Date.now() - started) / 1000)} s)  ${check.text.slice(0, 100)}`);
    }
  }
  console.log(`\n${ran} checks disabled one at a time; ${survivors.length} survived${survivors.length ? ':\n' + survivors.join('\n') : '.'}`);
  if (unreachable.length > 0) console.log(`Not run, marked unreachable in the source (review that they still are):\n${unreachable.join('\n')}`);
  return survivors.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
