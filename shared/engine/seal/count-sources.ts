/** The first pass of a seal: the sources counted, with the `scan` phase's progress reported. */
import type { Progress } from '../api.js';
import { ProgressTracker } from '../progress.js';
import { scanSources, type ScanResult } from './scan.js';

/** Counts `sources` (scan.ts), reporting progress as `scan`. Throws as scanSources and E_CANCELLED. */
export async function countSources(sources: readonly string[], signal: AbortSignal | undefined, onProgress: ((p: Progress) => void) | undefined): Promise<ScanResult> {
  const progress = new ProgressTracker('scan', 0, 0, onProgress);
  const scan = await scanSources(sources, {
    signal,
    onCount: (files, bytes) => {
      progress.setTotals(bytes, files);
      progress.add(0);
    },
  });
  progress.setTotals(scan.bytes, scan.files);
  progress.flush();
  return scan;
}
