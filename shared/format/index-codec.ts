/**
 * The plaintext of the encrypted index (index.scx) of scelle/1: JSON Lines, UTF-8, every line
 * (the last one included) ending in "\n", no blank line.
 *
 * Line 1, the header:
 *   {"format":"scelle/1","driveId":"...","parts":n,"partSizes":[...],"totalSize":n,"files":n,"bytes":n}
 * where partSizes are the plaintext (tar) bytes of each part, all equal but the last, which is
 * not larger and not empty (unless it is the only part); totalSize = their sum = the tar stream
 * size; files = the number of `file` entries; bytes = the sum of their sizes.
 *
 * Then one line per entry (type IndexEntry of shared/engine/api.ts), keys in this order:
 *   path, pathBytes?, type, size, mode, mtime, linkTarget?, linkTargetBytes?, offset, sha256?
 * - path: relative '/'-separated path as in the tar stream: no leading or trailing '/', no empty,
 *   '.' or '..' segment, no NUL. Directories have no trailing '/'.
 * - Names that are not valid UTF-8 (possible on Linux) keep their exact bytes in `pathBytes`
 *   (base64, standard, padded), present ONLY when the bytes are not valid UTF-8; `path` then
 *   holds their lossy UTF-8 decoding (U+FFFD for bad sequences), for display and selection only.
 *   The same holds for a symlink's `linkTarget` / `linkTargetBytes`. Restores use the bytes.
 * - type: file | directory | symlink. size: content bytes (0 for directories and symlinks).
 *   mode: permission bits 0..0o7777. mtime: a finite number (milliseconds since the epoch).
 * - offset: position in the tar stream right after the entry's header blocks, i.e. where its
 *   content starts; a multiple of 512; for files offset + size <= totalSize.
 * - sha256: lowercase hex SHA-256 of a file's content; required for files, absent otherwise.
 *   linkTarget: required for symlinks (non-empty, no NUL), absent otherwise.
 * Paths (by exact bytes) are unique. Unknown extra fields are ignored when reading.
 */
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import type { IndexEntry } from '../engine/api.js';
import { decodeBase64, isCanonicalBase64 } from './base64.js';
import { DRIVE_ID_PATTERN } from './drive-id.js';
import { describeIssues, nonNegativeInt, sha256Hex } from './json-schemas.js';

export type { IndexEntry } from '../engine/api.js';

/** The first record of the index. */
export interface IndexHeader {
  format: 'scelle/1';
  driveId: string;
  parts: number;
  /** Plaintext (tar) bytes in each part, in order. */
  partSizes: number[];
  totalSize: number;
  /** Number of `file` entries. */
  files: number;
  /** Sum of the sizes of the `file` entries. */
  bytes: number;
}

/** A parsed index. */
export interface ParsedIndex {
  header: IndexHeader;
  entries: IndexEntry[];
}

const TAR_BLOCK = 512;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** True when `name` bytes form a safe relative tar path (see module comment). */
function isRelativePathBytes(name: Uint8Array): boolean {
  if (name.length === 0 || name.includes(0)) return false;
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name[i] === 0x2f) {
      const len = i - start;
      if (len === 0) return false;
      if (len <= 2 && name[start] === 0x2e && (len === 1 || name[start + 1] === 0x2e)) return false;
      start = i + 1;
    }
  }
  return true;
}

const utf8 = new TextEncoder();
const relativePath = z.string().refine((p) => isRelativePathBytes(utf8.encode(p)), { message: 'must be a relative path without empty, "." or ".." segments' });
const rawBytes = z.string().refine((s) => isCanonicalBase64(s) && s.length > 0, { message: 'must be standard base64' });

/** Zod schema of one entry line, with the per-type rules of the module comment. */
export const indexEntrySchema = z.object({
  path: relativePath,
  pathBytes: rawBytes.optional(),
  type: z.enum(['file', 'directory', 'symlink']),
  size: nonNegativeInt,
  mode: z.number().int().min(0).max(0o7777),
  mtime: z.number(),
  linkTarget: z.string().min(1).refine((s) => !s.includes('\0'), { message: 'must not contain NUL' }).optional(),
  linkTargetBytes: rawBytes.optional(),
  offset: nonNegativeInt.refine((n) => n % TAR_BLOCK === 0, { message: 'must be a multiple of 512' }),
  sha256: sha256Hex.optional(),
}).superRefine((e, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (e.type === 'file' && e.sha256 === undefined) issue('sha256', 'is required for a file');
  if (e.type !== 'file' && e.sha256 !== undefined) issue('sha256', `must be absent for a ${e.type}`);
  if (e.type !== 'file' && e.size !== 0) issue('size', `must be 0 for a ${e.type}`);
  if (e.type === 'symlink' && e.linkTarget === undefined) issue('linkTarget', 'is required for a symlink');
  if (e.type !== 'symlink' && (e.linkTarget !== undefined || e.linkTargetBytes !== undefined)) issue('linkTarget', `must be absent for a ${e.type}`);
  if (e.pathBytes !== undefined) {
    const raw = decodeBase64(e.pathBytes);
    if (raw === null || isUtf8(raw)) issue('pathBytes', 'must only be present for names that are not valid UTF-8');
    else if (!isRelativePathBytes(raw)) issue('pathBytes', 'must be a relative path without empty, "." or ".." segments');
  }
  if (e.linkTargetBytes !== undefined) {
    const raw = decodeBase64(e.linkTargetBytes);
    if (raw === null || isUtf8(raw)) issue('linkTargetBytes', 'must only be present for targets that are not valid UTF-8');
    else if (raw.includes(0)) issue('linkTargetBytes', 'must not contain NUL');
  }
});

