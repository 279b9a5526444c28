import { describe, expect, it } from 'vitest';
import { isScelleError } from '../errors/scelle-error.js';
import { UNLOCK_CODE_ALPHABET, UNLOCK_CODE_LENGTH, canonicalizeUnlockCode, formatUnlockCode, generateUnlockCode, unlockCodeFromData } from './unlock-code.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (isScelleError(e)) return e.code;
    throw e;
  }
}

/** A few fixed codes plus fresh random ones, all canonical. */
const SAMPLES = [
  unlockCodeFromData('0000000000000000000000000'),
  unlockCodeFromData('ZZZZZZZZZZZZZZZZZZZZZZZZZ'),
  unlockCodeFromData('0123456789ABCDEFGHJKMNPQR'),
  ...Array.from({ length: 3 }, () => canonicalizeUnlockCode(generateUnlockCode())),
];

describe('generateUnlockCode', () => {
  it('returns 7 groups of 4 Crockford symbols that canonicalize to a valid 28-symbol code', () => {
    const code = generateUnlockCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    const canonical = canonicalizeUnlockCode(code);
    expect(canonical).toBe(code.replaceAll('-', ''));
    expect(canonical).toHaveLength(UNLOCK_CODE_LENGTH);
  });

  it('draws fresh randomness each time, with every symbol appearing in data positions', () => {
    const codes = Array.from({ length: 200 }, () => canonicalizeUnlockCode(generateUnlockCode()));
    expect(new Set(codes).size).toBe(codes.length);
    const seen = new Set(codes.flatMap((c) => [...c.slice(0, 25)]));
    expect(seen.size).toBe(32);
  });
});

