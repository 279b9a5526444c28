// The V8 flags the `scelle` command runs with: the bench runs scelle's own code (the seal's count
// alone, a station's journal) with them too, so that what it measures is what the command does.
import { readFileSync } from 'node:fs';

/** The V8 flags on the first line of bin/scelle.js (`#!/usr/bin/env -S node FLAGS`). Throws when that line does not run node. */
export function scelleNodeFlags(shebang: string): string[] {
  const m = /^#!.*\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(shebang);
  if (!m) throw new Error(`not a node shebang: ${shebang}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

/** The V8 flags of the `scelle` command at `binPath` (its first line). */
export function scelleBinFlags(binPath: string): string[] {
  return scelleNodeFlags(readFileSync(binPath, 'utf8').split('\n', 1)[0] ?? '');
}
