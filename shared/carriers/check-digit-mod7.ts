/**
 * The modulo-7 check digit of DHL Express waybills: the payload read as a decimal number,
 * mod 7 (computed with BigInt, so any length is exact). Throws RangeError unless digits.
 */
export function mod7CheckDigit(payload: string): number {
  if (!/^[0-9]+$/.test(payload)) throw new RangeError('mod-7 payload must be digits');
  return Number(BigInt(payload) % 7n);
}
