/**
 * How the tar stream of a seal is cut into batches for the tar builder workers, decided by the
 * count (which sees every entry's tar size) so that the sealing walk knows, without looking at
 * a single file, where each batch starts in the stream: runs of consecutive entries that fill at
 * most one payload sink slot (and at most {@link BATCH_MAX_ENTRIES} entries), and entries too
 * large for a slot on their own, which the sealing loop writes itself.
 *
 * Memory: two numbers per run, i.e. per slot of tar stream or per large entry, never per small
 * entry (a million files of 200 bytes make ~500 runs).
 */

/** Entries in one batch, at most (bounds the messages and the builder's garbage). */
export const BATCH_MAX_ENTRIES = 2048;

/** One run of the plan: `entries` consecutive entries making `tarBytes` of the stream. */
export interface BatchRun {
  entries: number;
  tarBytes: number;
  /** True for a single entry larger than a slot (written by the sealing loop, not a builder). */
  inline: boolean;
}

/** Records the runs as the count sees the entries' tar sizes, in stream order. */
export class BatchPlanner {
  /** Pairs (entries, tarBytes), one per closed run. */
  private readonly runs: number[] = [];
  private entries = 0;
  private tarBytes = 0;
  private largeBytes = 0;

  /** @param slotSize the payload sink's slot size: a batch is at most one slot. */
  constructor(readonly slotSize: number) {}

  /** Adds the next entry of the stream. */
  add(tarBytes: number): void {
    if (tarBytes > this.slotSize) {
      this.close();
      this.runs.push(1, tarBytes);
      this.largeBytes += tarBytes;
      return;
    }
    if (this.entries >= BATCH_MAX_ENTRIES || this.tarBytes + tarBytes > this.slotSize) this.close();
    this.entries++;
    this.tarBytes += tarBytes;
  }

  /** The plan (call once, after the last entry). */
  finish(): BatchPlan {
    this.close();
    return new BatchPlan(this.slotSize, this.runs, this.largeBytes);
  }

  private close(): void {
    if (this.entries === 0) return;
    this.runs.push(this.entries, this.tarBytes);
    this.entries = 0;
    this.tarBytes = 0;
  }
}

/** The runs of a seal's tar stream, in order (made by {@link BatchPlanner}). */
export class BatchPlan {
  constructor(
    readonly slotSize: number,
    private readonly runs: readonly number[],
    /** The tar bytes of the entries larger than a slot (which the sealing loop writes itself). */
    readonly largeBytes: number,
  ) {}

  /** Number of runs. */
  get length(): number {
    return this.runs.length / 2;
  }

  /** Run `i` (0 ≤ i < length). */
  run(i: number): BatchRun {
    const tarBytes = this.runs[2 * i + 1]!;
    return { entries: this.runs[2 * i]!, tarBytes, inline: tarBytes > this.slotSize };
  }
}
