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

  constructor(
    readonly lang: Lang,
    readonly json: boolean,
    private readonly stdout = process.stdout,
    private readonly stderr = process.stderr,
  ) {}

  /** A line for people (stdout), or nothing in JSON mode. */
  info(text: string): void {
    this.clearBar();
    if (!this.json) this.stdout.write(text + '\n');
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
   * One record of a long listing: `text` for people, `obj` as a JSON event with --json.
   * Written in chunks, waiting whenever stdout is full, so that a million lines never pile
   * up in memory. Call {@link endStream} after the last one.
   */
  async stream(text: string, obj: Record<string, unknown>): Promise<void> {
    const line = this.json ? JSON.stringify(obj) : text;
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= 64 * 1024) await this.endStream();
  }

  /** Writes what {@link stream} holds and waits until stdout can take more. */
  async endStream(): Promise<void> {
    if (this.pending.length === 0) return;
    this.clearBar();
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stdout.write(chunk)) await new Promise<void>((resolve) => this.stdout.once('drain', () => resolve()));
  }

  /** A JSON Lines event (JSON mode only). */
  emit(obj: Record<string, unknown>): void {
    if (this.json) this.stdout.write(JSON.stringify(obj) + '\n');
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
