/**
 * Output of a command: human text on stderr/stdout with a progress bar on a terminal, or
 * JSON Lines on stdout with --json ({"event":"progress"|"result"|"warning"|"error", …}).
 */
import type { Progress } from '../shared/engine/api.js';
import { fmtBytes, type Lang } from './messages.js';

/** How a command talks to its user. */
export class Output {
  private barShown = false;

  constructor(readonly lang: Lang, readonly json: boolean, private readonly stdout = process.stdout, private readonly stderr = process.stderr) {}

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
    const label = { scan: this.lang === 'fr' ? 'Comptage' : 'Counting', seal: this.lang === 'fr' ? 'Scellement' : 'Sealing', verify: this.lang === 'fr' ? 'Vérification' : 'Verifying', open: this.lang === 'fr' ? 'Restauration' : 'Restoring' }[p.phase];
    const line = p.phase === 'scan'
      ? `${label} : ${p.filesTotal} · ${fmtBytes(p.bytesTotal, this.lang)}`
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
