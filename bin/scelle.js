#!/usr/bin/env -S node --max-semi-space-size=1
// The `scelle` command: runs the compiled command line (npm run build, done by npm ci/install).
// The flag caps V8's young generation (16 MiB semi-spaces by default): sealing many small files
// makes short-lived garbage at a high rate, and the smaller cap keeps peak memory under 256 MiB
// at the same speed (docs/BENCHMARKS.md).
import { main } from '../dist/cli-bundle/scelle.js';

process.exitCode = await main(process.argv.slice(2));
