/**
 * Progress accounting for long jobs: throughput smoothed over a sliding window, ETA, and
 * rate-limited emission (at most every `intervalMs`, plus a final report per phase).
 */
import type { Progress } from './api.js';

const WINDOW_MS = 3000;

/** A monotonic clock in milliseconds (process.hrtime: the global `performance` loads perf_hooks on first use, ≈ 10 ms). */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Tracks one phase of a job and calls `emit` with {@link Progress} reports. */
export class ProgressTracker {
  private bytesDone = 0;
  private filesDone = 0;
  private lastEmit = 0;
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly phase: Progress['phase'],
    private bytesTotal: number,
    private filesTotal: number,
    private readonly emit: ((p: Progress) => void) | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = monotonicMs,
  ) {
    this.samples.push({ t: this.now(), bytes: 0 });
  }

  /** Adds work done; emits when the interval has passed. */
  add(bytes: number, files = 0): void {
    this.bytesDone += bytes;
    this.filesDone += files;
    if (!this.emit) return;
    const t = this.now();
    if (t - this.lastEmit >= this.intervalMs) this.report(t);
  }

  /** Updates totals (while counting sources, totals grow). */
  setTotals(bytesTotal: number, filesTotal: number): void {
    this.bytesTotal = bytesTotal;
    this.filesTotal = filesTotal;
  }

  /** Emits a report now, e.g. at the end of the phase. */
  flush(): void {
    if (this.emit) this.report(this.now());
  }

  /** The current report, without emitting it. */
  snapshot(t = this.now()): Progress {
    const samples = this.samples;
    samples.push({ t, bytes: this.bytesDone });
    while (samples.length > 2 && t - samples[0]!.t > WINDOW_MS) samples.shift();
    const first = samples[0]!;
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0 ? (this.bytesDone - first.bytes) / dt : 0;
    const left = Math.max(0, this.bytesTotal - this.bytesDone);
    return {
      phase: this.phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesPerSecond,
      etaSeconds: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null,
    };
  }

  private report(t: number): void {
    this.lastEmit = t;
    this.emit?.(this.snapshot(t));
  }
}
