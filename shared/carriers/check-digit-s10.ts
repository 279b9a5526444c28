/**
 * The UPU S10 check digit of the 8-digit serial number: weights 8, 6, 4, 2, 3, 5, 9, 7;
 * C = 11 - (sum mod 11), with 10 becoming 0 and 11 becoming 5.
 * Throws RangeError unless `serial` is exactly 8 digits.
 */
export function s10CheckDigit(serial: string): number {
  if (!/^[0-9]{8}$/.test(serial)) throw new RangeError('S10 serial must be 8 digits');
  const weights = [8, 6, 4, 2, 3, 5, 9, 7] as const;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (serial.charCodeAt(i) - 48) * weights[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}
