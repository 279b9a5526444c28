/**
 * HTTP error bodies of the custody service: `{ "error": { "code", "message" } }`
 * (docs/CUSTODY.md §5). Codes are stable strings; messages are English and never hold secrets.
 */
import { isScelleError } from '../../shared/errors/scelle-error.js';

/** An error to answer with a given HTTP status and stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 401: missing, malformed, unknown or revoked token. */
export const unauthorized = (): HttpError => new HttpError(401, 'unauthorized', 'a valid bearer token is required');
/** 403: the token's role or subject does not allow this request. */
export const forbidden = (message = 'this token may not do that'): HttpError => new HttpError(403, 'forbidden', message);
/** 400: malformed request. */
export const badRequest = (message: string): HttpError => new HttpError(400, 'bad-request', message);
/** 404: nothing there (or nothing the caller may see). */
export const notFound = (message = 'not found'): HttpError => new HttpError(404, 'not-found', message);

/** Maps any thrown value to a status and body; unknown errors become 500 without details. */
export function toErrorResponse(e: unknown): { status: number; body: { error: { code: string; message: string } } } {
  if (typeof e === 'object' && e !== null && (e as { statusCode?: unknown }).statusCode === 413) {
    return { status: 413, body: { error: { code: 'too-large', message: 'the request body is too large' } } };
  }
  if (e instanceof HttpError) return { status: e.status, body: { error: { code: e.code, message: e.message } } };
  if (isScelleError(e)) {
    const clientSide = ['E_USAGE', 'E_CUSTODY_MERKLE', 'E_FORMAT_CERTIFICATE'].includes(e.code);
    return clientSide ? { status: 400, body: { error: { code: e.code, message: e.message } } } : { status: 500, body: { error: { code: e.code, message: 'internal error' } } };
  }
  const status =
    typeof e === 'object' && e !== null && 'statusCode' in e && typeof (e as { statusCode: unknown }).statusCode === 'number' ? (e as { statusCode: number }).statusCode : 500;
  if (status >= 400 && status < 500) return { status, body: { error: { code: 'bad-request', message: e instanceof Error ? e.message : 'bad request' } } };
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error' } } };
}
