import { describe, expect, it } from 'vitest';
import { toPgPlaceholders } from './postgres.js';

describe('toPgPlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(toPgPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
  });
  it('leaves question marks inside quoted strings and identifiers alone', () => {
    expect(toPgPlaceholders(`SELECT '?' AS "x?" FROM t WHERE a = ?`)).toBe(`SELECT '?' AS "x?" FROM t WHERE a = $1`);
  });
});
