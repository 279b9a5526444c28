/** How many helper threads the engine's parallel stages start. */
import { availableParallelism } from 'node:os';

/** One a core, at least 2 (one core's work overlaps another's waits), at most 4. */
export function helperThreadCount(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}
