/**
 * A set seal as the Technician follows it, from the `seal.set` events of its job (no React, tested
 * in plain Node): the set's id and size, each member's drive id and state (waiting, being written,
 * sealed), the drive the seal waits for (with why the last one offered was refused) and the
 * attached drives already holding a member (they cannot take another).
 */
import type { DriveCheckProblemDto, DriveSummaryDto, MemberRefusalDto, SetSealEventDto } from '../../../shared/ipc/index.js';

/** One member as the seal shows it. */
export interface MemberView {
  position: number;
  /** Known once the engine names it (the member started, or its drive is asked for). */
  driveId: string | null;
  /** `earlier`: sealed before this seal started (a set resumed or continued from a later member). */
  state: 'waiting' | 'writing' | 'sealed' | 'earlier';
  /** The attached drive holding it, once started. */
  volumeId: string | null;
}

/** The seal's question for the next drive. */
export interface NextDriveView {
  position: number;
  members: number;
  driveId: string;
  bytesNeeded: number;
  /** Why the last drive offered was refused (by the engine, or by the main side when answering), or null. */
  refused: MemberRefusalDto | null;
}

/** The set seal's state. */
export interface SetSealView {
  setId: string | null;
  members: MemberView[];
  next: NextDriveView | null;
}

/** Before any event. */
export const EMPTY_SET_SEAL: SetSealView = { setId: null, members: [], next: null };

function withMembers(view: SetSealView, count: number): MemberView[] {
  const out = view.members.slice(0, count);
  for (let p = out.length + 1; p <= count; p++) out.push({ position: p, driveId: null, state: 'waiting', volumeId: null });
  return out;
}

/** The view after `event`. */
export function applySetEvent(view: SetSealView, event: SetSealEventDto): SetSealView {
  const members = withMembers(view, event.members);
  const i = event.position - 1;
  // Members are written in order: one not begun when a later one is asked for or started was sealed earlier (a set resumed).
  if (event.type !== 'sealed') for (let k = 0; k < i; k++) if (members[k]!.state === 'waiting' && members[k]!.driveId === null) members[k] = { ...members[k]!, state: 'earlier' };
  const m = members[i]!;
  if (event.type === 'next') {
    members[i] = { ...m, driveId: event.driveId };
    return {
      setId: event.setId,
      members,
      next: { position: event.position, members: event.members, driveId: event.driveId, bytesNeeded: event.bytesNeeded, refused: event.refused },
    };
  }
  if (event.type === 'started') {
    members[i] = { ...m, driveId: event.driveId, state: 'writing', volumeId: event.volumeId };
    const next = view.next?.position === event.position ? null : view.next;
    return { setId: event.setId, members, next };
  }
  members[i] = { ...m, driveId: event.driveId, state: 'sealed' };
  return { setId: event.setId, members, next: view.next };
}

/** The view with a refusal of the main side (the drive offered was not handed to the engine). */
export function refuseOffered(view: SetSealView, refusal: MemberRefusalDto): SetSealView {
  return view.next ? { ...view, next: { ...view.next, refused: refusal } } : view;
}

/** How many members are sealed. */
export function membersSealed(view: SetSealView): number {
  return view.members.filter((m) => m.state === 'sealed').length;
}

/** The member being written, or null. */
export function memberWriting(view: SetSealView): MemberView | null {
  return view.members.find((m) => m.state === 'writing') ?? null;
}

/** The attached drives already holding (or writing) a member of this set: they cannot take another. */
export function volumesInUse(view: SetSealView): Set<string> {
  return new Set(view.members.flatMap((m) => (m.volumeId && m.state !== 'waiting' ? [m.volumeId] : [])));
}

/**
 * True when a set can be offered for the drive checked: the data does not fit (E_TARGET_TOO_SMALL)
 * and nothing else stops a seal there (read-only, gone).
 */
export function setOffered(problems: readonly Pick<DriveCheckProblemDto, 'code'>[]): boolean {
  const fatal = problems.filter((p) => p.code.startsWith('E_'));
  return fatal.length > 0 && fatal.every((p) => p.code === 'E_TARGET_TOO_SMALL');
}

/** The drives that can be chosen as members 2, 3, … besides `first`: writable ones, in the listing's order. */
export function otherMemberDrives(drives: readonly DriveSummaryDto[], first: string | null): DriveSummaryDto[] {
  return drives.filter((d) => d.id !== first);
}
