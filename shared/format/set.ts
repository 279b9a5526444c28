/**
 * Sealed sets (docs/FORMAT.md §11): one tar stream and one data key spread over several member
 * drives, each a complete scelle/1 drive. This module owns the facts every reader and writer
 * must agree on: the public `set` field of each member's manifest, the authenticated `set`
 * block of each member's index trailer, and the arithmetic that says which member holds which
 * payload parts and which tar bytes.
 */
import { z } from 'zod';
import { DRIVE_ID_PATTERN } from './drive-id.js';
import { nonNegativeInt } from './json-schemas.js';

/** The most payload parts a set may have in all (as one drive's index, docs/FORMAT.md §5.5). */
export const MAX_SET_PARTS = 1_000_000;

/** The most members a set may have (Azure Import/Export ships 10 drives a job; room to spare). */
export const MAX_SET_MEMBERS = 64;

/** The manifest's `set` field: public, so a reader can say which members are present before any key. */
export interface ManifestSet {
  /** The set id: shared by every member; same alphabet as drive ids. */
  id: string;
  /** This member's position, 1-based. */
  position: number;
  /** How many members the set has. */
  members: number;
  /** Every member's drive id, by position (this member's at `position - 1`). */
  driveIds: string[];
}

/** The index trailer's `set` block: the set's layout and totals, authenticated by the data key. */
export interface TrailerSet extends ManifestSet {
  /** How many payload parts each member holds, by position (each at least 1). */
  partCounts: number[];
  /** The set's whole tar stream, in bytes. */
  totalSize: number;
  /** The set's entries, files and bytes (this member's index may list only a prefix of them). */
  entries: number;
  files: number;
  bytes: number;
}

const driveId = z.string().regex(DRIVE_ID_PATTERN);

function checkMembers(s: { position: number; members: number; driveIds: string[] }, issue: (path: string, message: string) => void): void {
  if (s.position > s.members) issue('position', 'exceeds members');
  if (s.driveIds.length !== s.members) issue('driveIds', `has ${s.driveIds.length} ids for ${s.members} members`);
  if (new Set(s.driveIds).size !== s.driveIds.length) issue('driveIds', 'must be distinct');
}

const manifestSetShape = {
  id: driveId,
  position: z.number().int().min(1).max(MAX_SET_MEMBERS),
  members: z.number().int().min(2).max(MAX_SET_MEMBERS),
  driveIds: z.array(driveId).max(MAX_SET_MEMBERS),
};

/** Zod schema of {@link ManifestSet}. */
export const manifestSetSchema = z.object(manifestSetShape).superRefine((s, ctx) => checkMembers(s, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message })));

/** Zod schema of {@link TrailerSet}. */
export const trailerSetSchema = z
  .object({
    ...manifestSetShape,
    partCounts: z.array(z.number().int().min(1).max(1_000_000)).max(MAX_SET_MEMBERS),
    totalSize: nonNegativeInt,
    entries: nonNegativeInt,
    files: nonNegativeInt,
    bytes: nonNegativeInt,
  })
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    checkMembers(s, issue);
    if (s.partCounts.length !== s.members) issue('partCounts', `has ${s.partCounts.length} counts for ${s.members} members`);
    if (s.partCounts.reduce((a, b) => a + b, 0) > MAX_SET_PARTS) issue('partCounts', `make more than ${MAX_SET_PARTS} parts`);
    if (s.files > s.entries) issue('files', 'exceeds entries');
    if (s.bytes > s.totalSize) issue('bytes', 'exceeds totalSize');
  });

/** The public part of a trailer's set block (what the manifest repeats). */
export function manifestSetOf(s: TrailerSet): ManifestSet {
  return { id: s.id, position: s.position, members: s.members, driveIds: [...s.driveIds] };
}

/** True when two set descriptions name the same set, member list and position. */
export function sameManifestSet(a: ManifestSet, b: ManifestSet): boolean {
  return a.id === b.id && a.position === b.position && a.members === b.members && a.driveIds.length === b.driveIds.length && a.driveIds.every((d, i) => d === b.driveIds[i]);
}

/** True when two trailer set blocks describe the same layout (positions aside). */
export function sameLayout(a: TrailerSet, b: TrailerSet): boolean {
  return (
    a.id === b.id &&
    a.members === b.members &&
    a.driveIds.every((d, i) => d === b.driveIds[i]) &&
    a.partCounts.every((c, i) => c === b.partCounts[i]) &&
    a.totalSize === b.totalSize &&
    a.entries === b.entries &&
    a.files === b.files &&
    a.bytes === b.bytes
  );
}

/** One member's place in the set's tar stream. */
export interface MemberRange {
  position: number;
  driveId: string;
  /** The set's part number of this member's part 0. */
  firstPart: number;
  partCount: number;
  /** Tar bytes [tarStart, tarEnd) of the set's stream. */
  tarStart: number;
  tarEnd: number;
}

/**
 * Every member's parts and tar range, from a trailer's set block and the part size.
 * Part p of the set (counted from 0 over all members) holds tar bytes [p·pps, min((p+1)·pps, totalSize)).
 */
export function memberRanges(set: Pick<TrailerSet, 'driveIds' | 'partCounts' | 'totalSize'>, partPlaintextSize: number): MemberRange[] {
  let firstPart = 0;
  return set.partCounts.map((partCount, i) => {
    const r: MemberRange = {
      position: i + 1,
      driveId: set.driveIds[i]!,
      firstPart,
      partCount,
      tarStart: Math.min(firstPart * partPlaintextSize, set.totalSize),
      tarEnd: Math.min((firstPart + partCount) * partPlaintextSize, set.totalSize),
    };
    firstPart += partCount;
    return r;
  });
}

/**
 * The set's part sizes in plaintext bytes: all `partPlaintextSize` but the last.
 * Consistent only when the set's part count is ceil(totalSize / pps) (at least 1).
 */
export function setPartCountFor(totalSize: number, partPlaintextSize: number): number {
  return Math.max(1, Math.ceil(totalSize / partPlaintextSize));
}

/** The positions (1-based) of the members holding any of the tar bytes [offset, offset + length). */
export function membersHolding(ranges: readonly MemberRange[], offset: number, length: number): number[] {
  if (length === 0) return [];
  const end = offset + length;
  return ranges.filter((r) => r.tarStart < end && offset < r.tarEnd).map((r) => r.position);
}
