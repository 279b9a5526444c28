/**
 * Custody service benchmark (not part of the test suite):
 *
 *   npm run build && node dist/bench/custody-load.js [--events 100000] [--stored 1000000] [--engine sqlite|postgres]
 *     [--flood-seconds 15] [--flood-only] [--journal-sizes 1000,10000,40000] [--journal-only]
 *
 * 1. Ingest: 50 concurrent HTTP clients push `--events` signed events over loopback with
 *    duplicates and retries injected; reports throughput and checks every event is stored
 *    exactly once and the integrity check passes.
 * 2. Lookups at scale: fills the database up to `--stored` events (in-process ingest, same code
 *    path minus HTTP), then measures p50/p99 latency of GET /v1/drives (by tracking number and
 *    by drive id), GET /v1/proof/inclusion and GET /v1/proof/consistency over HTTP.
 * 3. Flood (bench/custody-flood.ts): legitimate stations keep syncing while one address floods
 *    bad tokens (loopback only, bounded); their p99 latency and the 429 count. `--flood-only`
 *    runs this phase alone; `--flood-seconds 0` skips it.
 * 4. A station's own journal (bench/journal-open.ts): `CustodyStore.open`, which every command
 *    that records custody runs, timed with its memory on journals of `--journal-sizes` events
 *    (default 1000,10000,40000: a busy station appends about three a drive). `--journal-only`
 *    runs this phase alone.
 * PostgreSQL is used with `--engine postgres` and SCELLE_TEST_DATABASE_URL set.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { testAuthor, testCustomer, testSecretKey, type TestAuthor } from '../shared/custody/testing.js';
import { writeJournal } from './journal-open.js';
import { scelleBinFlags } from './node-flags.js';
import { eventHash } from '../shared/custody/event.js';
import { ingestBatch } from '../server/custody/ingest.js';
import { runLoad } from '../server/load-driver.js';
import { call, loadChains, startTestService, testCertificate, testEngines } from '../server/testing.js';
import { runFloodBench } from './custody-flood.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    stored: { type: 'string' },
    engine: { type: 'string' },
    'flood-seconds': { type: 'string' },
    'flood-only': { type: 'boolean' },
    'journal-sizes': { type: 'string' },
    'journal-only': { type: 'boolean' },
  },
});
const FLOOD_SECONDS = Number(values['flood-seconds'] ?? 15);
const EVENTS = Number(values.events ?? 100_000);
const STORED = Number(values.stored ?? 1_000_000);
const ENGINE = values.engine ?? 'sqlite';
const PER_DRIVE = 5;
const JOURNAL_SIZES = (values['journal-sizes'] ?? '1000,10000,40000').split(',').map(Number);
if (JOURNAL_SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--journal-sizes takes whole numbers of events, e.g. 1000,10000');

/** Phase 4: a station's journal of each size in JOURNAL_SIZES, opened in a process of its own (journal-open.ts). */
async function journalPhase(station: TestAuthor, customerKey: string): Promise<void> {
  console.log('phase 4: a station journal, opened whole by every command that records custody (CustodyStore.open, in a process of its own)');
  const root = mkdtempSync(join(tmpdir(), 'scelle-journal-bench-'));
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, 'journal-open.js');
  // With the command's own V8 flags: they shape how much memory the journal takes.
  const flags = scelleBinFlags(join(here, '..', '..', 'bin', 'scelle.js'));
  try {
    for (const n of JOURNAL_SIZES) {
      const dir = join(root, String(n));
      // Provider chains of three events a drive (sealed, verified, shipped), as a station writes them.
      await writeJournal(
        dir,
        loadChains(station, customerKey, 'JRNL', Math.ceil(n / 3), 3)
          .flat()
          .slice(0, n),
      );
      const out = execFileSync(process.execPath, [...flags, script, dir], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { seconds: number; events: number; rssMiB: number };
      console.log(`journal of ${r.events} events: opened in ${r.seconds.toFixed(3)} s, the process ${r.rssMiB.toFixed(1)} MiB larger`);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timeRequests(label: string, n: number, make: (i: number) => Promise<{ status: number }>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await make(i);
    ms.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${label}: status ${r.status}`);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} p50 ${percentile(ms, 50).toFixed(2)} ms   p99 ${percentile(ms, 99).toFixed(2)} ms   (${n} requests)`);
}

async function main(): Promise<void> {
  const engine = testEngines().find((e) => e.name === ENGINE);
  if (!engine || engine.skipReason) throw new Error(`engine ${ENGINE} unavailable: ${engine?.skipReason ?? 'unknown engine'}`);
  const station = testAuthor('station', 'station-bench');
  const customerKey = testCustomer(testSecretKey('bench data key'), 'BENCH').author.publicKey;
  const flood = (): Promise<void> =>
    runFloodBench({ engine, station, customerPublicKey: customerKey, seconds: FLOOD_SECONDS, stations: 5, floodConcurrency: 32, maxFloodRequests: 200_000 });
  if (values['flood-only']) {
    await flood();
    return;
  }
  if (values['journal-only']) {
    await journalPhase(station, customerKey);
    return;
  }
  // Phase 1 is 50 clients pushing as fast as they can with one token: no rate limit applies.
  const unlimited = { perAddress: 1e9, perToken: 1e9, authFailuresPerAddress: 1e9 };
  const svc = await startTestService(engine, { customerDrive: 'none', stationId: 'station-bench', rateLimits: unlimited });
  try {
    await call(svc.baseUrl, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: station.author.publicKey, certificate: testCertificate(station) });

    console.log(`engine ${ENGINE}: phase 1, ${EVENTS} events by 50 clients over loopback`);
    const chains = loadChains(station, customerKey, 'HTTP', Math.ceil(EVENTS / PER_DRIVE), PER_DRIVE);
    const stats = await runLoad({ baseUrl: svc.baseUrl, token: svc.tokens.station, chains, clients: 50, batchSize: 40, retryRate: 0.1, duplicateRate: 0.3, seed: 11 });
    const count = Number((await svc.db.query('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM events'))[0]?.['d']);
    console.log(`ingest: ${stats.stored} stored, ${stats.duplicate} duplicates answered, ${stats.rejected} rejected, ${stats.requests} requests`);
    console.log(`ingest throughput: ${(stats.stored / stats.seconds).toFixed(0)} events/s (${stats.seconds.toFixed(1)} s); distinct stored ${count} of ${chains.flat().length}`);
    const t0 = performance.now();
    const integrity = await call(svc.baseUrl, svc.tokens.admin, 'GET', '/v1/admin/integrity');
    console.log(`integrity check: ok=${integrity.body.ok} over ${integrity.body.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    console.log(`phase 2: filling up to ${STORED} stored events (in-process ingest)`);
    const caller = { tokenId: 'bench', role: 'station' as const, subject: 'station-bench', expiresAt: '9999-01-01T00:00:00.000Z' };
    let stored = count;
    const fillStart = performance.now();
    for (let chunk = 0; stored < STORED; chunk++) {
      const drives = Math.min(2000, Math.ceil((STORED - stored) / PER_DRIVE));
      const events = loadChains(station, customerKey, `FILL${chunk}`, drives, PER_DRIVE);
      // round-robin so that each batch holds many drives, as in real traffic
      const flat = [];
      for (let s = 0; s < PER_DRIVE; s++) for (const c of events) if (c[s]) flat.push(c[s]);
      for (let i = 0; i < flat.length; i += 100) {
        const r = await ingestBatch(svc.server.ctx, caller, flat.slice(i, i + 100));
        stored += r.results.filter((x) => x.status === 'stored').length;
      }
      if (chunk % 10 === 0) console.log(`  ${stored} stored (${((stored - count) / ((performance.now() - fillStart) / 1000)).toFixed(0)} events/s)`);
    }
    console.log(`filled to ${stored} events in ${((performance.now() - fillStart) / 1000).toFixed(0)} s`);

    const drivesTotal = Math.ceil(EVENTS / PER_DRIVE);
    const rnd = (n: number): number => Math.floor(Math.random() * n);
    const sample = chains.filter((_, i) => i % 97 === 0);
    await timeRequests('GET /v1/drives?tracking=', 500, () =>
      call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?tracking=LTHTTP${String(rnd(drivesTotal)).padStart(9, '0')}`),
    );
    await timeRequests('GET /v1/drives?drive=', 500, () => call(svc.baseUrl, svc.tokens.support, 'GET', `/v1/drives?drive=HTTP-${rnd(drivesTotal)}`));
    const size = (await call(svc.baseUrl, svc.tokens.station, 'GET', '/v1/checkpoint')).body.treeSize as number;
    await timeRequests('GET /v1/proof/inclusion', 500, (i) => {
      const c = sample[i % sample.length] ?? [];
      const e = c[i % PER_DRIVE];
      return call(svc.baseUrl, svc.tokens.station, 'GET', `/v1/proof/inclusion?hash=${e ? eventHash(e) : ''}&treeSize=${size}`);
    });
    await timeRequests('GET /v1/proof/consistency', 500, () => call(svc.baseUrl, svc.tokens.station, 'GET', `/v1/proof/consistency?from=${1 + rnd(size - 1)}&to=${size}`));
    console.log(`tree size ${size}`);
  } finally {
    await svc.stop();
  }
  if (FLOOD_SECONDS > 0) await flood();
  await journalPhase(station, customerKey);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
