/** Errors crossing between the engine's worker threads and the thread that started them. */
import { ScelleError, type ScelleErrorCode } from '../errors/scelle-error.js';

/** The serializable form of an error (postMessage keeps plain data only). */
export interface WorkerError { code: ScelleErrorCode; message: string; details: Record<string, string | number | boolean> }

/** Any error as a {@link WorkerError}: a ScelleError keeps its code, anything else is E_INTERNAL. */
export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof ScelleError) return { code: e.code, message: e.message, details: { ...e.details } };
  return { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e), details: {} };
}

/** The ScelleError a {@link WorkerError} stands for. */
export function fromWorkerError(e: WorkerError): ScelleError {
  return new ScelleError(e.code, e.message, e.details);
}
