/**
 * The retention job: deletes personal records past their deletion date and writes one audit
 * row saying how many. Custody events are never touched.
 */
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { deleteExpiredPersonalRecords } from './personal-records.js';

/**
 * Runs retention as of `now`.
 * @returns the number of personal records deleted.
 * @throws ScelleError E_SERVER_DATABASE on database failure (nothing is deleted then).
 */
export async function runRetention(ctx: ServiceContext, now: Date): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const deleted = await deleteExpiredPersonalRecords(tx, now);
    await audit(tx, null, 'retention.run', { before: now.toISOString() }, deleted, now);
    return deleted;
  });
}

/**
 * Runs retention every `intervalMs` (and once right away). Returns a stop function.
 * Failures are reported to `onError` and retried at the next tick.
 */
export function scheduleRetention(ctx: ServiceContext, intervalMs: number, onError: (e: unknown) => void): () => void {
  const tick = (): void => { runRetention(ctx, ctx.now()).catch(onError); };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