describe('check characters', () => {
  it('catch EVERY single substitution at every position (exhaustive)', () => {
    let tried = 0;
    for (const code of SAMPLES) {
      for (let i = 0; i < code.length; i++) {
        for (const ch of UNLOCK_CODE_ALPHABET) {
          if (ch === code[i]) continue;
          const typo = code.slice(0, i) + ch + code.slice(i + 1);
          expect(codeOf(() => canonicalizeUnlockCode(typo))).toBe('E_KEY_UNLOCK_CODE_TYPO');
          tried++;
        }
      }
    }
    expect(tried).toBe(SAMPLES.length * 28 * 31);
  });

  it('catch EVERY swap of two different adjacent characters (exhaustive), and non-adjacent swaps too', () => {
    let tried = 0;
    for (const code of SAMPLES) {
      for (let i = 0; i < code.length; i++) {
        for (let j = i + 1; j < code.length; j++) {
          if (code[i] === code[j]) continue;
          const chars = [...code];
          [chars[i], chars[j]] = [chars[j]!, chars[i]!];
          expect(codeOf(() => canonicalizeUnlockCode(chars.join('')))).toBe('E_KEY_UNLOCK_CODE_TYPO');
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(SAMPLES.length * 27 * 0.5);
  });

  // The code is linear, so whether an error pattern is detected does not depend on the code it
  // hits: trying every two-symbol error on one code proves it for all codes.
  it('catch every double substitution of one code (exhaustive, minimum distance 4)', () => {
    const code = SAMPLES[2]!;
    const values = [...code].map((c) => UNLOCK_CODE_ALPHABET.indexOf(c));
    let undetected = 0;
    for (let i = 0; i < 28; i++) {
      for (let j = i + 1; j < 28; j++) {
        for (let a = 1; a < 32; a++) {
          for (let b = 1; b < 32; b++) {
            const v = values.slice();
            v[i] = v[i]! ^ a;
            v[j] = v[j]! ^ b;
            const text = v.map((x) => UNLOCK_CODE_ALPHABET[x]!).join('');
            if (codeOf(() => canonicalizeUnlockCode(text)) !== 'E_KEY_UNLOCK_CODE_TYPO') undetected++;
          }
        }
      }
    }
    expect(undetected).toBe(0);
  });

  it('point at the group holding a single wrong character', () => {
    const code = SAMPLES[3]!;
    for (let i = 0; i < code.length; i++) {
      const ch = code[i] === 'A' ? 'B' : 'A';
      const typo = code.slice(0, i) + ch + code.slice(i + 1);
      try {
        canonicalizeUnlockCode(typo);
        expect.fail('typo accepted');
      } catch (e) {
        expect(isScelleError(e, 'E_KEY_UNLOCK_CODE_TYPO')).toBe(true);
        expect((e as { details: Record<string, unknown> }).details.suspectGroup).toBe(Math.floor(i / 4) + 1);
      }
    }
  });
});

describe('canonicalizeUnlockCode', () => {
  const canonical = unlockCodeFromData('1Q0ABCDEFGHJKMNPQRSTVWXYZ');

  it('accepts display form, spaces, lowercase, unicode dashes and full-width characters', () => {
    const display = formatUnlockCode(canonical);
    expect(canonicalizeUnlockCode(display)).toBe(canonical);
    expect(canonicalizeUnlockCode(display.toLowerCase())).toBe(canonical);
    expect(canonicalizeUnlockCode(` ${display.replaceAll('-', ' ')}\n`)).toBe(canonical);
    expect(canonicalizeUnlockCode(display.replaceAll('-', '\u2013'))).toBe(canonical);
    const fullWidth = [...canonical].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(canonicalizeUnlockCode(fullWidth)).toBe(canonical);
  });

  it('reads I and L as 1 and O as 0', () => {
    expect(canonical.startsWith('1Q0')).toBe(true);
    expect(canonicalizeUnlockCode('IQO' + canonical.slice(3))).toBe(canonical);
    expect(canonicalizeUnlockCode('lqo' + canonical.slice(3))).toBe(canonical);
  });

  it('rejects a wrong length as a format error (missing or extra character)', () => {
    expect(codeOf(() => canonicalizeUnlockCode(canonical.slice(1)))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
    expect(codeOf(() => canonicalizeUnlockCode(canonical + '0'))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
    expect(codeOf(() => canonicalizeUnlockCode(''))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
    expect(codeOf(() => canonicalizeUnlockCode(canonical + ' '.repeat(300)))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
  });

  it('rejects characters outside the alphabet (U, punctuation, letters with accents) as format errors', () => {
    for (const bad of ['U', '*', 'É', '+', '/']) {
      expect(codeOf(() => canonicalizeUnlockCode(bad + canonical.slice(1)))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
    }
  });

  it('never puts the code in an error message', () => {
    const typo = (canonical[0] === 'A' ? 'B' : 'A') + canonical.slice(1);
    for (const input of [typo, canonical.slice(2), 'U' + canonical.slice(1)]) {
      try {
        canonicalizeUnlockCode(input);
        expect.fail('accepted');
      } catch (e) {
        expect((e as Error).message).not.toContain(input.slice(4, 12));
        expect(JSON.stringify((e as { details: unknown }).details)).not.toContain(input.slice(4, 12));
      }
    }
  });
});

describe('formatUnlockCode and unlockCodeFromData', () => {
  it('is a stable test vector', () => {
    // Pinned so that an independent implementation can check its checksum.
    expect(unlockCodeFromData('0000000000000000000000001')).toBe('0000000000000000000000001' + VECTOR_CHECK_1);
    expect(formatUnlockCode(unlockCodeFromData('0123456789ABCDEFGHJKMNPQR'))).toBe(VECTOR_DISPLAY_2);
  });

  it('rejects data of the wrong length or alphabet', () => {
    expect(codeOf(() => unlockCodeFromData('0'.repeat(24)))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
    expect(codeOf(() => unlockCodeFromData('0'.repeat(24) + 'u'))).toBe('E_KEY_UNLOCK_CODE_FORMAT');
  });

  it('all-zero data has all-zero check characters (the code is linear)', () => {
    expect(unlockCodeFromData('0'.repeat(25))).toBe('0'.repeat(28));
  });
});

// Computed independently (brute-force search for c(α)=c(α²)=c(α³)=0 in a separate script).
const VECTOR_CHECK_1 = 'EXA';
const VECTOR_DISPLAY_2 = '0123-4567-89AB-CDEF-GHJK-MNPQ-RA9P';
