/**
 * Strict RFC 4648 base64 (standard alphabet, with padding), as used everywhere in scelle/1
 * JSON (manifest, certificates, key files, index). Node's own decoder is lenient (it skips
 * junk and accepts missing padding), so decoding here accepts only the one canonical spelling
 * of each byte string: that keeps signed documents unambiguous.
 */

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as standard base64 with padding. Never throws. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * True when `text` is canonical standard base64 with padding (and, when `length` is given,
 * decodes to exactly that many bytes). Never throws.
 */
export function isCanonicalBase64(text: string, length?: number): boolean {
  if (!BASE64_PATTERN.test(text)) return false;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero padding bits (e.g. "AB==" vs "AA=="): only one spelling per value.
  if (bytes.toString('base64') !== text) return false;
  return length === undefined || bytes.length === length;
}

/**
 * Decodes canonical standard base64. Returns null when `text` is not canonical base64 or
 * does not decode to `length` bytes (when given); callers turn that into their own error code.
 */
export function decodeBase64(text: string, length?: number): Uint8Array | null {
  if (!isCanonicalBase64(text, length)) return null;
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
