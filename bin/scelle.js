#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=30
// The `scelle` command: runs the compiled command line (npm run build, done by npm ci/install).
// The first flag caps V8's young generation (2 MiB semi-spaces; Node 24's default is 32 MiB):
// sealing or restoring many small files makes short-lived garbage at a high rate on every
// thread, and the cap keeps peak memory under 256 MiB at the same speed. 2 MiB, not 1: at a
// million files a listing spends 35 % less CPU (4.1 s against 6.3 s) and the seal about 8 %
// less, for the same peak (235 MiB). The second lets each thread's heap grow by 30 % of what it
// holds before a full collection, not up to 3× (at a million files: open 217 → 164 MiB, list
// 144 → 112 MiB, seal 172 → 160 MiB, CPU time unchanged). docs/BENCHMARKS.md has the runs.
import { main } from '../dist/cli-bundle/scelle.js';

process.exitCode = await main(process.argv.slice(2));
