/**
 * Output of a command: human text on stderr/stdout with a progress bar on a terminal, or
 * JSON Lines on stdout with --json ({"event":"progress"|"result"|"warning"|"error", …}).
 */
import type { Progress } from '../shared/engine/api.js';
import { fmtBytes, type Lang } from './messages.js';
import { counted } from './plurals.js';

/** How a command talks to its user. */
export class Output {
  private barShown = false;
  private gone = false;
  /** Ends the wait for stdout to drain (at most one at a time). */
  private endWait: (() => void) | null = null;

  constructor(
    readonly lang: Lang,
    readonly json: boolean,
    private readonly stdout = process.stdout,
    private readonly stderr = process.stderr,
  ) {}

  /** A line for people (stdout), or nothing in JSON mode. */
  info(text: string): void {
    this.clearBar();
    if (!this.json && !this.gone) this.stdout.write(text + '\n');
  }

  /** A warning: stderr for people, a JSON event otherwise. */
  warn(text: string, code?: string): void {
    this.clearBar();
    if (this.json) this.emit({ event: 'warning', code, message: text });
    else this.stderr.write(text + '\n');
  }

  private pending: string[] = [];
  private pendingBytes = 0;

  /**
   * One record of a long listing: `text()` for people, `json()` (one JSON object) with --json
   * (only the one needed is built). Lines are written in chunks; when stdout is full the
   * returned promise must be awaited before the next record, so that a million lines never
   * pile up in memory (no promise: go on at once). Call {@link endStream} after the last one.
   */
  stream(text: () => string, json: () => string): Promise<void> | undefined {
    const line = this.json ? json() : text();
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    return this.pendingBytes >= 64 * 1024 ? this.endStream() : undefined;
  }

  /** Writes what {@link stream} holds and waits until stdout can take more. */
  async endStream(): Promise<void> {
    if (this.pending.length === 0) return;
    this.clearBar();
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingBytes = 0;
    if (this.gone || this.stdout.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stdout.off('drain', done);
        this.endWait = null;
        resolve();
      };
      this.endWait = done;
      this.stdout.once('drain', done);
    });
  }

  /** True once the reader of stdout went away (see {@link stdoutGone}). */
  get closed(): boolean {
    return this.gone;
  }

  /**
   * The reader of stdout went away (EPIPE: `scelle list | head`): nothing more is written, and
   * a record waiting for stdout to drain goes on at once.
   */
  stdoutGone(): void {
    this.gone = true;
    this.endWait?.();
  }

  /** A JSON Lines event (JSON mode only). */
  emit(obj: Record<string, unknown>): void {
    if (this.json && !this.gone) this.stdout.write(JSON.stringify(obj) + '\n');
  }

  /** Progress: a bar on a terminal, JSON events with --json, nothing otherwise. */
  progress(p: Progress): void {
    if (this.json) return this.emit({ event: 'progress', ...p });
    if (!this.stderr.isTTY) return;
    const pct = p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0;
    const width = 28;
    const fill = Math.round((pct / 100) * width);
    const eta = p.etaSeconds === null ? '—' : `${Math.ceil(p.etaSeconds)} s`;
    const label = {
      scan: this.lang === 'fr' ? 'Comptage' : 'Counting',
      seal: this.lang === 'fr' ? 'Scellement' : 'Sealing',
      verify: this.lang === 'fr' ? 'Vérification' : 'Verifying',
      open: this.lang === 'fr' ? 'Restauration' : 'Restoring',
    }[p.phase];
    const line =
      p.phase === 'scan'
        ? `${label} : ${counted(this.lang, 'files', p.filesTotal)} · ${fmtBytes(p.bytesTotal, this.lang)}`
        : `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(0).padStart(3)} % · ${fmtBytes(p.bytesPerSecond, this.lang)}/s · ${this.lang === 'fr' ? 'reste' : 'left'} ${eta}`;
    this.stderr.write(`\r${line}\x1b[K`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (this.barShown) {
      this.stderr.write('\r\x1b[K');
      this.barShown = false;
    }
  }
}
