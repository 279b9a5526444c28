/**
 * The records of the encrypted index (index.scx) of scelle/1: JSON Lines, UTF-8, every line
 * (the last one included) ending in "\n", no blank line (docs/FORMAT.md §5). In order:
 *
 * 1. the header:  {"format":"scelle/1","driveId":"..."}
 * 2. one line per entry, in index order (index-order.ts), keys in this order:
 *      path, pathBytes?, type, size, mode, mtime, linkTarget?, linkTargetBytes?, offset,
 *      sha256? (files), entries?, files?, bytes? (folders: the totals of everything below them)
 * 3. the directory: one line {"at":n,"path":"...","pathBytes"?:"..."} per index segment in
 *    which an entry line starts, naming the first such line (its plaintext offset and path);
 * 4. the trailer: {"trailer":"scelle/1","parts":n,"partSizes":[...],"totalSize":n,"entries":n,
 *    "files":n,"bytes":n,"directoryAt":n}
 *
 * Entry rules:
 * - path: relative '/'-separated path as in the tar stream: no leading or trailing '/', no empty,
 *   '.' or '..' segment, no NUL. Folders have no trailing '/'.
 * - Names that are not valid UTF-8 (possible on Linux) keep their exact bytes in `pathBytes`
 *   (base64, standard, padded), present ONLY when the bytes are not valid UTF-8; `path` then
 *   holds their lossy UTF-8 decoding (U+FFFD for bad sequences), for display and selection only.
 *   The same holds for a symlink's `linkTarget` / `linkTargetBytes`. Restores use the bytes.
 * - type: file | directory | symlink. size: content bytes (0 for folders and symlinks).
 *   mode: permission bits 0..0o7777. mtime: a finite number (milliseconds since the epoch).
 * - offset: position in the tar stream right after the entry's header blocks, a multiple of 512.
 * - sha256: lowercase hex SHA-256 of a file's content; required for files, absent otherwise.
 *   linkTarget: required for symlinks (non-empty, no NUL), absent otherwise.
 * - entries/files/bytes: required for folders, absent otherwise: how many entries lie below the
 *   folder (at any depth), how many of them are files, and the sum of those files' sizes.
 * Unknown extra fields are ignored when reading.
 */
import { z } from 'zod';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, isCanonicalBase64 } from './base64.js';
import { DRIVE_ID_PATTERN } from './drive-id.js';
import { describeIssues, nonNegativeInt, sha256Hex } from './json-schemas.js';
import { trailerSetSchema, type TrailerSet } from './set.js';
import { encodeEntryLine, type IndexEntry } from './index-line.js';

/** The first line of the index. */
export interface IndexHeader {
  format: 'scelle/1';
  driveId: string;
}

/** One line of the index's directory: the first entry line starting in one index segment. */
export interface IndexDirectoryLine {
  /** Plaintext offset of that entry line in the index stream. */
  at: number;
  path: string;
  pathBytes?: string;
}

/** The last line of the index: the drive's totals, authenticated by the data key. */
export interface IndexTrailer {
  trailer: 'scelle/1';
  parts: number;
  /** Plaintext (tar) bytes in each part, in order. */
  partSizes: number[];
  /** The tar stream's size: the sum of partSizes. */
  totalSize: number;
  /** Number of entry lines. */
  entries: number;
  /** Number of `file` entries. */
  files: number;
  /** Sum of the sizes of the `file` entries. */
  bytes: number;
  /** Plaintext offset of the first directory line (= the end of the entry lines). */
  directoryAt: number;
  /** Members of a sealed set only (§11): the set's layout and totals. */
  set?: TrailerSet;
}

/** The most parts a drive may have (a 1 GiB part size makes this 1 PiB). */
export const MAX_PARTS = 1_000_000;
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

function checkPathBytes(pathBytes: string | undefined, issue: (path: string, message: string) => void): void {
  if (pathBytes === undefined) return;
  const raw = decodeBase64(pathBytes);
  if (raw === null || isUtf8(raw)) issue('pathBytes', 'must only be present for names that are not valid UTF-8');
  else if (!isRelativePathBytes(raw)) issue('pathBytes', 'must be a relative path without empty, "." or ".." segments');
}

