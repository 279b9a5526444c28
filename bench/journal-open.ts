// A station's custody journal at scale (phase 4 of bench/custody-load.ts). Every command that
// records custody (seal, verify, ship, custody sync…) opens the station's journal with
// `CustodyStore.open`, which today reads, checks and keeps every event it holds; a station
// appends about three events per drive. This writes journals of growing size and times that open
// in a process of its own: `node dist/bench/journal-open.js DIR` prints
// {"seconds": …, "events": …, "rssMiB": …} (the open alone, and what it added to the process).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CustodyStore } from '../shared/custody/journal.js';
import { RecordLog } from '../shared/custody/record-log.js';
import type { SignedEvent } from '../shared/custody/event.js';

/** Writes `events` as the journal in `dir` (created), in the journal's own record format, a thousand records per write. */
export async function writeJournal(dir: string, events: readonly SignedEvent[]): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { log } = await RecordLog.open(join(dir, 'events.jsonl'), 'custody-events');
  try {
    for (let i = 0; i < events.length; i += 1000) await log.append(events.slice(i, i + 1000));
  } finally {
    await log.close();
  }
}

/** Opens the journal in `dir` and closes it; the seconds the open took, the events it holds and the MiB it added to this process. */
export async function timeJournalOpen(dir: string): Promise<{ seconds: number; events: number; rssMiB: number }> {
  const rss = process.memoryUsage().rss;
  const t = performance.now();
  const store = await CustodyStore.open(dir);
  const seconds = (performance.now() - t) / 1000;
  const rssMiB = (process.memoryUsage().rss - rss) / 2 ** 20;
  const events = store.events().length;
  await store.close();
  return { seconds, events, rssMiB };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: journal-open.js DIR');
    process.exit(2);
  }
  console.log(JSON.stringify(await timeJournalOpen(dir)));
}
