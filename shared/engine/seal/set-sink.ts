/**
 * The payload sink of a sealed set (docs/FORMAT.md §11): one tar stream cut at member
 * boundaries into one payload sink per member drive, each of which sees its own range as a
 * stream of its own (parts numbered from 0, bound to the member's drive id). The sealing loop
 * does not know about members: a buffer that crosses a boundary is split (the bytes beyond it
 * are copied aside), and the next `acquire` waits while the next member is opened. When the next
 * member's drive is already attached, the member that ended finishes and closes behind it (its
 * last part is written and fsync'd while the next member's first bytes are encrypted); when the
 * technician must attach it first, the member that ended is finished and closed before the next
 * one is asked for, so it can be detached. Members share one buffer pool (and the payload
 * threads), so buffers in flight (tar builders) survive the switch.
 */
import { ScelleError } from '../../errors/scelle-error.js';
import { SINK_BUFFER_SIZE, type PayloadSink, type SinkMemory } from '../payload/payload-sink.js';

/** What the set sink asks of the seal as the stream reaches each member. */
export interface MemberSinks {
  /** The sink of member `member` (0-based), created once the previous one is closed. */
  open(member: number): Promise<PayloadSink>;
  /** Member `member`'s sink finished: every one of its parts is written and fsync'd. */
  closed(member: number): Promise<void>;
  /** True when member `member`'s drive is known without asking the technician (it may open before its predecessor closes). */
  attached(member: number): boolean;
}

/**
 * A sink over consecutive members; `ends[m]` is the tar offset where member m's range ends (the
 * last is the stream's size). Call {@link SetSink.start} before use.
 */
export class SetSink implements PayloadSink {
  readonly shared?: { buffer: SharedArrayBuffer; slotSize: number };
  private member: number;
  private current: PayloadSink | null = null;
  /** Tar bytes handed to members so far. */
  private offset: number;
  /** Bytes that belong to the next members, in order (copied out of the buffers they came in). */
  private carry: Buffer[] = [];
  private switchPending = false;
  private switching: Promise<void> | null = null;
  /** Members that ended and are finishing and closing behind the current one. */
  private closing: Promise<void>[] = [];

  constructor(
    private readonly ends: readonly number[],
    private readonly memory: SinkMemory,
    private readonly members: MemberSinks,
    /** A resume: the member (0-based) and the tar offset where writing starts (bytes before it are not submitted). */
    startMember = 0,
    startOffset = 0,
  ) {
    if (memory.shared) this.shared = { buffer: memory.shared, slotSize: SINK_BUFFER_SIZE };
    this.member = startMember;
    this.offset = startOffset;
  }

  /** Opens the sink of the member where writing starts. */
  async start(): Promise<void> {
    this.current = await this.members.open(this.member);
  }

  async acquire(): Promise<Buffer> {
    await this.settleSwitch();
    return this.memory.pool.acquire();
  }

  submit(buffer: Buffer, length: number): void {
    if (this.switchPending) {
      this.carry.push(Buffer.from(buffer.subarray(0, length)));
      this.memory.pool.release(buffer);
      return;
    }
    const room = this.ends[this.member]! - this.offset;
    const last = this.member === this.ends.length - 1;
    if (last || length < room) {
      if (last && length > room) throw new ScelleError('E_INTERNAL', 'the tar stream is longer than the set was planned for');
      this.current!.submit(buffer, length);
      this.offset += length;
      return;
    }
    // The buffer reaches (or crosses) the end of this member.
    if (length > room) this.carry.push(Buffer.from(buffer.subarray(room, length)));
    if (room > 0) this.current!.submit(buffer, room);
    else this.memory.pool.release(buffer);
    this.offset += room;
    this.switchPending = true;
  }

  async finish(): Promise<void> {
    await this.settleSwitch();
    if (this.member !== this.ends.length - 1 || this.offset !== this.ends[this.member]) {
      throw new ScelleError(
        'E_INTERNAL',
        `the tar stream ended at ${this.offset} bytes, member ${this.member + 1} of ${this.ends.length} was planned to end at ${this.ends[this.member]}`,
      );
    }
    await this.current!.finish();
    await this.members.closed(this.member);
    await Promise.all(this.closing);
  }

  async abort(): Promise<void> {
    await this.current?.abort();
    await Promise.allSettled(this.closing);
  }

  /** Runs the pending member switches (one at a time), feeding each new member what was carried. */
  private async settleSwitch(): Promise<void> {
    while (this.switchPending) {
      this.switching ??= this.switchMember().finally(() => (this.switching = null));
      await this.switching;
    }
  }

  private async switchMember(): Promise<void> {
    const ended = this.member;
    const closing = this.current!.finish().then(() => this.members.closed(ended));
    if (this.members.attached(ended + 1)) {
      // A failure to close shows at the next acquire (the pool fails) and at finish.
      closing.catch((e: unknown) => this.memory.pool.fail(e instanceof ScelleError ? e : new ScelleError('E_INTERNAL', String(e))));
      this.closing.push(closing);
    } else {
      await closing;
    }
    this.member++;
    this.current = await this.members.open(this.member);
    this.switchPending = false;
    const carried = this.carry;
    this.carry = [];
    for (const bytes of carried) {
      for (let p = 0; p < bytes.length;) {
        const buffer = await this.memory.pool.acquire();
        const n = Math.min(buffer.length, bytes.length - p);
        bytes.copy(buffer, 0, p, p + n);
        this.submit(buffer, n);
        p += n;
      }
    }
  }
}
