/**
 * The sealing loop: the sources walked in index order (checked against their count) become the
 * tar stream in the payload sink's buffers and, entry by entry, the index's lines. Runs of
 * small entries are framed by the tar builder workers straight into shared slots; other entries
 * by this thread, large files read in place. An entry's index line is handed to the index
 * writer in stream order.
 */
import { closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ScelleError } from '../../errors/scelle-error.js';
import { encodeIndexEntry } from '../../format/index-codec.js';
import { encodeTarHeader, END_OF_ARCHIVE, padding, writePlainTarHeader, type TarHeader } from '../../format/tar.js';
import { throwIfCancelled } from '../abort.js';
import type { PayloadSink } from '../payload/payload-sink.js';
import type { ProgressTracker } from '../progress.js';
import { ScanTally, walkSources, type ScanResult, type SourceEntry } from './scan.js';
import { checkUnchanged, openSource, readSource } from './source-read.js';
import { indexEntryOf, tarHeaderOf, toBatchEntry, writeTarEntry, type BatchEntry, type BatchResult } from './tar-batch.js';
import type { TarBuilders } from './tar-builders.js';

/** What the sealing loop needs besides the sources and the sink. */
export interface TarContext {
  startOffset: number;
  progress: ProgressTracker;
  signal: AbortSignal | undefined;
  /** Tar builder workers for runs of small entries, or null to build everything in this thread. */
  builders: TarBuilders | null;
  /** Receives each entry's index line, in order (the drive's index writer, or a set's spool). */
  index: { addEntryLine(line: string): void };
}

const ZEROS = Buffer.alloc(512);

/**
 * The sources' entries in index order, checked against what the count found: a source that
 * changed in between (more or larger entries) stops the seal before it writes past the
 * counted size, and any other change is caught by the fingerprint at the end.
 */
class CountedWalk {
  private readonly walk: Generator<SourceEntry>;
  private readonly tally = new ScanTally();
  private next: SourceEntry | undefined;

  constructor(
    sources: readonly string[],
    private readonly scan: ScanResult,
  ) {
    this.walk = walkSources(sources);
    this.advance();
  }

  /** The next entry without taking it. */
  peek(): SourceEntry | undefined {
    return this.next;
  }

  /** Takes the next entry. */
  take(): SourceEntry {
    const e = this.next!;
    this.advance();
    return e;
  }

  /** Throws E_SOURCE_CHANGED unless the walk saw exactly what the count saw. */
  finish(): void {
    const seen = this.tally.result();
    if (seen.tarSize !== this.scan.tarSize || seen.fingerprint !== this.scan.fingerprint) throw changedSources();
  }

  private advance(): void {
    const r = this.walk.next();
    this.next = r.done ? undefined : r.value;
    if (this.next) {
      this.tally.add(this.next);
      if (this.tally.tarSize > this.scan.tarSize) throw changedSources();
    }
  }
}

function changedSources(): ScelleError {
  return new ScelleError('E_SOURCE_CHANGED', 'the sources changed while they were being sealed (files added, removed or resized); seal again once they are stable');
}

/**
 * Writes the tar stream of the sources into `sink` and their index lines into ctx.index.
 * Throws E_SOURCE_* (a source missing, unreadable or changed since the count), E_CANCELLED,
 * and what the sink or the builders throw.
 */
export async function writeTarStream(sources: readonly string[], scan: ScanResult, sink: PayloadSink, ctx: TarContext): Promise<void> {
  const out = new TarBuffer(sink, ctx.startOffset);
  await out.init();
  const walk = new CountedWalk(sources, scan);
  const slotSize = sink.shared?.slotSize ?? 0;
  let sinceYield = 0;
  for (let e = walk.peek(); e !== undefined; e = walk.peek()) {
    throwIfCancelled(ctx.signal);
    if (ctx.builders && e.tarBytes <= slotSize) {
      await writeBatches(walk, out, sink, ctx);
      continue;
    }
    walk.take();
    // Fast path, no await: an entry that fits whole in the current buffer.
    if (e.tarBytes <= out.room() && out.offset >= ctx.startOffset) {
      const w = writeTarEntry(e, out.spaceNow(), 0, out.offset);
      out.advance(w.length);
      ctx.index.addEntryLine(w.line);
      if (w.file) ctx.progress.add(e.size, 1);
      // The walk reads folders on this thread: let progress and cancellation through now and then.
      if (++sinceYield >= 4096) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
      continue;
    }
    await out.putHeader(tarHeaderOf(e));
    const entry = indexEntryOf(e, out.offset);
    if (e.type === 'file') {
      entry.sha256 = await copyFile(e, out, ctx);
      await out.put(ZEROS.subarray(0, padding(e.size)));
      ctx.progress.add(0, 1);
    }
    ctx.index.addEntryLine(encodeIndexEntry(entry));
  }
  walk.finish();
  await out.put(END_OF_ARCHIVE);
  out.flushLast();
}

/** Batches built but not yet handed to the sink, at most. */
const BATCHES_IN_FLIGHT = 4;
/** Entries in one batch, at most (bounds the message and the builder's garbage). */
const BATCH_MAX_ENTRIES = 2048;

/**
 * Seals the run of entries that each fit in a sink slot through the tar builder workers:
 * consecutive entries are grouped into batches of one slot, built in parallel, and submitted
 * to the sink in stream order. Returns when the next entry does not fit in a slot.
 */
