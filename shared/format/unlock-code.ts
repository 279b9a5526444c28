/**
 * Unlock codes for the `unlock-code` keyslot of scelle/1.
 *
 * Shape: 28 symbols of Crockford base32 (alphabet `0123456789ABCDEFGHJKMNPQRSTVWXYZ`,
 * value = index in that string): 25 random data symbols (125 bits of entropy) followed by
 * 3 check symbols. Display form: 7 groups of 4 joined by '-', e.g.
 * `7KQ4-M2XD-9TPA-0HVR-3WBN-E6CF-JZ5G`.
 *
 * Check: the 28 symbols form a codeword of a Reed–Solomon code over GF(32) (field polynomial
 * x^5 + x^2 + 1, generator g(x) = (x − α)(x − α²)(x − α³) with α = 2). Reading the first
 * symbol as the coefficient of x^27, a code is valid iff c(α) = c(α²) = c(α³) = 0. The code
 * length (28) is below 32, so the code is MDS with minimum distance 4: ANY change of one, two or
 * three symbols is detected. In particular every single mistyped character and every swap of
 * two characters (adjacent or not) is caught, before any slow key derivation runs. A random
 * garbling passes with probability 2^-15.
 *
 * Canonical form (exactly what Argon2id receives as the password, as UTF-8 = ASCII bytes): all
 * 28 characters, data then check, uppercase Crockford symbols, no separators.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { ScelleError } from '../errors/scelle-error.js';

/** Crockford base32 alphabet; a symbol's value is its index here. */
export const UNLOCK_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Number of random data symbols (5 bits each: 125 bits of entropy). */
export const UNLOCK_CODE_DATA_LENGTH = 25;
/** Number of check symbols appended to the data symbols. */
export const UNLOCK_CODE_CHECK_LENGTH = 3;
/** Total symbols in the canonical form. */
export const UNLOCK_CODE_LENGTH = UNLOCK_CODE_DATA_LENGTH + UNLOCK_CODE_CHECK_LENGTH;
/** Symbols per group in the display form. */
export const UNLOCK_CODE_GROUP_SIZE = 4;

// --- GF(32) arithmetic, field polynomial x^5 + x^2 + 1 (primitive; α = 2 generates the group).
const FIELD_POLY = 0b100101;
const EXP = new Uint8Array(62);
const LOG = new Uint8Array(32);
{
  let x = 1;
  for (let i = 0; i < 31; i++) {
    EXP[i] = x;
    EXP[i + 31] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0b100000) x ^= FIELD_POLY;
  }
}

function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** Generator polynomial coefficients, highest degree first, monic: [1, g1, g2, g3]. */
const GENERATOR: number[] = (() => {
  let g = [1];
  for (let j = 1; j <= UNLOCK_CODE_CHECK_LENGTH; j++) {
    const root = EXP[j]!;
    const next: number[] = [];
    for (let i = 0; i <= g.length; i++) next.push((g[i] ?? 0) ^ (i > 0 ? gfMul(root, g[i - 1]!) : 0));
    g = next;
  }
  return g;
})();

/** Check symbols for the given data symbols: remainder of d(x)·x^3 divided by g(x). */
function checkSymbols(data: readonly number[]): number[] {
  const rem = new Array<number>(UNLOCK_CODE_CHECK_LENGTH).fill(0);
  for (const d of data) {
    const factor = d ^ rem[0]!;
    for (let i = 0; i < UNLOCK_CODE_CHECK_LENGTH; i++) {
      rem[i] = (rem[i + 1] ?? 0) ^ gfMul(factor, GENERATOR[i + 1]!);
    }
  }
  return rem;
}

/** Syndromes c(α^j), j = 1..3, by Horner's rule; all zero iff the code is valid. */
function syndromes(symbols: readonly number[]): number[] {
  const out: number[] = [];
  for (let j = 1; j <= UNLOCK_CODE_CHECK_LENGTH; j++) {
    const root = EXP[j]!;
    let s = 0;
    for (const c of symbols) s = gfMul(s, root) ^ c;
    out.push(s);
  }
  return out;
}

/**
 * For a code with exactly one wrong symbol, its 0-based position; otherwise null. With minimum
 * distance 4, one or two wrong symbols are never mistaken for a different single error, so this
 * only serves as a hint ("check group n") and never as an automatic correction.
 */
function singleErrorPosition(s: readonly number[]): number | null {
  const [s1, s2, s3] = s as [number, number, number];
  if (s1 === 0 || s2 === 0 || s3 === 0) return null;
  // S_j = e·α^(j·p): S2/S1 = S3/S2 = α^p.
  const ratio = (LOG[s2]! - LOG[s1]! + 31) % 31;
  if ((LOG[s3]! - LOG[s2]! + 31) % 31 !== ratio) return null;
  const index = UNLOCK_CODE_LENGTH - 1 - ratio;
  return index >= 0 ? index : null;
}

