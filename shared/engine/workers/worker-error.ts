/**
 * Errors crossing between the engine's worker threads and the thread that started them: the
 * plain-data form of ScelleError (shared/errors), under the names the workers use.
 */
export { fromErrorData as fromWorkerError, toErrorData as toWorkerError, type ScelleErrorData as WorkerError } from '../../errors/scelle-error.js';
