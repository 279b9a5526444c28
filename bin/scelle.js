#!/usr/bin/env node
// The `scelle` command: runs the compiled command line (npm run build, done by npm ci/install).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
