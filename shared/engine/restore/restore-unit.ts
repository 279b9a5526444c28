/**
 * A restore unit's files as they cross to a worker (restore-pool.ts → restore-worker.ts): two
 * string arrays and two typed arrays whose memory moves with the message, not an object per
 * file, which postMessage's structured clone writes key by key (at a million files that was
 * ≈ 1 s of the main thread, while the workers waited for their next unit).
 */
import type { IndexEntry } from '../api.js';
import type { RestoreJob } from './restore-file.js';

/** A unit closes once it holds this many files (or restore-pool.ts's byte budget). */
export const UNIT_FILES = 4096;

/** The files of one unit. */
export interface RestoreUnitFiles {
  /** Per file: its destination, as a latin1 string of its bytes. */
  targets: string[];
  /** Per file: its path in the index (for messages). */
  paths: string[];
  /** Per file, four numbers: its tar offset, size, mode and mtime (a whole buffer, moved). */
  numbers: Float64Array;
  /** Per file, its SHA-256: 32 bytes (a whole buffer, moved). */
  sha256: Uint8Array;
}

/** File `i` of `files`, as a restore job. */
export function jobOf(files: RestoreUnitFiles, i: number): RestoreJob {
  const n = files.numbers;
  const at = 4 * i;
  const sha256 = Buffer.from(files.sha256.buffer, files.sha256.byteOffset + 32 * i, 32).toString('hex');
  const entry: IndexEntry = { path: files.paths[i]!, type: 'file', size: n[at + 1]!, mode: n[at + 2]!, mtime: n[at + 3]!, offset: n[at]!, sha256 };
  return { entry, target: Buffer.from(files.targets[i]!, 'latin1') };
}

/** The memory that moves with a unit's message (transferred, not copied); the worker frees it after the unit. */
export function unitBuffers(files: RestoreUnitFiles): ArrayBuffer[] {
  return [files.numbers.buffer as ArrayBuffer, files.sha256.buffer as ArrayBuffer];
}

/** Collects a unit's files (at most UNIT_FILES) into {@link RestoreUnitFiles}, in arrays made for that unit alone. */
export class UnitFilesBuilder {
  private targets: string[] = [];
  private paths: string[] = [];
  private numbers = new Float64Array(4 * UNIT_FILES);
  private sha256 = Buffer.allocUnsafeSlow(32 * UNIT_FILES);

  add(job: RestoreJob): void {
    const e = job.entry;
    const i = this.targets.length;
    this.targets.push(job.target.toString('latin1'));
    this.paths.push(e.path);
    this.numbers.set([e.offset, e.size, e.mode, e.mtime], 4 * i);
    this.sha256.write(e.sha256!, 32 * i, 32, 'hex');
  }

  /** The files added so far (their arrays then belong to the caller); the builder starts empty again. */
  take(): RestoreUnitFiles {
    const files = { targets: this.targets, paths: this.paths, numbers: this.numbers, sha256: new Uint8Array(this.sha256.buffer) };
    this.targets = [];
    this.paths = [];
    this.numbers = new Float64Array(4 * UNIT_FILES);
    this.sha256 = Buffer.allocUnsafeSlow(32 * UNIT_FILES);
    return files;
  }
}
