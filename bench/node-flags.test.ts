import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { scelleBinFlags, scelleNodeFlags } from './node-flags.js';

describe("the scelle command's V8 flags (node-flags.ts)", () => {
  it("reads them off the command's first line, and refuses a line that does not run node", () => {
    expect(scelleNodeFlags('#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=30')).toEqual(['--max-semi-space-size=2', '--heap-growing-percent=30']);
    expect(scelleNodeFlags('#!/usr/bin/env node')).toEqual([]);
    expect(() => scelleNodeFlags('// not a shebang')).toThrow(/not a node shebang/);
  });
  it('finds flags on bin/scelle.js itself', () => {
    expect(scelleBinFlags(fileURLToPath(new URL('../bin/scelle.js', import.meta.url)))).toContain('--max-semi-space-size=2');
  });
});
