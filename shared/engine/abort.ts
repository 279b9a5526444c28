/** Cancellation helpers shared by the pipelines. */
import { ScelleError } from '../errors/scelle-error.js';

/** Throws E_CANCELLED when `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScelleError('E_CANCELLED', 'the operation was cancelled');
}
