/**
 * The Luhn (ISO/IEC 7812-1) check digit: from the right of the payload, every other digit
 * starting with the rightmost is doubled (minus 9 when over 9); check = (10 - sum mod 10) mod 10.
 * Throws RangeError unless `payload` is one or more ASCII digits.
 */
export function luhnCheckDigit(payload: string): number {
  if (!/^[0-9]+$/.test(payload)) throw new RangeError('Luhn payload must be digits');
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