/** Zod schema of the header line, with its internal consistency rules. */
export const indexHeaderSchema = z.object({
  format: z.literal('scelle/1'),
  driveId: z.string().regex(DRIVE_ID_PATTERN, { message: 'must be 1-64 letters, digits or inner dashes' }),
  parts: z.number().int().min(1).max(1_000_000),
  partSizes: z.array(nonNegativeInt),
  totalSize: nonNegativeInt,
  files: nonNegativeInt,
  bytes: nonNegativeInt,
}).superRefine((h, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (h.partSizes.length !== h.parts) {
    issue('partSizes', `has ${h.partSizes.length} sizes for ${h.parts} parts`);
    return;
  }
  if (h.partSizes.reduce((a, b) => a + b, 0) !== h.totalSize) issue('totalSize', 'is not the sum of partSizes');
  const first = h.partSizes[0]!;
  const last = h.partSizes[h.partSizes.length - 1]!;
  if (h.partSizes.slice(0, -1).some((s) => s !== first)) issue('partSizes', 'all parts but the last must have the same size');
  if (h.parts > 1 && (last === 0 || last > first)) issue('partSizes', 'the last part must be non-empty and not larger than the others');
  if (h.bytes > h.totalSize) issue('bytes', 'exceeds totalSize');
});

const SHA256_HEX = /^[0-9a-f]{64}$/;
const isNonNegativeInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The string form of isRelativePathBytes ('/', '.' and NUL are single bytes in UTF-8). */
function isRelativePathString(p: string): boolean {
  if (p.length === 0 || p.includes('\0')) return false;
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i === p.length || p.charCodeAt(i) === 0x2f) {
      const len = i - start;
      if (len === 0) return false;
      if (len <= 2 && p.charCodeAt(start) === 0x2e && (len === 1 || p.charCodeAt(start + 1) === 0x2e)) return false;
      start = i + 1;
    }
  }
  return true;
}

/**
 * The common entries (a file or folder with a UTF-8 name) checked without zod, which costs
 * microseconds an entry: returns the entry when it is certainly valid, or null to let the
 * schema decide (and name what is wrong). Accepts nothing the schema would refuse.
 */
