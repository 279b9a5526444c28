/**
 * Bench phase "flood" (bench/custody-load.ts): one address floods the custody service with bad
 * tokens while legitimate stations keep syncing, on a fresh service with the default rate
 * limits. Loopback only, and bounded (duration and request count). The flooder connects from
 * 127.0.0.2 and each station from its own 127.0.0.1x address, as distinct machines would.
 * The flood runs on a worker thread, so that its client work does not share the service's
 * event loop. Reports the stations' request latency (p50/p99) before and during the flood,
 * their errors, and how the flood was answered (401 until the address's failure limit, then 429).
 */

/** The flooder (plain JS on a worker): `concurrency` loops of GET with random bad tokens. */
const FLOODER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { randomBytes } = require('node:crypto');
const { url, concurrency, maxRequests, seconds } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, localAddress: '127.0.0.2' });
const counts = {};
let sent = 0;
const end = Date.now() + seconds * 1000;
const one = () => new Promise((resolve) => {
  const req = request(url, { agent, headers: { authorization: 'Bearer sct_' + randomBytes(32).toString('base64url') } }, (res) => {
    res.resume();
    res.on('end', () => { counts[res.statusCode] = (counts[res.statusCode] || 0) + 1; resolve(); });
  });
  req.on('error', (e) => { counts[e.code || 'network'] = (counts[e.code || 'network'] || 0) + 1; resolve(); });
  req.end();
});
const loop = async () => { while (Date.now() < end && sent < maxRequests) { sent++; await one(); } };
Promise.all(Array.from({ length: concurrency }, loop)).then(() => { agent.destroy(); parentPort.postMessage({ sent, counts }); });
`;

/** Runs the flooder on a worker thread; resolves with what it sent and how it was answered. */
function floodFrom(url: string, concurrency: number, maxRequests: number, seconds: number): Promise<{ sent: number; counts: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(FLOODER, { eval: true, workerData: { url, concurrency, maxRequests, seconds } });
    w.once('message', (m: { sent: number; counts: Record<string, number> }) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}
import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { SignedEvent } from '../shared/custody/event.js';
import type { TestAuthor } from '../shared/custody/testing.js';
import { call, loadChains, startTestService, testCertificate, type TestEngine } from '../server/testing.js';

/** Options of {@link runFloodBench}. */
export interface FloodOptions {
  engine: TestEngine;
  station: TestAuthor;
  customerPublicKey: string;
  /** seconds of syncing without flood, then the same with it */
  seconds: number;
  stations: number;
  /** concurrent flood connections and the most flood requests sent */
  floodConcurrency: number;
  maxFloodRequests: number;
}

interface Reply {
  status: number;
  body: string;
}

function send(agent: Agent, url: string, method: 'GET' | 'POST', token: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One legitimate station: a batch of events then the checkpoint, every 250 ms, until `until`. */
async function stationLoop(
  base: string,
  agent: Agent,
  token: string,
  chains: SignedEvent[][],
  until: () => boolean,
  latencies: number[],
  errors: Map<string, number>,
): Promise<void> {
  const queue = chains.flat();
  let i = 0;
  while (!until()) {
    const started = performance.now();
    const batch = queue.slice(i, i + 10);
    i += batch.length;
    try {
      for (const [method, path, body] of [
        ['POST', '/v1/events', { events: batch }],
        ['GET', '/v1/checkpoint', undefined],
      ] as const) {
        const t = performance.now();
        const r = await send(agent, base + path, method, token, body);
        latencies.push(performance.now() - t);
        if (r.status !== 200) errors.set(`HTTP ${r.status}`, (errors.get(`HTTP ${r.status}`) ?? 0) + 1);
      }
    } catch (e) {
      const k = (e as NodeJS.ErrnoException).code ?? 'network';
      errors.set(k, (errors.get(k) ?? 0) + 1);
    }
    await sleep(Math.max(0, 250 - (performance.now() - started)));
  }
}

/**
 * Runs the flood phase and prints its measurements.
 * @throws Error when the service would not listen on loopback.
 */
export async function runFloodBench(o: FloodOptions): Promise<void> {
  const svc = await startTestService(o.engine, { customerDrive: 'none', stationId: o.station.author.id });
  try {
    const base = svc.baseUrl;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error(`flood bench runs on loopback only, not ${base}`);
    await call(base, svc.tokens.admin, 'POST', '/v1/stations', { publicKey: o.station.author.publicKey, certificate: testCertificate(o.station) });
    const tokens: string[] = [];
    for (let s = 0; s < o.stations; s++) {
      tokens.push(String((await call(base, svc.tokens.admin, 'POST', '/v1/tokens', { role: 'station', subject: o.station.author.id, label: `bench ${s}` })).body.token));
    }
    const agents = tokens.map((_, s) => new Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.0.${10 + s}` }));
    const phase = async (label: string, flood: boolean, seconds = o.seconds): Promise<void> => {
      const latencies: number[] = [];
      const errors = new Map<string, number>();
      // Signed before the clock starts: signing thousands of events would stall the service's loop.
      const chains = tokens.map((_, st) => loadChains(o.station, o.customerPublicKey, `FLOOD${label.replace(/\W/g, '')}${st}`, Math.ceil(seconds * 8), 5));
      const end = performance.now() + seconds * 1000;
      const until = (): boolean => performance.now() >= end;
      const started = performance.now();
      const [, floodResult] = await Promise.all([
        Promise.all(tokens.map((t, st) => stationLoop(base, agents[st] as Agent, t, chains[st] ?? [], until, latencies, errors))),
        flood ? floodFrom(`${base}/v1/checkpoint`, o.floodConcurrency, o.maxFloodRequests, seconds) : Promise.resolve(null),
      ]);
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const errs = [...errors].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
      console.log(`${label.padEnd(14)} stations: ${latencies.length} requests, p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms, errors: ${errs}`);
      if (floodResult) {
        const answered = Object.entries(floodResult.counts)
          .map(([k, v]) => `${k}×${v}`)
          .join(', ');
        console.log(
          `${''.padEnd(14)} flood: ${floodResult.sent} bad-token requests in ${elapsed.toFixed(1)} s (${(floodResult.sent / elapsed).toFixed(0)}/s) from 127.0.0.2, answered ${answered}; 429 count ${floodResult.counts['429'] ?? 0}`,
        );
      }
    };
    console.log(
      `flood phase: ${o.stations} stations syncing every 250 ms for ${o.seconds} s, then again while 127.0.0.2 floods bad tokens (${o.floodConcurrency} connections, at most ${o.maxFloodRequests} requests)`,
    );
    await phase('warm-up', false, Math.min(3, o.seconds));
    await phase('no flood', false);
    await phase('during flood', true);
    for (const a of agents) a.destroy();
  } finally {
    await svc.stop();
  }
}