/** Longer input is refused before any normalization work (a pasted document, not a code). */
const MAX_INPUT_LENGTH = 256;

const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * Generates a new unlock code from the platform CSPRNG (crypto.getRandomValues) and returns it
 * in display form (7 groups of 4 joined by '-'). Never throws.
 */
export function generateUnlockCode(): string {
  const bytes = randomBytes(UNLOCK_CODE_DATA_LENGTH);
  // 256 is a multiple of 32, so the low 5 bits of each byte are uniform.
  const data = Array.from(bytes, (b) => UNLOCK_CODE_ALPHABET[b & 31]!).join('');
  bytes.fill(0);
  return formatUnlockCode(unlockCodeFromData(data));
}

/**
 * Appends the 3 check characters to 25 data characters and returns the canonical form.
 * Deterministic (used for test vectors and by {@link generateUnlockCode}).
 * @throws ScelleError E_KEY_UNLOCK_CODE_FORMAT when `data` is not 25 uppercase alphabet symbols.
 */
export function unlockCodeFromData(data: string): string {
  if (data.length !== UNLOCK_CODE_DATA_LENGTH) {
    throw new ScelleError('E_KEY_UNLOCK_CODE_FORMAT', `Unlock code data must be ${UNLOCK_CODE_DATA_LENGTH} characters.`, {
      length: data.length,
      expected: UNLOCK_CODE_DATA_LENGTH,
    });
  }
  const values = toValues(data);
  return (
    data +
    checkSymbols(values)
      .map((v) => UNLOCK_CODE_ALPHABET[v]!)
      .join('')
  );
}

function toValues(text: string): number[] {
  const values: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const v = UNLOCK_CODE_ALPHABET.indexOf(text[i]!);
    if (v < 0) {
      throw new ScelleError('E_KEY_UNLOCK_CODE_FORMAT', `Unlock code has a character outside the Crockford base32 alphabet at position ${i + 1}.`, { position: i + 1 });
    }
    values.push(v);
  }
  return values;
}

/**
 * Turns what a person typed into the canonical form (see the module comment): NFKC-normalizes
 * (full-width forms become ASCII), removes white space and dashes (ASCII '-', U+2010..U+2015,
 * U+2212), uppercases, reads I and L as 1 and O as 0, then checks the length, the alphabet and
 * the check characters. Cheap: call it before any key derivation.
 * @throws ScelleError E_KEY_UNLOCK_CODE_FORMAT when the length is not 28 or a character is not in
 *   the alphabet (details: length/expected or position); E_KEY_UNLOCK_CODE_TYPO when the check
 *   characters do not match (details.suspectGroup, 1-based, when a single wrong character can be
 *   located). Messages never contain the code.
 */
export function canonicalizeUnlockCode(input: string): string {
  if (typeof input !== 'string') {
    throw new ScelleError('E_KEY_UNLOCK_CODE_FORMAT', 'Unlock code must be text.');
  }
  if (input.length > MAX_INPUT_LENGTH) {
    throw new ScelleError('E_KEY_UNLOCK_CODE_FORMAT', `Unlock code must have ${UNLOCK_CODE_LENGTH} characters, not counting separators.`, {
      length: input.length,
      expected: UNLOCK_CODE_LENGTH,
    });
  }
  const canonical = input.normalize('NFKC').replace(SEPARATORS, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
  if (canonical.length !== UNLOCK_CODE_LENGTH) {
    throw new ScelleError('E_KEY_UNLOCK_CODE_FORMAT', `Unlock code must have ${UNLOCK_CODE_LENGTH} characters, not counting separators.`, {
      length: canonical.length,
      expected: UNLOCK_CODE_LENGTH,
    });
  }
  const s = syndromes(toValues(canonical));
  if (s.some((v) => v !== 0)) {
    const position = singleErrorPosition(s);
    const details: Record<string, number> = {};
    if (position !== null) details.suspectGroup = Math.floor(position / UNLOCK_CODE_GROUP_SIZE) + 1;
    throw new ScelleError('E_KEY_UNLOCK_CODE_TYPO', 'Unlock code check characters do not match: a character was probably mistyped or swapped.', details);
  }
  return canonical;
}

/**
 * Display form of an unlock code: canonicalizes `code` (so any accepted spelling works) and
 * joins groups of 4 with '-'.
 * @throws ScelleError E_KEY_UNLOCK_CODE_FORMAT / E_KEY_UNLOCK_CODE_TYPO as {@link canonicalizeUnlockCode}.
 */
export function formatUnlockCode(code: string): string {
  const canonical = canonicalizeUnlockCode(code);
  const groups: string[] = [];
  for (let i = 0; i < canonical.length; i += UNLOCK_CODE_GROUP_SIZE) groups.push(canonical.slice(i, i + UNLOCK_CODE_GROUP_SIZE));
  return groups.join('-');
}
