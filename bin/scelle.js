#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=30
// The `scelle` command: runs the compiled command line (npm run build, done by npm ci/install).
// The first flag caps V8's young generation (16 MiB semi-spaces by default): sealing many small
// files makes short-lived garbage at a high rate, and the smaller cap keeps peak memory under
// 256 MiB at the same speed. The second lets each thread's heap grow by 30 % of what it holds
// before a full collection, not up to 3× (at a million files: open 217 → 164 MiB, list 144 →
// 112 MiB, seal 172 → 160 MiB, CPU time unchanged; docs/BENCHMARKS.md).
import { main } from '../dist/cli-bundle/scelle.js';

process.exitCode = await main(process.argv.slice(2));
