import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { disable, findChecks } from './sweep.js';

const source = [
  'function f(a: number, s: string) {',
  '  if (a < 0) throw new Error("negative");',
  '  if (s.includes(String(a))) {',
  '    throw new Error("named");',
  '  }',
  '  if (a === 1) return 1;',
  '  if (a === 2) {',
  '    a++;',
  '  }',
  '  if (a === 3) {',
  '    log(a);',
  '  } else if (a === 4) throw new Error("four");',
  '  if (a > 9 &&',
  '    a < 20) throw new Error("teen");',
  '  if (f(a) && g(a)', // ends with ')' but stays open
  '    || h(a)) {',
  '    throw new Error("fgh");',
  '  }',
  '  return a;',
  '}',
].join('\n');

describe('the check sweep', () => {
  it('finds the checks that throw, on one line or as a block, their condition on one line or several, and nothing else', () => {
    expect(findChecks(source).map((c) => [c.line + 1, c.text])).toEqual([
      [2, 'if (a < 0) throw new Error("negative");'],
      [3, 'if (s.includes(String(a))) {'],
      [12, '} else if (a === 4) throw new Error("four");'],
      [13, 'if (a > 9 && a < 20) throw new Error("teen");'],
      [15, 'if (f(a) && g(a) || h(a)) {'],
    ]);
  });

  it('disables one check by making its condition false, leaving the rest of the source as it was', () => {
    const [, block, elseIf] = findChecks(source);
    const out = disable(source, block!).split('\n');
    expect(out[2]).toBe('  if (false /* mutant */) {');
    expect(out.filter((_, i) => i !== 2)).toEqual(source.split('\n').filter((_, i) => i !== 2));
    expect(disable(source, elseIf!).split('\n')[11]).toBe('  } else if (false /* mutant */) throw new Error("four");');
  });

  it('disables a condition over several lines, every line keeping its number', () => {
    const teen = findChecks(source).find((c) => c.text.includes('teen'))!;
    const out = disable(source, teen).split('\n');
    expect(out).toHaveLength(source.split('\n').length);
    expect(out.slice(12, 14)).toEqual(['  if (false /* mutant */', ') throw new Error("teen");']);
    expect(out.filter((_, i) => i !== 12 && i !== 13)).toEqual(source.split('\n').filter((_, i) => i !== 12 && i !== 13));
  });

  it('still finds the checks of the index and restore paths as they are written today', () => {
    const count = (f: string) => findChecks(readFileSync(f, 'utf8')).length;
    expect(count('shared/format/index-reader.ts')).toBeGreaterThanOrEqual(15);
    expect(count('shared/engine/restore/open.ts')).toBeGreaterThanOrEqual(4);
    expect(count('shared/engine/restore/restore-file.ts')).toBeGreaterThanOrEqual(4);
    expect(count('shared/format/tar.ts')).toBeGreaterThanOrEqual(9);
    expect(count('shared/engine/verify/verify.ts')).toBeGreaterThanOrEqual(7); // one condition over six lines
  });
});
