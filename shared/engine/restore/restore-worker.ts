/**
 * Worker thread entry of restore-pool.ts's RestoreCrew: restores the units of files it is given,
 * one after the other, each file decrypted, hashed and written by this thread (see
 * restore-file.ts). Reports progress at most every 50 ms, then `unit-done`; on the first
 * error it reports it and restores nothing more. The shared cancel flag is checked between
 * files and between chunks of a large file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScelleError } from '../../errors/scelle-error.js';
import { PayloadReader, type PayloadDescription } from '../payload/payload-reader.js';
import { toWorkerError } from '../workers/worker-error.js';
import { freeBuffers } from '../../format/free-buffers.js';
import { restoreLargeFile, restoreSmallFile, SMALL_FILE, type RestoreContext } from './restore-file.js';
import type { RestoreWorkerMessage, RestoreWorkerRequest } from './restore-pool.js';
import { jobOf, unitBuffers, type RestoreUnitFiles } from './restore-unit.js';

interface Init {
  description: PayloadDescription;
  overwrite: boolean;
  keepModes: boolean;
  umask: number;
  fsyncEachFile: boolean;
  cancel: SharedArrayBuffer;
}

const port = parentPort!;
const init = workerData as Init;
const cancelFlag = new Int32Array(init.cancel);
// Small files are copied out of the reader and large ones written chunk by chunk: no slice is kept.
const reader = new PayloadReader(init.description, { transientSlices: true });
const post = (m: RestoreWorkerMessage) => port.postMessage(m);

let pendingBytes = 0;
let pendingFiles = 0;
let lastReport = performance.now();
function report(force: boolean): void {
  const now = performance.now();
  if (!force && now - lastReport < 50) return;
  if (pendingBytes > 0 || pendingFiles > 0) post({ type: 'progress', bytes: pendingBytes, files: pendingFiles });
  pendingBytes = 0;
  pendingFiles = 0;
  lastReport = now;
}

const ctx: RestoreContext = {
  overwrite: init.overwrite,
  keepModes: init.keepModes,
  umask: init.umask,
  fsyncEachFile: init.fsyncEachFile,
  checkCancelled: () => {
    if (Atomics.load(cancelFlag, 0) !== 0) throw new ScelleError('E_CANCELLED', 'the operation was cancelled');
  },
  onBytes: (n) => {
    pendingBytes += n;
    report(false);
  },
};

const queue: { id: number; files: RestoreUnitFiles }[] = [];
let running = false;
let failed = false;

async function restoreUnit(files: RestoreUnitFiles): Promise<void> {
  for (let i = 0; i < files.targets.length; i++) {
    ctx.checkCancelled();
    const job = jobOf(files, i);
    if (job.entry.size <= SMALL_FILE) {
      restoreSmallFile(reader, job, ctx);
      pendingBytes += job.entry.size;
    } else {
      await restoreLargeFile(reader, job, ctx);
    }
    pendingFiles++;
    report(false);
  }
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  while (!failed && queue.length > 0) {
    const unit = queue.shift()!;
    try {
      await restoreUnit(unit.files);
      freeBuffers(unitBuffers(unit.files)); // moved here for this unit alone: freed now, not at a collection
      report(true);
      post({ type: 'unit-done', id: unit.id });
    } catch (e) {
      failed = true;
      report(true);
      post({ type: 'error', id: unit.id, error: toWorkerError(e) });
    }
  }
  running = false;
}

port.on('message', (m: RestoreWorkerRequest) => {
  if (m.type === 'stop') {
    reader.close();
    init.description.dataKey.fill(0);
    port.close();
    return;
  }
  queue.push({ id: m.id, files: m.files });
  void drain();
});
