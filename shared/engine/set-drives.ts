/**
 * Opening what the user attached: one drive, or any members of a sealed set (docs/FORMAT.md §11),
 * in any order. Each member is loaded and checked as a drive of its own (signature, certificate,
 * index against manifest); the set is unlocked once (one key derivation: the other members are
 * opened with the data key, which their index authenticates) and checked whole: every member
 * names the same set, layout and totals, at distinct positions. The index used to list and
 * restore is the longest one present; the payload reader sees the set's parts, those of absent
 * members marked missing, so that a read there names the member to attach.
 */
import { ScelleError } from '../errors/scelle-error.js';
import { sameLayout, sameManifestSet, manifestSetOf, memberRanges, membersHolding, type MemberRange, type TrailerSet } from '../format/set.js';
import type { IndexEntry } from '../format/index-line.js';
import type { DriveSecret } from './api.js';
import { closeUnlocked, loadDrive, readerDescription, unlockDrive, type LoadedDrive, type UnlockedDrive } from './drive.js';
import { PayloadReader, type PayloadDescription } from './payload/payload-reader.js';

/** A member of the set that was not given. */
export interface AbsentMember {
  position: number;
  driveId: string;
}

/** What is known of a set from the members present. */
export interface SetView {
  id: string;
  members: number;
  /** Every member's parts and tar range. */
  ranges: MemberRange[];
  /** Positions given, ascending. */
  present: number[];
  absent: AbsentMember[];
  /** The set's totals (from the count made when it was sealed). */
  totals: { entries: number; files: number; bytes: number };
  /** Entries the index in use lists; equal to totals.entries when it lists the whole set. */
  listed: number;
}

/** The drives given, unlocked: one drive, or the members of one set present. */
export interface OpenedDrives {
  /** The drive whose index lists the most (the only one for a drive sealed alone). */
  catalogue: UnlockedDrive;
  /** Every drive given, by position for a set. */
  drives: UnlockedDrive[];
  set: SetView | null;
  /** What a payload reader needs, across the members present. */
  description: PayloadDescription;
}

/** Loads every drive given (no key): see module doc. Throws as loadDrive, and E_SET_MISMATCH. */
export function loadDrives(paths: readonly string[], pinnedRoots: readonly Uint8Array[]): LoadedDrive[] {
  if (paths.length === 0) throw new ScelleError('E_USAGE', 'no drive given', { reason: 'drive' });
  return orderDrives(paths.map((p) => loadDrive(p, pinnedRoots)));
}

/** Where a command's drives come from: their folders, or the drives already loaded from them. */
export interface DriveSource {
  driveDir: string;
  /** Other members of the same sealed set, attached beside `driveDir` (any order). */
  members?: string[];
  pinnedRoots: readonly Uint8Array[];
  /**
   * The drives at `driveDir` and `members`, as loadDrive returned them with `pinnedRoots` (in
   * that order): when given, they are used as they are (their verified manifest bytes are the
   * ones used), never read again, so that a caller that already loaded them (to show the
   * station, choose a secret) and the engine use the same checked manifest.
   */
  loaded?: readonly LoadedDrive[];
}

/** The drives of `src` (see DriveSource), sorted by position. Throws as loadDrives / orderDrives. */
export function sourceDrives(src: DriveSource): LoadedDrive[] {
  return src.loaded ? orderDrives(src.loaded) : loadDrives([src.driveDir, ...(src.members ?? [])], src.pinnedRoots);
}

/**
 * The drives given, already loaded (loadDrive, in the order given), checked to be one drive
 * or distinct members of one set, and sorted by position (a new array; the drives are used as
 * they are, never read again). Throws E_USAGE (none given) and E_SET_MISMATCH.
 */
export function orderDrives(given: readonly LoadedDrive[]): LoadedDrive[] {
  if (given.length === 0) throw new ScelleError('E_USAGE', 'no drive given', { reason: 'drive' });
  const drives = [...given];
  if (drives.length === 1) return drives;
  const first = drives[0]!;
  const set = first.manifest.set;
  if (!set) throw new ScelleError('E_SET_MISMATCH', `${first.driveDir} was sealed alone, not as a member of a set; give it alone`, { path: first.driveDir });
  const seen = new Map<number, string>();
  for (const d of drives) {
    const s = d.manifest.set;
    if (!s || s.id !== set.id)
      throw new ScelleError('E_SET_MISMATCH', `${d.driveDir} is not a member of set ${set.id}; give members of one set only`, { path: d.driveDir, set: set.id });
    const other = seen.get(s.position);
    if (other !== undefined)
      throw new ScelleError('E_SET_MISMATCH', `${d.driveDir} and ${other} are both member ${s.position} of the set; give each member once`, {
        path: d.driveDir,
        position: s.position,
      });
    seen.set(s.position, d.driveDir);
  }
  return drives.sort((a, b) => a.manifest.set!.position - b.manifest.set!.position);
}

/**
 * Unlocks the drives with `secret` (see module doc). Errors as unlockDrive (on the first drive
 * tried), and E_SET_MISMATCH when members disagree about their set (not one seal's members).
 */
