/**
 * The retention job: deletes personal records past their deletion date and writes one audit
 * row saying how many, then erases the deleted rows' bytes from the database files
 * (`Db.reclaim`: SQLite secure_delete + WAL checkpoint + VACUUM; PostgreSQL VACUUM).
 * Custody events are never touched.
 */
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { deleteExpiredPersonalRecords } from './personal-records.js';

/**
 * Runs retention as of `now`: deletes, then reclaims the freed space when anything was deleted.
 * @returns the number of personal records deleted.
 * @throws ScelleError E_SERVER_DATABASE on database failure (when the delete failed, nothing is
 *   deleted; when only the reclaim failed, the next run reclaims again).
 */
export async function runRetention(ctx: ServiceContext, now: Date): Promise<number> {
  const deleted = await ctx.db.transaction(async (tx) => {
    const n = await deleteExpiredPersonalRecords(tx, now);
    await audit(tx, null, 'retention.run', { before: now.toISOString() }, n, now);
    return n;
  });
  if (deleted > 0) await ctx.db.reclaim(['personal_records']);
  return deleted;
}

/**
 * Runs retention every `intervalMs` (and once right away). Returns a stop function.
 * Failures are reported to `onError` and retried at the next tick.
 */
export function scheduleRetention(ctx: ServiceContext, intervalMs: number, onError: (e: unknown) => void): () => void {
  const tick = (): void => {
    runRetention(ctx, ctx.now()).catch(onError);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
