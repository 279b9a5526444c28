#!/usr/bin/env -S node --heap-growing-percent=30
// The `scelle` command: runs the compiled command line (npm run build, done by npm ci/install).
// The flag lets each thread's heap grow by 30 % of what it holds before a full collection, not
// up to 3× (at a million files: open 217 → 164 MiB, list 144 → 112 MiB, seal 172 → 160 MiB, CPU
// time unchanged; docs/BENCHMARKS.md).
//
// `seal` runs again in place (execve: same process, same signals and terminal) with V8's young
// generation capped (1 MiB semi-spaces instead of 16): sealing many small files makes short-lived
// garbage at a high rate on every thread, and the cap keeps its peak memory under 256 MiB at the
// same speed (a million files: 232 MiB with it, 267–286 MiB without). The other commands keep
// V8's default: a listing of a million entries spends 22 % less CPU with it. Where execve is not
// available (Windows), seal runs with the default.
import { fileURLToPath } from 'node:url';

const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1';
if (process.argv[2] === 'seal' && !process.execArgv.includes(SMALL_YOUNG_GENERATION) && typeof process.execve === 'function') {
  const args = [process.execPath, SMALL_YOUNG_GENERATION, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.execve(process.execPath, args, process.env);
}
const { main } = await import('../dist/cli-bundle/scelle.js');
process.exitCode = await main(process.argv.slice(2));
