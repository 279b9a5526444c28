/**
 * The FedEx Express check digit: payload digits weighted 1, 3, 7, 1, 3, 7 ... from the right,
 * sum mod 11, and a remainder of 10 becomes 0. Throws RangeError unless `payload` is digits.
 */
export function fedexMod11CheckDigit(payload: string): number {
  if (!/^[0-9]+$/.test(payload)) throw new RangeError('FedEx payload must be digits');
  const weights = [1, 3, 7] as const;
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    sum += (payload.charCodeAt(payload.length - 1 - i) - 48) * weights[i % 3]!;
  }
  return (sum % 11) % 10;
}