async function writeBatches(walk: CountedWalk, out: TarBuffer, sink: PayloadSink, ctx: TarContext): Promise<void> {
  const builders = ctx.builders!;
  const slotSize = sink.shared!.slotSize;
  const queue: { buffer: Buffer; result: Promise<BatchResult> }[] = [];
  const settleOldest = async () => {
    const q = queue.shift()!;
    const r = await q.result;
    sink.submit(q.buffer, r.length);
    for (const line of r.lines) ctx.index.addEntryLine(line);
    ctx.progress.add(r.bytes, r.files);
  };
  out.handOff();
  let offset = out.offset;
  while (walk.peek() !== undefined && walk.peek()!.tarBytes <= slotSize) {
    throwIfCancelled(ctx.signal);
    const batch: BatchEntry[] = [];
    let size = 0;
    for (let e = walk.peek(); e !== undefined && e.tarBytes <= slotSize - size && batch.length < BATCH_MAX_ENTRIES; e = walk.peek()) {
      batch.push(toBatchEntry(walk.take()));
      size += e.tarBytes;
    }
    if (queue.length >= BATCHES_IN_FLIGHT) await settleOldest();
    const buffer = await sink.acquire();
    const result = builders.build(buffer.byteOffset / slotSize, offset, batch);
    result.catch(() => undefined); // awaited in order by settleOldest; an error surfaces there
    queue.push({ buffer, result });
    offset += size;
  }
  while (queue.length > 0) await settleOldest();
  await out.resumeAt(offset);
}

/** Streams one file into the tar buffer, hashing it; checks it did not change meanwhile. */
async function copyFile(e: SourceEntry, out: TarBuffer, ctx: TarContext): Promise<string> {
  const fd = openSource(e);
  const hash = createHash('sha256');
  try {
    let remaining = e.size;
    while (remaining > 0) {
      const space = await out.space();
      const got = readSource(e, fd, space, Math.min(remaining, space.length));
      hash.update(space.subarray(0, got));
      out.advance(got);
      remaining -= got;
      ctx.progress.add(got);
      throwIfCancelled(ctx.signal);
    }
    checkUnchanged(e, fd);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * The sealing loop's output buffer over the payload sink. Tracks the absolute tar offset;
 * bytes before `startOffset` (finished parts of a resumed seal) are not submitted.
 */
class TarBuffer {
  private buf!: Buffer;
  /** True after handOff submitted the buffer: a new one is acquired by resumeAt. */
  private handedOff = false;
  private pos = 0;
  /** Absolute stream offset of buf[0]. */
  private base = 0;

  constructor(
    private readonly sink: PayloadSink,
    private readonly startOffset: number,
  ) {}

  async init(): Promise<void> {
    this.buf = await this.sink.acquire();
  }

  /** Current absolute offset in the tar stream. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Appends bytes. */
  async put(bytes: Uint8Array): Promise<void> {
    let p = 0;
    while (p < bytes.length) {
      const space = await this.space();
      const n = Math.min(space.length, bytes.length - p);
      space.set(bytes.subarray(p, p + n));
      this.pos += n;
      p += n;
    }
  }

  /** Appends the header of one entry, written in place when it needs no pax record. */
  async putHeader(h: TarHeader): Promise<void> {
    const space = await this.space();
    if (space.length >= 512) {
      const n = writePlainTarHeader(h, space, 0);
      if (n > 0) {
        this.pos += n;
        return;
      }
    }
    await this.put(encodeTarHeader(h));
  }

  /** Bytes left in the current buffer before it must be flushed. */
  room(): number {
    return this.buf.length - this.pos;
  }

  /** The rest of the current buffer, without flushing (may be empty). */
  spaceNow(): Buffer {
    return this.buf.subarray(this.pos);
  }

  /** Free space to fill directly (then call advance); flushes first when full. */
  async space(): Promise<Buffer> {
    if (this.pos === this.buf.length) await this.flush();
    return this.buf.subarray(this.pos);
  }

  /** Records `n` bytes written into the space returned by {@link space}. */
  advance(n: number): void {
    this.pos += n;
  }

  private submit(): void {
    const end = this.base + this.pos;
    if (end <= this.startOffset) return;
    const from = Math.max(0, this.startOffset - this.base);
    if (from > 0) this.buf.copyWithin(0, from, this.pos);
    this.sink.submit(this.buf, this.pos - from);
  }

  private async flush(): Promise<void> {
    const submitted = this.base + this.pos > this.startOffset;
    this.submit();
    this.base += this.pos;
    this.pos = 0;
    if (submitted) this.buf = await this.sink.acquire();
  }

  /** Submits what the buffer holds so that other buffers (tar builder batches) can follow it in the stream. */
  handOff(): void {
    if (this.pos === 0) return;
    this.submit();
    this.base += this.pos;
    this.pos = 0;
    this.handedOff = true;
  }

  /** Continues at absolute stream offset `offset`, after the batches submitted since handOff. */
  async resumeAt(offset: number): Promise<void> {
    this.base = offset;
    this.pos = 0;
    if (this.handedOff) {
      this.buf = await this.sink.acquire();
      this.handedOff = false;
    }
  }

  /** Submits the last, partly filled buffer. */
  flushLast(): void {
    this.submit();
    this.base += this.pos;
    this.pos = 0;
  }
}
