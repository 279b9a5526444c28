/**
 * The check sweep: proves that every check of the index and restore paths has a test that
 * fails without it. It disables one check at a time — an `if (COND) throw …`, or an
 * `if (COND) {` whose block throws, becomes `if (false) …` — runs the tests with `--bail=1`,
 * puts the source back, and reports every check whose removal left the tests green (a
 * "survivor": a check no test needs, or a missing test).
 *
 *   node test/mutants/sweep.ts [--files a.ts,b.ts] [--tests dir,file] [--skip file:line,…]
 *
 * Slow (one test run per check, up to ≈ 100 s each here; 73 checks by default, ≈ 30 min), so not part of
 * `npm test`; run it before a release or after changing a checked path. Exits 1 when a check
 * survives. The source is restored after each run, and on Ctrl-C. Node 24 runs this file as
 * it is (type stripping); it imports nothing of the repo, so it never tests itself.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** One check found in a source file: its line (0-based) and where its condition is on that line. */
export interface Check {
  line: number;
  /** The condition's first character, and one past its last (inside the `if (` … `)`). */
  from: number;
  to: number;
  text: string;
}

/** How far below an `if (COND) {` the block's `throw` may be (a block that only throws). */
const BLOCK_LINES = 6;

/** The checks of `source`: `if` statements that throw, one per line (see module doc). */
export function findChecks(source: string): Check[] {
  const lines = source.split('\n');
  const checks: Check[] = [];
  lines.forEach((line, n) => {
    const m = /^(\s*)(?:\} else )?if \(/.exec(line);
    if (!m) return;
    let i = m[0].length;
    for (let depth = 1; i < line.length && depth > 0; i++) {
      if (line[i] === '(') depth++;
      else if (line[i] === ')') depth--;
    }
    if (line[i - 1] !== ')') return; // the condition goes on to the next line: not handled
    const rest = line.slice(i).trim();
    const blockThrows = () => {
      const block = lines.slice(n + 1, n + 1 + BLOCK_LINES).join('\n');
      const end = block.indexOf('\n' + m[1] + '}');
      return /\bthrow\b/.test(end < 0 ? block : block.slice(0, end));
    };
    if (rest.startsWith('throw ') || (rest === '{' && blockThrows())) checks.push({ line: n, from: m[0].length, to: i - 1, text: line.trim() });
  });
  return checks;
}

/** `source` with `check`'s condition replaced by `false` (the check can no longer fire). */
export function disable(source: string, check: Check): string {
  const lines = source.split('\n');
  const line = lines[check.line]!;
  lines[check.line] = `${line.slice(0, check.from)}false /* mutant */${line.slice(check.to)}`;
  return lines.join('\n');
}

/** The index and restore paths (issue 8's list), and the tests that guard them. */
const DEFAULT_FILES = [
  'shared/format/index-reader.ts',
  'shared/format/index-codec.ts',
  'shared/engine/drive.ts',
  'shared/engine/restore/restore-file.ts',
  'shared/engine/restore/open.ts',
  'shared/engine/restore/restore-selection.ts',
  'shared/engine/restore/restore-paths.ts',
  'shared/engine/restore/destination.ts',
];
const DEFAULT_TESTS = ['shared/format', 'shared/engine', 'test/independent', 'test/fixture-drive.test.ts'];

function option(args: string[], name: string, fallback: string[]): string[] {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]!.split(',').filter(Boolean) : fallback;
}

function main(args: string[]): number {
  const files = option(args, '--files', DEFAULT_FILES);
  const tests = option(args, '--tests', DEFAULT_TESTS);
  const skip = new Set(option(args, '--skip', []));
  let restore: (() => void) | null = null;
  process.on('SIGINT', () => {
    restore?.();
    process.exit(130);
  });
  const survivors: string[] = [];
  let ran = 0;
  for (const file of files) {
    const original = readFileSync(file, 'utf8');
    for (const check of findChecks(original)) {
      const where = `${file}:${check.line + 1}`;
      if (skip.has(where)) continue;
      restore = () => writeFileSync(file, original);
      writeFileSync(file, disable(original, check));
      const started = Date.now();
      let killed: boolean;
      try {
        const r = spawnSync('npx', ['vitest', 'run', '--bail=1', '--reporter=dot', ...tests], { stdio: 'ignore', timeout: 15 * 60_000 });
        killed = r.status !== 0;
      } finally {
        restore();
        restore = null;
      }
      ran++;
      if (!killed) survivors.push(`${where}  ${check.text}`);
      console.log(`${killed ? 'caught  ' : 'SURVIVED'} ${where} (${Math.round((Date.now() - started) / 1000)} s)  ${check.text.slice(0, 100)}`);
    }
  }
  console.log(`\n${ran} checks disabled one at a time; ${survivors.length} survived${survivors.length ? ':\n' + survivors.join('\n') : '.'}`);
  return survivors.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
