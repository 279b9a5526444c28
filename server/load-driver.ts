/**
 * TEST/BENCH-ONLY load generator: many concurrent clients pushing pre-signed chains to the
 * custody service over HTTP, with injected duplicates (events re-sent in later batches and by
 * other clients) and retries (a batch sent again as if its response had been lost).
 */

/** Options of {@link runLoad}. */
export interface LoadOptions {
  baseUrl: string;
  token: string;
  /** the chains to push; each chain's events are pushed in order by one client */
  chains: readonly (readonly unknown[])[];
  clients: number;
  batchSize: number;
  /** probability that a batch is sent twice in a row (lost-response retry) */
  retryRate: number;
  /** probability that a batch also carries up to 5 events this or another client already sent */
  duplicateRate: number;
  /** deterministic pseudo-random seed */
  seed?: number;
}

/** Counters of a load run. */
export interface LoadStats {
  requests: number;
  sent: number;
  stored: number;
  duplicate: number;
  rejected: number;
  rejectedCodes: Record<string, number>;
  seconds: number;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the load and resolves when every client is done. Network failures of a request are
 * retried (up to 5 times, with a short backoff), like the sync client does.
 * @throws Error when a request keeps failing or answers a non-200 status.
 */
export async function runLoad(o: LoadOptions): Promise<LoadStats> {
  const rand = prng(o.seed ?? 1);
  const stats: LoadStats = { requests: 0, sent: 0, stored: 0, duplicate: 0, rejected: 0, rejectedCodes: {}, seconds: 0 };
  const alreadySent: unknown[] = [];
  const started = performance.now();
  const post = async (events: unknown[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${o.baseUrl}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        const body = (await res.json()) as { results?: Array<{ status: string; code?: string }> };
        if (res.status !== 200 || !body.results) throw new Error(`status ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
        stats.requests++;
        stats.sent += events.length;
        for (const r of body.results) {
          if (r.status === 'stored') stats.stored++;
          else if (r.status === 'duplicate') stats.duplicate++;
          else {
            stats.rejected++;
            stats.rejectedCodes[r.code ?? '?'] = (stats.rejectedCodes[r.code ?? '?'] ?? 0) + 1;
          }
        }
        return;
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  };
  const perClient: unknown[][][] = Array.from({ length: o.clients }, () => []);
  o.chains.forEach((c, i) => perClient[i % o.clients]?.push([...c]));
  await Promise.all(
    perClient.map(async (chains) => {
      // Interleave this client's chains: round-robin over drives, each in seq order.
      const queue: unknown[] = [];
      const maxLen = Math.max(0, ...chains.map((c) => c.length));
      for (let i = 0; i < maxLen; i++) for (const c of chains) if (i < c.length) queue.push(c[i]);
      for (let i = 0; i < queue.length; i += o.batchSize) {
        const batch = queue.slice(i, i + o.batchSize);
        if (rand() < o.duplicateRate && alreadySent.length > 0) {
          const extra = 1 + Math.floor(rand() * 5);
          for (let k = 0; k < extra && batch.length < 100; k++) batch.push(alreadySent[Math.floor(rand() * alreadySent.length)]);
        }
        await post(batch);
        if (rand() < o.retryRate) await post(batch);
        for (const e of batch.slice(0, 3)) alreadySent.push(e);
      }
    }),
  );
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
