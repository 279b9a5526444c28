/**
 * Zod building blocks shared by the scelle/1 JSON documents (manifest, certificate, key files,
 * index), and one way to turn zod issues into a short English reason. Reasons name the field
 * and the rule, never the value, so they are safe to show even for key files.
 */
import { z } from 'zod';
import { isCanonicalBase64 } from './base64.js';

/** Canonical standard base64 (with padding) decoding to exactly `length` bytes. */
export function base64Bytes(length: number) {
  return z.string().refine((s) => isCanonicalBase64(s, length), { message: `must be standard base64 of exactly ${length} bytes` });
}

/** A non-negative safe integer (sizes, counts, offsets). */
export const nonNegativeInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Lowercase hex SHA-256 (64 characters). */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' });

const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?Z$/;

/** True when `s` is an RFC 3339 UTC timestamp (`Z` suffix, optional fraction) of a real date. */
export function isRfc3339Utc(s: string): boolean {
  const m = RFC3339_UTC.exec(s);
  if (!m) return false;
  const t = Date.parse(s);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 19) === m[1];
}

/** An RFC 3339 UTC timestamp such as `2025-01-31T12:00:00.000Z`. */
export const rfc3339Utc = z.string().refine(isRfc3339Utc, { message: 'must be an RFC 3339 UTC timestamp ending in Z' });

/** A short printable identifier (station ids, labels): 1..128 chars, no control characters. */
export const printableId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, { message: 'must not contain control characters' });

/** Summarizes zod issues as `field.path: rule; ...` (at most 3), without echoing values. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > 3) parts.push(`and ${error.issues.length - 3} more`);
  return parts.join('; ');
}