/** Zod schema of one entry line, with the per-type rules of the module comment. */
export const indexEntrySchema = z
  .object({
    path: relativePath,
    pathBytes: rawBytes.optional(),
    type: z.enum(['file', 'directory', 'symlink']),
    size: nonNegativeInt,
    mode: z.number().int().min(0).max(0o7777),
    mtime: z.number(),
    linkTarget: z
      .string()
      .min(1)
      .refine((s) => !s.includes('\0'), { message: 'must not contain NUL' })
      .optional(),
    linkTargetBytes: rawBytes.optional(),
    offset: nonNegativeInt.refine((n) => n % TAR_BLOCK === 0, { message: 'must be a multiple of 512' }),
    sha256: sha256Hex.optional(),
    entries: nonNegativeInt.optional(),
    files: nonNegativeInt.optional(),
    bytes: nonNegativeInt.optional(),
  })
  .superRefine((e, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (e.type === 'file' && e.sha256 === undefined) issue('sha256', 'is required for a file');
    if (e.type !== 'file' && e.sha256 !== undefined) issue('sha256', `must be absent for a ${e.type}`);
    if (e.type !== 'file' && e.size !== 0) issue('size', `must be 0 for a ${e.type}`);
    if (e.type === 'symlink' && e.linkTarget === undefined) issue('linkTarget', 'is required for a symlink');
    if (e.type !== 'symlink' && (e.linkTarget !== undefined || e.linkTargetBytes !== undefined)) issue('linkTarget', `must be absent for a ${e.type}`);
    const totals = [e.entries, e.files, e.bytes].filter((n) => n !== undefined).length;
    if (e.type === 'directory' && totals !== 3) issue('entries', 'entries, files and bytes are required for a folder');
    if (e.type !== 'directory' && totals !== 0) issue('entries', `entries, files and bytes must be absent for a ${e.type}`);
    if (e.type === 'directory' && e.files! > e.entries!) issue('files', 'exceeds entries');
    checkPathBytes(e.pathBytes, issue);
    if (e.linkTargetBytes !== undefined) {
      const raw = decodeBase64(e.linkTargetBytes);
      if (raw === null || isUtf8(raw)) issue('linkTargetBytes', 'must only be present for targets that are not valid UTF-8');
      else if (raw.includes(0)) issue('linkTargetBytes', 'must not contain NUL');
    }
  });

/** Zod schema of the header line. */
export const indexHeaderSchema = z.object({
  format: z.literal('scelle/1'),
  driveId: z.string().regex(DRIVE_ID_PATTERN, { message: 'must be 1-64 letters, digits or inner dashes' }),
});

/** Zod schema of one directory line. */
export const indexDirectoryLineSchema = z
  .object({
    at: nonNegativeInt,
    path: relativePath,
    pathBytes: rawBytes.optional(),
  })
  .superRefine((d, ctx) => checkPathBytes(d.pathBytes, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message })));

/** Zod schema of the trailer line, with its internal consistency rules. */
export const indexTrailerSchema = z
  .object({
    trailer: z.literal('scelle/1'),
    parts: z.number().int().min(1).max(MAX_PARTS),
    partSizes: z.array(nonNegativeInt).max(MAX_PARTS),
    totalSize: nonNegativeInt,
    entries: nonNegativeInt,
    files: nonNegativeInt,
    bytes: nonNegativeInt,
    directoryAt: nonNegativeInt,
    set: trailerSetSchema.optional(),
  })
  .superRefine((h, ctx) => {
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
    // A set member's index may list files held by other members: its bytes are bounded by the set's stream.
    if (h.bytes > (h.set?.totalSize ?? h.totalSize)) issue('bytes', 'exceeds totalSize');
    if (h.files > h.entries) issue('files', 'exceeds entries');
    if (h.set) {
      const s = h.set;
      if (s.partCounts[s.position - 1] !== undefined && s.partCounts[s.position - 1] !== h.parts)
        issue('set', `gives this member ${s.partCounts[s.position - 1]} parts, the trailer ${h.parts}`);
      if (h.entries > s.entries || h.files > s.files || h.bytes > s.bytes) issue('set', "lists fewer entries, files or bytes than this member's index");
      if (h.entries === s.entries && (h.files !== s.files || h.bytes !== s.bytes)) issue('set', 'differs from this index, which lists the whole set, in files or bytes');
      if (h.totalSize > s.totalSize) issue('set', "totalSize is smaller than this member's");
    }
  });

/** True for 64 lowercase hex digits (as /^[0-9a-f]{64}$/, without the regular expression's cost per entry). */
function isSha256Hex(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
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
    if (typeof sha256 !== 'string' || !isSha256Hex(sha256) || raw.entries !== undefined || raw.files !== undefined || raw.bytes !== undefined) return null;
    return { path, type, size, mode: mode as number, mtime, offset, sha256 };
  }
  if (type === 'directory' && size === 0 && sha256 === undefined) {
    const { entries, files, bytes } = raw;
    if (!isNonNegativeInt(entries) || !isNonNegativeInt(files) || !isNonNegativeInt(bytes) || files > entries) return null;
    return { path, type, size, mode: mode as number, mtime, offset, entries, files, bytes };
  }
  return null;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _entryTypeMatches: Same<z.infer<typeof indexEntrySchema>, IndexEntry> = true;
