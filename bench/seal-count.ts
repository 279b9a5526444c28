// The seal's first pass alone: `node dist/bench/seal-count.js SOURCE…` runs the engine's count
// (count-sources.ts: every folder listed, every entry lstat'ed, on the tar builder workers as a
// seal does) and prints {"seconds": …, "entries": …, "tarSize": …} for the count alone (not
// Node's start). The bench runs it with the Node flags of bin/scelle.js, to show what the count
// a seal makes before it writes (totals for the progress and its ETA, the exact space check,
// the builders' batches) costs on each workload.
import { pathToFileURL } from 'node:url';
import { countSources } from '../shared/engine/seal/count-sources.js';
import { SINK_BUFFER_SIZE } from '../shared/engine/payload/payload-sink.js';

/** Counts `sources` as a seal does and closes the workers it started; returns seconds and what it found. */
export async function timeSealCount(sources: readonly string[]): Promise<{ seconds: number; entries: number; tarSize: number }> {
  const t = performance.now();
  const { scan, builders } = await countSources(sources, undefined, undefined, SINK_BUFFER_SIZE);
  await builders?.close();
  return { seconds: (performance.now() - t) / 1000, entries: scan.entries, tarSize: scan.tarSize };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sources = process.argv.slice(2);
  if (sources.length === 0) {
    console.error('usage: seal-count.js SOURCE…');
    process.exit(2);
  }
  console.log(JSON.stringify(await timeSealCount(sources)));
}
