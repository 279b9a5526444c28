/**
 * The ring of shared-memory slots between the encryption worker and the part writer worker
 * of the three-stage seal pipeline: the encryptor copies each chunk's ciphertext into the
 * next slot and posts what it holds (parts opened and closed, byte ranges); the writer hashes
 * and writes it, then frees the slot. A counter of free slots in shared memory is the
 * backpressure: the encryptor waits on it (Atomics.wait, with a timeout so that an abort
 * flag set by either side is seen).
 */
import type { CipherOutput } from './payload-writer.js';

/** What one slot holds, in order. */
export type CipherEvent = { t: 'open'; part: number } | { t: 'data'; at: number; length: number } | { t: 'close'; part: number; plaintextSize: number };

/** The shared memory of a ring. */
export interface CipherRing {
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
  slots: number;
  slotSize: number;
}

/**
 * Thrown on the encryptor's side when the ring was aborted: the other side (or the main thread)
 * stopped first and reports the cause, so this is not reported again.
 */
export class RingAborted extends Error {
  constructor() {
    super('the payload pipeline stopped');
  }
}

const FREE = 0;
const ABORT = 1;

/** A ring of `slots` slots of `slotSize` bytes, all free. */
export function createCipherRing(slots: number, slotSize: number): CipherRing {
  const control = new SharedArrayBuffer(8);
  new Int32Array(control)[FREE] = slots;
  return { data: new SharedArrayBuffer(slots * slotSize), control, slots, slotSize };
}

/** Tells both sides to stop (an error on either side, or an abort). */
export function abortRing(ring: CipherRing): void {
  const c = new Int32Array(ring.control);
  Atomics.store(c, ABORT, 1);
  Atomics.notify(c, FREE);
}

/** The part writer's side: frees a slot once its bytes are written. */
export function releaseSlot(ring: CipherRing): void {
  const c = new Int32Array(ring.control);
  Atomics.add(c, FREE, 1);
  Atomics.notify(c, FREE);
}

/** The bytes of slot `slot`. */
export function slotBytes(ring: CipherRing, slot: number): Buffer {
  return Buffer.from(ring.data, slot * ring.slotSize, ring.slotSize);
}

/**
 * The encryptor's side: a {@link CipherOutput} that copies ciphertext into ring slots and
 * hands each filled slot to `post` with its events. Call `flush` after each input chunk.
 */
export class RingCipherOutput implements CipherOutput {
  private readonly control: Int32Array;
  private next = 0;
  private slot = -1;
  private used = 0;
  private events: CipherEvent[] = [];

  constructor(
    private readonly ring: CipherRing,
    private readonly post: (slot: number, events: CipherEvent[]) => void,
  ) {
    this.control = new Int32Array(ring.control);
  }

  openPart(part: number): void {
    this.events.push({ t: 'open', part });
  }

  data(bytes: Buffer): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.slot < 0 || this.used === this.ring.slotSize) this.nextSlot();
      const n = Math.min(bytes.length - from, this.ring.slotSize - this.used);
      bytes.copy(slotBytes(this.ring, this.slot), this.used, from, from + n);
      const last = this.events[this.events.length - 1];
      if (last?.t === 'data' && last.at + last.length === this.used) last.length += n;
      else this.events.push({ t: 'data', at: this.used, length: n });
      this.used += n;
      from += n;
    }
  }

  closePart(part: number, plaintextSize: number): void {
    this.events.push({ t: 'close', part, plaintextSize });
  }

  /** Hands over what was written since the last flush (events without data need no slot). */
  flush(): void {
    if (this.events.length === 0) return;
    if (this.slot < 0) this.nextSlot();
    this.post(this.slot, this.events);
    this.events = [];
    this.slot = -1;
  }

  private nextSlot(): void {
    if (this.slot >= 0) {
      this.post(this.slot, this.events);
      this.events = [];
    }
    for (;;) {
      if (Atomics.load(this.control, ABORT) !== 0) throw new RingAborted();
      const free = Atomics.load(this.control, FREE);
      if (free > 0) {
        Atomics.sub(this.control, FREE, 1);
        break;
      }
      Atomics.wait(this.control, FREE, 0, 100);
    }
    this.slot = this.next;
    this.next = (this.next + 1) % this.ring.slots;
    this.used = 0;
  }
}