const _headerTypeMatches: Same<z.infer<typeof indexHeaderSchema>, IndexHeader> = true;
const _trailerTypeMatches: Same<z.infer<typeof indexTrailerSchema>, IndexTrailer> = true;

/** An E_FORMAT_INDEX error, naming the line when known. */
export function indexError(message: string, line?: number): ScelleError {
  return new ScelleError('E_FORMAT_INDEX', line === undefined ? `index: ${message}` : `index line ${line}: ${message}`, line === undefined ? {} : { line });
}

/** Encodes the header line. */
export function encodeIndexHeader(h: IndexHeader): string {
  const r = indexHeaderSchema.safeParse(h);
  if (!r.success) throw indexError(`cannot encode header: ${describeIssues(r.error)}`);
  return JSON.stringify({ format: h.format, driveId: h.driveId }) + '\n';
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
  return encodeEntryLine(e);
}

/** Encodes one directory line. */
export function encodeIndexDirectoryLine(d: IndexDirectoryLine): string {
  const out: Record<string, unknown> = { at: d.at, path: d.path };
  if (d.pathBytes !== undefined) out.pathBytes = d.pathBytes;
  return JSON.stringify(out) + '\n';
}

/**
 * Encodes the trailer line.
 * @throws ScelleError E_FORMAT_INDEX when it is inconsistent.
 */
export function encodeIndexTrailer(t: IndexTrailer): string {
  const r = indexTrailerSchema.safeParse(t);
  if (!r.success) throw indexError(`cannot encode trailer: ${describeIssues(r.error)}`);
  const { trailer, parts, partSizes, totalSize, entries, files, bytes, directoryAt } = t;
  const set = t.set && {
    id: t.set.id,
    position: t.set.position,
    members: t.set.members,
    driveIds: t.set.driveIds,
    partCounts: t.set.partCounts,
    totalSize: t.set.totalSize,
    entries: t.set.entries,
    files: t.set.files,
    bytes: t.set.bytes,
  };
  return (
    JSON.stringify(
      set ? { trailer, parts, partSizes, totalSize, entries, files, bytes, directoryAt, set } : { trailer, parts, partSizes, totalSize, entries, files, bytes, directoryAt },
    ) + '\n'
  );
}

function parseJsonObject(line: string, lineNumber: number | undefined, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw indexError(`${what} is not valid JSON`, lineNumber);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw indexError(`${what} is not a JSON object`, lineNumber);
  return raw as Record<string, unknown>;
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, lineNumber: number | undefined, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw indexError(`${what}: ${describeIssues(r.error)}`, lineNumber);
  return r.data;
}

/**
 * Parses the header line (without its "\n").
 * @throws ScelleError E_FORMAT_INDEX (details.line = 1); E_FORMAT_UNSUPPORTED for another format.
 */
export function parseIndexHeaderLine(line: string): IndexHeader {
  const raw = parseJsonObject(line, 1, 'header');
  if (typeof raw.format === 'string' && raw.format !== 'scelle/1') {
    const format = raw.format.slice(0, 40);
    throw new ScelleError('E_FORMAT_UNSUPPORTED', `index: format "${format}" is not supported`, { format });
  }
  if ('parts' in raw) throw indexError('header: this index has the layout of an earlier development version of scelle/1; seal the data again', 1);
  return validate(indexHeaderSchema, raw, 1, 'header');
}

/**
 * Parses one entry line (without its "\n").
 * @throws ScelleError E_FORMAT_INDEX naming `lineNumber` when given.
 */
export function parseIndexEntryLine(line: string, lineNumber?: number): IndexEntry {
  const raw = parseJsonObject(line, lineNumber, 'entry');
  return plainEntry(raw) ?? validate(indexEntrySchema, raw, lineNumber, 'entry');
}

/** Parses one directory line. @throws ScelleError E_FORMAT_INDEX. */
export function parseIndexDirectoryLine(line: string, lineNumber?: number): IndexDirectoryLine {
  return validate(indexDirectoryLineSchema, parseJsonObject(line, lineNumber, 'directory line'), lineNumber, 'directory line');
}

/** Parses the trailer line. @throws ScelleError E_FORMAT_INDEX. */
export function parseIndexTrailerLine(line: string): IndexTrailer {
  return validate(indexTrailerSchema, parseJsonObject(line, undefined, 'trailer'), undefined, 'trailer');
}