export async function unlockDrives(loaded: readonly LoadedDrive[], secret: DriveSecret, signal?: AbortSignal): Promise<OpenedDrives> {
  const opened: UnlockedDrive[] = [];
  try {
    // The last member's index is the most likely to list the whole set: try it first.
    const order = [...loaded].reverse();
    const first = await unlockDrive(order[0]!, secret, signal);
    opened.push(first);
    for (const d of order.slice(1)) opened.push(await unlockDrive(d, { kind: 'data-key', key: first.dataKey }, signal));
    opened.reverse();
    const set = checkSet(opened);
    const catalogue = set ? opened.reduce((best, d) => (d.indexTrailer.entries > best.indexTrailer.entries ? d : best)) : opened[0]!;
    return { catalogue, drives: opened, set, description: set ? setDescription(opened, set) : readerDescription(opened[0]!) };
  } catch (e) {
    for (const d of opened) closeUnlocked(d);
    throw e;
  }
}

/** Closes every drive's index and wipes their data keys. */
export function closeDrives(opened: OpenedDrives): void {
  for (const d of opened.drives) closeUnlocked(d);
}

/** A payload reader over the drives given. */
export function drivesReader(opened: OpenedDrives): PayloadReader {
  return new PayloadReader(opened.description);
}

/** The absent members holding any of the bytes of `e`'s content (none for folders, links and empty files). */
export function absentMembersFor(set: Pick<SetView, 'absent' | 'ranges'> | null | undefined, e: Pick<IndexEntry, 'offset' | 'size'>): AbsentMember[] {
  if (!set || set.absent.length === 0) return [];
  const needs = membersHolding(set.ranges, e.offset, e.size);
  return set.absent.filter((a) => needs.includes(a.position));
}

function mismatch(d: UnlockedDrive, what: string): ScelleError {
  return new ScelleError('E_SET_MISMATCH', `${d.driveDir}: ${what}; it does not belong with the other members given`, { path: d.driveDir });
}

/** The set checks of §11 across the members given; null for one drive sealed alone. */
function checkSet(drives: readonly UnlockedDrive[]): SetView | null {
  const ref = drives[0]!;
  const refSet = ref.indexTrailer.set;
  if (!refSet && drives.length === 1 && !ref.manifest.set) return null;
  for (const d of drives) {
    const t = d.indexTrailer.set;
    const m = d.manifest.set;
    if (!t || !m) throw mismatch(d, 'its manifest or its index does not describe a set');
    if (!sameManifestSet(m, manifestSetOf(t))) throw mismatch(d, 'its manifest and its index describe different sets');
    if (!sameLayout(t, refSet!)) throw mismatch(d, 'its index describes another layout of the set');
    if (d.manifest.payload.partPlaintextSize !== ref.manifest.payload.partPlaintextSize) throw mismatch(d, 'its part size differs');
    checkMemberParts(d, t);
  }
  const ranges = memberRanges(refSet!, ref.manifest.payload.partPlaintextSize);
  const present = drives.map((d) => d.indexTrailer.set!.position);
  const catalogueEntries = Math.max(...drives.map((d) => d.indexTrailer.entries));
  return {
    id: refSet!.id,
    members: refSet!.members,
    ranges,
    present,
    absent: ranges.filter((r) => !present.includes(r.position)).map((r) => ({ position: r.position, driveId: r.driveId })),
    totals: { entries: refSet!.entries, files: refSet!.files, bytes: refSet!.bytes },
    listed: catalogueEntries,
  };
}

/** A member's own parts are the set's parts of its range, full-sized but for the set's last. */
function checkMemberParts(d: UnlockedDrive, t: TrailerSet): void {
  const pps = d.manifest.payload.partPlaintextSize;
  const range = memberRanges(t, pps)[t.position - 1]!;
  const setParts = t.partCounts.reduce((a, b) => a + b, 0);
  if (setParts !== Math.max(1, Math.ceil(t.totalSize / pps))) throw mismatch(d, `its set has ${setParts} parts, which do not make ${t.totalSize} bytes`);
  d.indexTrailer.partSizes.forEach((size, i) => {
    const g = range.firstPart + i;
    const expected = Math.min(pps, t.totalSize - g * pps);
    if (size !== expected) throw mismatch(d, `its part ${i} holds ${size} bytes where the set's part ${g} holds ${expected}`);
  });
}

/** The reader's view of a set: the set's parts, each on its member's drive or marked missing. */
function setDescription(drives: readonly UnlockedDrive[], set: SetView): PayloadDescription {
  const byPosition = new Map(drives.map((d) => [d.indexTrailer.set!.position, d]));
  const ref = drives[0]!;
  const pps = ref.manifest.payload.partPlaintextSize;
  const total = ref.indexTrailer.set!.totalSize;
  const partFiles: string[] = [];
  const partSizes: number[] = [];
  const partPlaces: NonNullable<PayloadDescription['partPlaces']> = [];
  for (const r of set.ranges) {
    const d = byPosition.get(r.position);
    for (let i = 0; i < r.partCount; i++) {
      const g = r.firstPart + i;
      partSizes.push(Math.min(pps, total - g * pps));
      partFiles.push(d ? d.manifest.payload.parts[i]!.file : `member ${r.position}`);
      partPlaces.push(d ? { driveDir: d.driveDir, driveId: r.driveId, localIndex: i } : { missing: { position: r.position, driveId: r.driveId } });
    }
  }
  return { driveDir: ref.driveDir, driveId: ref.manifest.driveId, dataKey: ref.dataKey, partFiles, partSizes, partPlaintextSize: pps, partPlaces };
}
