/**
 * Weighted modulo-10 check digits (the GS1 / USPS IMpb / Canada Post / UPS family).
 * Digits are weighted from the right of the payload (the digit nearest the check digit gets
 * weightsFromRight[0]); the check digit is (10 - sum mod 10) mod 10.
 */

/**
 * The UPS value of a character: digits are themselves, letters are (code - 63) mod 10
 * (A=2 ... H=9, I=0, J=1 ... S=0, T=1 ... Z=7), as in UPS's 1Z check-digit rule.
 * Throws RangeError for anything but 0-9 and A-Z.
 */
export function upsCharValue(ch: string): number {
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && code >= 48 && code <= 57) return code - 48;
  if (ch.length === 1 && code >= 65 && code <= 90) return (code - 63) % 10;
  throw new RangeError('not an upper-case letter or digit');
}

/**
 * The mod-10 check digit of `payload` (digits, or A-Z mapped with {@link upsCharValue}),
 * weighting characters from the right with `weightsFromRight` repeated (e.g. [3, 1] for GS1,
 * [1, 2] for UPS 1Z). Throws RangeError for an empty payload or an invalid character.
 */
export function mod10CheckDigit(payload: string, weightsFromRight: readonly number[]): number {
  if (payload.length === 0 || weightsFromRight.length === 0) throw new RangeError('empty payload or weights');
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const ch = payload.charAt(payload.length - 1 - i);
    sum += upsCharValue(ch) * (weightsFromRight[i % weightsFromRight.length] ?? 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** GS1 weights (3 on the digit next to the check digit, then 1, 3, ...). */
export const GS1_WEIGHTS: readonly number[] = [3, 1];
