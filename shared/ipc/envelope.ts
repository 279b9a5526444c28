/**
 * The envelope every IPC answer travels in. Errors cross the process boundary as a stable
 * code plus non-secret details (never a stack, never a secret), so the renderer can turn
 * them into a French or English sentence with a next step.
 */
import { z } from 'zod';
import { ERROR_CODES, type ScelleErrorCode } from '../errors/scelle-error.js';

export { ERROR_CODES, type ScelleErrorCode };

/** An error as the renderer sees it: a stable code, an English developer message and safe details. */
export const ipcErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().max(2000),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
/** An error as the renderer sees it. */
export type IpcError = z.infer<typeof ipcErrorSchema>;

/** The answer of one IPC call: the value, or an error with a stable code. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Wraps a value in a successful envelope. */
export function ipcOk<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

/** Wraps an error in a failed envelope. `details` must hold no secret. */
export function ipcFail(code: ScelleErrorCode, message: string, details: IpcError['details'] = {}): IpcResult<never> {
  return { ok: false, error: { code, message, details } };
}

/** Builds the zod schema of an envelope around `value` (used to check answers in tests and the harness). */
export function ipcResultSchema<T extends z.ZodType>(value: T) {
  return z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ipcErrorSchema })]);
}
