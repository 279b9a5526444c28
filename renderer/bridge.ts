/**
 * The renderer's only door to the main process: `window.scelle` (exposed by the preload, or
 * by the test harness), plus helpers to unwrap answers into values or UiErrors.
 */
import type { IpcResult, ScelleApi, ScelleErrorCode } from '../shared/ipc/index.js';

declare global {
  interface Window {
    scelle?: ScelleApi;
  }
}

/** An error answered by the main side: a stable code and non-secret details. */
export class UiError extends Error {
  constructor(
    readonly code: ScelleErrorCode,
    message: string,
    readonly details: Record<string, string | number | boolean> = {},
  ) {
    super(message);
    this.name = 'UiError';
  }
}

/** `window.scelle`; throws a UiError E_INTERNAL when the bridge is missing. */
export function api(): ScelleApi {
  if (!window.scelle) throw new UiError('E_INTERNAL', 'window.scelle is missing');
  return window.scelle;
}

/** True when the bridge is present. */
export function hasBridge(): boolean {
  return typeof window.scelle === 'object' && window.scelle !== null;
}

/** Awaits an envelope and returns its value, or throws a UiError. */
export async function unwrap<T>(answer: Promise<IpcResult<T>>): Promise<T> {
  const r = await answer;
  if (r.ok) return r.value;
  throw new UiError(r.error.code, r.error.message, r.error.details);
}

/** Turns anything thrown into a UiError. */
export function asUiError(e: unknown): UiError {
  return e instanceof UiError ? e : new UiError('E_INTERNAL', e instanceof Error ? e.message : String(e));
}

/** A fresh job id for long operations. */
export function newJobId(): string {
  return `job-${crypto.randomUUID()}`;
}
