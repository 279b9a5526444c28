/**
 * The main side of a set seal (docs/DESKTOP.md, "Sealed sets"): how the members are planned from
 * the drives chosen, and the engine's question "attach the next drive" carried to the renderer
 * and back. The engine asks through the job's `nextTarget` hook; this module sends the question
 * as a `seal.set` event and waits for `engine.nextDrive`, which names an attached drive as
 * drives.list does (never a path). Drives the main side can judge (not listed, read-only, less
 * free space than the member needs, already holding a member) are refused at once with the
 * reason; drives the engine refuses come back as a new question naming why.
 */
import type { AttachedDrive } from '../shared/drives/index.js';
import type { NextMemberRequest, SealedMember, StartedMember } from '../shared/engine/api.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import type { ScelleErrorData } from '../shared/errors/scelle-error.js';
import { eventChannels, type EventOf, type MemberRefusalDto } from '../shared/ipc/index.js';
import type { SealHooks } from './engine/engine-protocol.js';

/** The smallest part the engine accepts (shared/format/payload-size.ts MIN_PART_PLAINTEXT_SIZE). */
export const MIN_SET_PART = 64 * 1024;
/** Parts a member is planned to hold at least, so that members are filled to within a few percent. */
export const PARTS_PER_MEMBER = 16;

/**
 * The part size of a set: at most the file system's (`fsPartSize`), and small enough that a
 * member of `memberBytes` holds {@link PARTS_PER_MEMBER} parts (a member holds whole parts only),
 * in multiples of 64 KiB, never under 64 KiB.
 */
export function setPartSize(memberBytes: number, fsPartSize: number): number {
  const fit = Math.floor(memberBytes / PARTS_PER_MEMBER / MIN_SET_PART) * MIN_SET_PART;
  return Math.max(MIN_SET_PART, Math.min(fsPartSize, fit));
}

/**
 * The smallest member's room, for the set's part size: the least free space among the drives
 * chosen, as the listing shows it; undefined when no drive's free space is known. (Each member is
 * planned on its own drive's free space; drives attached later are asked for the member's need.)
 */
export function memberBytesOf(drives: readonly Pick<AttachedDrive, 'freeBytes'>[]): number | undefined {
  const known = drives.map((d) => d.freeBytes).filter((f): f is number => f !== null);
  return known.length === 0 ? undefined : Math.min(...known);
}

/** A refusal as the renderer shows it: the code, and for a drive too small what it needs and has. Never the message (it names paths). */
export function refusalOf(e: Pick<ScelleErrorData, 'code' | 'details'>): MemberRefusalDto {
  const out: MemberRefusalDto = { code: e.code };
  const { needed, free } = e.details;
  if (typeof needed === 'number' && Number.isSafeInteger(needed) && needed >= 0) out.needed = needed;
  if (typeof free === 'number' && Number.isSafeInteger(free) && free >= 0) out.free = free;
  return out;
}

type SetEvent = EventOf<'seal.set'>;

/** One set seal's conversation with the renderer. */
interface SetJob {
  /** The question waiting for a drive, and how to answer it. */
  waiting: { request: NextMemberRequest; resolve: (target: string) => void; reject: (e: Error) => void } | null;
  /** Mount points already holding (or given) a member of this set. */
  used: Set<string>;
  /** The set's id and size, once the engine has named them (a member is always started before it is sealed). */
  set: { id: string; members: number } | null;
}

/** What the prompts need of the handlers: the drives last listed, and the event sender. */
export interface SetSealPromptsDeps {
  findDrive(volumeId: string): AttachedDrive;
  drives(): readonly AttachedDrive[];
  emit(payload: SetEvent): void;
}

/** The running set seals' questions, by job id. */
export class SetSealPrompts {
  private readonly jobs = new Map<string, SetJob>();

  constructor(private readonly deps: SetSealPromptsDeps) {}

  /**
   * The hooks of set seal `jobId` whose targets so far are `given` (mount points): each member
   * started and sealed is told to the renderer, and the next drive is asked of it. Call `end`
   * when the job ends.
   */
  hooks(jobId: string, given: readonly string[]): SealHooks {
    const job: SetJob = { waiting: null, used: new Set(given), set: null };
    this.jobs.set(jobId, job);
    const volumeOf = (target: string) => this.deps.drives().find((d) => d.mountpoint === target)?.id ?? null;
    return {
      nextTarget: (request) =>
        new Promise<string>((resolve, reject) => {
          job.waiting?.reject(new ScelleError('E_CANCELLED', 'replaced by a newer request'));
          job.waiting = { request, resolve, reject };
          job.set = { id: request.setId, members: request.members };
          this.send(jobId, {
            type: 'next',
            setId: request.setId,
            position: request.position,
            members: request.members,
            driveId: request.driveId,
            bytesNeeded: request.bytesNeeded,
            refused: request.refused ? refusalOf(request.refused) : null,
          });
        }),
      onMemberStarted: (m: StartedMember) => {
        job.used.add(m.target);
        job.set = { id: m.setId, members: m.members };
        this.send(jobId, { type: 'started', setId: m.setId, position: m.position, members: m.members, driveId: m.driveId, volumeId: volumeOf(m.target) });
      },
      onMemberSealed: (m: SealedMember) => {
        if (job.set) this.send(jobId, { type: 'sealed', setId: job.set.id, position: m.position, members: job.set.members, driveId: m.driveId });
      },
    };
  }

  /**
   * Answers job `jobId`'s question with attached drive `volumeId`. Throws E_USAGE when the job
   * asks nothing now or the drive already holds a member of the set, E_TARGET_NOT_FOUND,
   * E_TARGET_READ_ONLY, E_TARGET_TOO_SMALL (details `needed`, `free`).
   */
  answer(jobId: string, volumeId: string): void {
    const job = this.jobs.get(jobId);
    const waiting = job?.waiting;
    if (!job || !waiting) throw new ScelleError('E_USAGE', 'this seal is not waiting for a drive', {});
    const drive = this.deps.findDrive(volumeId);
    if (drive.readOnly) throw new ScelleError('E_TARGET_READ_ONLY', 'the drive is read-only', {});
    if (job.used.has(drive.mountpoint)) throw new ScelleError('E_USAGE', 'this drive already holds a member of the set; attach another drive', { reason: 'set-member' });
    if (drive.freeBytes !== null && drive.freeBytes < waiting.request.bytesNeeded)
      throw new ScelleError('E_TARGET_TOO_SMALL', 'the drive has less free space than the member needs', { needed: waiting.request.bytesNeeded, free: drive.freeBytes });
    job.waiting = null;
    waiting.resolve(drive.mountpoint);
  }

  /** Forgets job `jobId`; a question still waiting is dropped (E_CANCELLED). */
  end(jobId: string): void {
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    job?.waiting?.reject(new ScelleError('E_CANCELLED', 'the seal ended'));
  }

  /** True while job `jobId` waits for a drive (tests, diagnostics). */
  isWaiting(jobId: string): boolean {
    return this.jobs.get(jobId)?.waiting != null;
  }

  private send(jobId: string, event: SetEvent['event']): void {
    this.deps.emit(eventChannels['seal.set'].parse({ jobId, event }) as SetEvent);
  }
}