function plainEntry(raw: Record<string, unknown>): IndexEntry | null {
  const { path, type, size, mode, mtime, offset, sha256 } = raw;
  if (raw.pathBytes !== undefined || raw.linkTarget !== undefined || raw.linkTargetBytes !== undefined) return null;
  if (typeof path !== 'string' || !isRelativePathString(path)) return null;
  if (!isNonNegativeInt(size) || !isNonNegativeInt(offset) || offset % TAR_BLOCK !== 0) return null;
  if (!Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o7777) return null;
  if (typeof mtime !== 'number' || !Number.isFinite(mtime)) return null;
  if (type === 'file') {
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return null;
    return { path, type, size, mode: mode as number, mtime, offset, sha256 };
  }
  if (type === 'directory' && size === 0 && sha256 === undefined) return { path, type, size, mode: mode as number, mtime, offset };
  return null;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _entryTypeMatches: Same<z.infer<typeof indexEntrySchema>, IndexEntry> = true;
const _headerTypeMatches: Same<z.infer<typeof indexHeaderSchema>, IndexHeader> = true;

function indexError(message: string, line?: number): ScelleError {
  return new ScelleError('E_FORMAT_INDEX', line === undefined ? `index: ${message}` : `index line ${line}: ${message}`, line === undefined ? {} : { line });
}

/**
 * Encodes the header record as one JSON line ending in "\n".
 * @throws ScelleError E_FORMAT_INDEX when the header is invalid or inconsistent.
 */
export function encodeIndexHeader(h: IndexHeader): string {
  const r = indexHeaderSchema.safeParse(h);
  if (!r.success) throw indexError(`cannot encode header: ${describeIssues(r.error)}`);
  const { format, driveId, parts, partSizes, totalSize, files, bytes } = h;
  return JSON.stringify({ format, driveId, parts, partSizes, totalSize, files, bytes }) + '\n';
}

/**
 * Encodes one entry as one JSON line ending in "\n", keys in the documented order, optional
 * fields only when present.
 * @throws ScelleError E_FORMAT_INDEX when the entry breaks a rule of the module comment.
 */
export function encodeIndexEntry(e: IndexEntry): string {
  if (plainEntry(e as unknown as Record<string, unknown>) === null) {
    const r = indexEntrySchema.safeParse(e);
    if (!r.success) throw indexError(`cannot encode entry: ${describeIssues(r.error)}`);
  }
  const out: Record<string, unknown> = { path: e.path };
  if (e.pathBytes !== undefined) out.pathBytes = e.pathBytes;
  Object.assign(out, { type: e.type, size: e.size, mode: e.mode, mtime: e.mtime });
  if (e.linkTarget !== undefined) out.linkTarget = e.linkTarget;
  if (e.linkTargetBytes !== undefined) out.linkTargetBytes = e.linkTargetBytes;
  out.offset = e.offset;
  if (e.sha256 !== undefined) out.sha256 = e.sha256;
  return JSON.stringify(out) + '\n';
}

function parseJsonObject(line: string, lineNumber: number, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw indexError(`${what} is not valid JSON`, lineNumber);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw indexError(`${what} is not a JSON object`, lineNumber);
  return raw as Record<string, unknown>;
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, lineNumber: number, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw indexError(`${what}: ${describeIssues(r.error)}`, lineNumber);
  return r.data;
}

/**
 * Parses the header line (line 1, without its "\n"). For streaming readers.
 * @throws ScelleError E_FORMAT_INDEX (details.line = 1); E_FORMAT_UNSUPPORTED for another format.
 */
export function parseIndexHeaderLine(line: string): IndexHeader {
  const raw = parseJsonObject(line, 1, 'header');
  if (typeof raw.format === 'string' && raw.format !== 'scelle/1') {
    const format = raw.format.slice(0, 40);
    throw new ScelleError('E_FORMAT_UNSUPPORTED', `index: format "${format}" is not supported`, { format });
  }
  return validate(indexHeaderSchema, raw, 1, 'header');
}

/**
 * Parses one entry line (without its "\n") and checks it against the header's totalSize.
 * @throws ScelleError E_FORMAT_INDEX naming `lineNumber`.
 */
export function parseIndexEntryLine(line: string, lineNumber: number, header: IndexHeader): IndexEntry {
  const raw = parseJsonObject(line, lineNumber, 'entry');
  const entry = plainEntry(raw) ?? validate(indexEntrySchema, raw, lineNumber, 'entry');
  if (entry.offset + entry.size > header.totalSize) throw indexError('entry: content lies beyond the end of the tar stream', lineNumber);
  return entry;
}

/**
 * Parses and validates a whole index plaintext: every record, then the header's counts against
 * the entries (files, bytes) and the uniqueness of paths.
 * @param text the decrypted index, as text or UTF-8 bytes.
 * @param expected optional facts known from elsewhere (the manifest) that the header must match.
 * @throws ScelleError E_FORMAT_INDEX naming the line number when a record is wrong (not UTF-8,
 *   not JSON, bad field, no final newline, blank line), or what disagrees when counts or
 *   expectations do not match; E_FORMAT_UNSUPPORTED for another format tag.
 */
export function parseIndex(text: string | Uint8Array, expected: { driveId?: string; parts?: number } = {}): ParsedIndex {
  if (typeof text !== 'string') {
    try {
      text = utf8Strict.decode(text);
    } catch {
      throw indexError('is not valid UTF-8');
    }
  }
  if (text.length === 0) throw indexError('is empty');
  if (!text.endsWith('\n')) throw indexError('does not end with a newline (truncated?)');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((l, i) => {
    if (l.length === 0) throw indexError('blank line', i + 1);
  });
  const header = parseIndexHeaderLine(lines[0]!);
  if (expected.driveId !== undefined && header.driveId !== expected.driveId) throw indexError('header: driveId differs from the manifest', 1);
  if (expected.parts !== undefined && header.parts !== expected.parts) throw indexError(`header: ${header.parts} parts, the manifest lists ${expected.parts}`, 1);
  const entries: IndexEntry[] = [];
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  for (let i = 1; i < lines.length; i++) {
    const entry = parseIndexEntryLine(lines[i]!, i + 1, header);
    const key = entry.pathBytes !== undefined ? `b:${entry.pathBytes}` : `s:${entry.path}`;
    if (seen.has(key)) throw indexError('entry: duplicate path', i + 1);
    seen.add(key);
    if (entry.type === 'file') {
      files++;
      bytes += entry.size;
    }
    entries.push(entry);
  }
  if (files !== header.files) throw indexError(`header says ${header.files} files, the entries hold ${files}`);
  if (bytes !== header.bytes) throw indexError(`header says ${header.bytes} bytes, the files hold ${bytes}`);
  return { header, entries };
}
