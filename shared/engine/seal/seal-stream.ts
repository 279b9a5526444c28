/**
 * The sealing loop: the sources walked in index order (checked against their count) become the
 * tar stream in the payload sink's buffers and, entry by entry, the index's lines. With tar
 * builder workers, this thread only lists folders (listing-walk.ts) and hands runs of their
 * children, cut as the count planned (batch-plan.ts), to the builders, which look at, read and
 * frame them straight into shared slots (named-batch.ts); entries too large for a slot are
 * written by this thread, large files read in place. An entry's index line is handed to the
 * index writer in stream order.
 */
import { closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { encodeIndexEntry } from '../../format/index-codec.js';
import { encodeTarHeader, END_OF_ARCHIVE, padding, writePlainTarHeader, type TarHeader } from '../../format/tar.js';
import { throwIfCancelled } from '../abort.js';
import type { PayloadSink } from '../payload/payload-sink.js';
import type { ProgressTracker } from '../progress.js';
import { addToTotals, childPath, entryAt, ScanTally, walkSources, type ScanResult, type SourceEntry, type SubtreeTotals } from './scan.js';
import { changedSources, checkUnchanged, openSource, readSource } from './source-read.js';
import { indexEntryOf, indexLineOf, tarHeaderOf, writeTarEntry } from './tar-batch.js';
import type { TarBuilders } from './tar-builders.js';
import type { BatchPlan } from './batch-plan.js';
import { ListingCursor, segmentOf, walkListings, type FolderInBatch } from './listing-walk.js';
import type { NamedBatchResult, NamedBatchSegment } from './named-batch.js';
import { freeBuffers } from '../../format/free-buffers.js';

/** What the sealing loop needs besides the sources and the sink. */
export interface TarContext {
  startOffset: number;
  progress: ProgressTracker;
  signal: AbortSignal | undefined;
  /** Tar builder workers for runs of small entries, or null to build everything in this thread. */
  builders: TarBuilders | null;
  /** Receives each entry's index line, in order (the drive's index writer, or a set's spool). */
  index: { addEntryLine(line: string): void; addEntryLineBytes(lines: Uint8Array, count: number): void };
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

/**
 * Writes the tar stream of the sources into `sink` and their index lines into ctx.index.
 * Throws E_SOURCE_* (a source missing, unreadable or changed since the count), E_CANCELLED,
 * and what the sink or the builders throw.
 */
export async function writeTarStream(sources: readonly string[], scan: ScanResult, sink: PayloadSink, ctx: TarContext): Promise<void> {
  const out = new TarBuffer(sink, ctx.startOffset);
  await out.init();
  if (ctx.builders && scan.plan && sink.shared && scan.plan.slotSize === sink.shared.slotSize && ctx.startOffset === 0)
    await writeWithBuilders(sources, scan, scan.plan, out, sink, ctx);
  else await writeInThisThread(sources, scan, out, ctx);
  await out.put(END_OF_ARCHIVE);
  out.flushLast();
}

/** Every entry walked, read and framed by this thread (few entries, a resume, or no compiled workers). */
async function writeInThisThread(sources: readonly string[], scan: ScanResult, out: TarBuffer, ctx: TarContext): Promise<void> {
  const walk = new CountedWalk(sources, scan);
  let sinceYield = 0;
  for (let e = walk.peek(); e !== undefined; e = walk.peek()) {
    throwIfCancelled(ctx.signal);
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
    await writeEntry(e, out, ctx);
  }
  walk.finish();
}

/** Writes one entry through the tar buffer (any size: a large file is streamed). */
async function writeEntry(e: SourceEntry, out: TarBuffer, ctx: TarContext): Promise<void> {
  await out.putHeader(tarHeaderOf(e));
  const entry = indexEntryOf(e, out.offset);
  if (e.type === 'file') {
    entry.sha256 = await copyFile(e, out, ctx);
    await out.put(ZEROS.subarray(0, padding(e.size)));
    ctx.progress.add(0, 1);
  }
  ctx.index.addEntryLine(encodeIndexEntry(entry));
}

/** Batches built but not yet handed to the sink, at most. */
const BATCHES_IN_FLIGHT = 4;

/** A batch sent to a builder, waiting to be settled in stream order. */
interface BatchInFlight {
  buffer: Buffer;
  result: Promise<NamedBatchResult>;
  entries: number;
  /** Per segment: the totals its children are added to, and how many children. */
  blocks: { totals: SubtreeTotals | null; count: number }[];
  folders: FolderInBatch[];
}

/**
 * The sealing loop with tar builders: the listings are cut into the count's runs, each run
 * sent to a builder as folder paths and names (at most BATCHES_IN_FLIGHT at a time) and settled
 * in stream order: its slot submitted, its lines (folders' with their totals) handed to the
 * index, its fingerprint records hashed. A run larger than a slot is one entry, written here.
 * The walk must end where the plan does, and see what the count saw (tar size and fingerprint).
 */
async function writeWithBuilders(sources: readonly string[], scan: ScanResult, plan: BatchPlan, out: TarBuffer, sink: PayloadSink, ctx: TarContext): Promise<void> {
  const builders = ctx.builders!;
  const slotSize = sink.shared!.slotSize;
  const walk = new ListingCursor(walkListings(sources));
  const tally = new ScanTally();
  const queue: BatchInFlight[] = [];
  const settleOldest = async () => {
    const q = queue.shift()!;
    const r = await q.result;
    sink.submit(q.buffer, r.length);
    tally.addRecords(r.fingerprint, q.entries, r.files, r.bytes, r.length);
    freeBuffers([r.fingerprint]); // made for this batch alone (r.lines may be kept by a set's index spool)
    q.blocks.forEach((b, s) => {
      if (!b.totals) return;
      b.totals.entries += b.count;
      b.totals.files += r.segmentFiles[s]!;
      b.totals.bytes += r.segmentBytes[s]!;
    });
    // The builder's lines, with each folder's line put in its place (its totals are complete now).
    let at = 0;
    let before = 0;
    for (let k = 0; k < q.folders.length; k++) {
      const [mode, mtimeMs, offset, linesAt, linesBefore] = r.folders.slice(5 * k, 5 * k + 5) as [number, number, number, number, number];
      if (linesBefore > before) ctx.index.addEntryLineBytes(r.lines.subarray(at, linesAt), linesBefore - before);
      at = linesAt;
      before = linesBefore;
      const f = q.folders[k]!;
      ctx.index.addEntryLine(indexLineOf({ archivePath: f.archivePath, linkTarget: undefined, type: 'directory', size: 0, mode, mtimeMs, totals: f.below }, offset, undefined));
      if (f.parent) {
        f.parent.entries += f.below.entries;
        f.parent.files += f.below.files;
        f.parent.bytes += f.below.bytes;
      }
    }
    if (r.lineCount > before) ctx.index.addEntryLineBytes(r.lines.subarray(at), r.lineCount - before);
    ctx.progress.add(r.bytes, r.files);
  };
  let handedOff = false;
  let offset = out.offset;
  for (let i = 0; i < plan.length; i++) {
    throwIfCancelled(ctx.signal);
    const run = plan.run(i);
    if (run.inline) {
      while (queue.length > 0) await settleOldest();
      if (handedOff) await out.resumeAt(offset);
      handedOff = false;
      const [l, at] = walk.take(1)[0]!;
      const e = entryAt(childPath(l.dir, Buffer.from(l.names[at]!, 'latin1')), l.archiveAt, l.below[at]);
      if (e.tarBytes !== run.tarBytes) throw changedSources();
      tally.add(e);
      if (l.totals) addToTotals(l.totals, e);
      await writeEntry(e, out, ctx);
      offset = out.offset;
      continue;
    }
    if (!handedOff) {
      out.handOff();
      handedOff = true;
      offset = out.offset;
    }
    const segments: NamedBatchSegment[] = [];
    const batch: Omit<BatchInFlight, 'buffer' | 'result'> = { entries: run.entries, blocks: [], folders: [] };
    for (const [l, from, to] of walk.take(run.entries)) {
      segments.push(segmentOf(l, from, to, batch.folders));
      batch.blocks.push({ totals: l.totals, count: to - from });
    }
    if (queue.length >= BATCHES_IN_FLIGHT) await settleOldest();
    const buffer = await sink.acquire();
    const result = builders.build(buffer.byteOffset / slotSize, { start: offset, length: run.tarBytes, segments });
    result.catch(() => undefined); // awaited in order by settleOldest; an error surfaces there
    queue.push({ buffer, result, ...batch });
    offset += run.tarBytes;
  }
  while (queue.length > 0) await settleOldest();
  if (handedOff) await out.resumeAt(offset);
  if (!walk.done()) throw changedSources();
  const seen = tally.result();
  if (seen.tarSize !== scan.tarSize || seen.fingerprint !== scan.fingerprint) throw changedSources();
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
