// Failures of API calls, as one typed error that carries the Status the server sent (or one
// built from the HTTP code when the body was not a Status), so callers branch on reason/code.
import type { Status } from './types.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: Status, readonly method: string, readonly path: string) {
    super(status.message || status.reason || `HTTP ${status.code}`);
  }

  get code(): number {
    return this.status.code ?? 0;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** Builds the Status for a non-Status error body, as client-go does from the HTTP code. */
export function statusFromResponse(code: number, body: string): Status {
  try {
    const parsed = JSON.parse(body) as Status;
    if (parsed && parsed.kind === 'Status') return parsed;
  } catch {
    // not JSON: fall through
  }
  const reason = reasonForCode[code] ?? 'Unknown';
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: body.trim() || `the server responded with HTTP ${code}` };
}

const reasonForCode: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid',
  429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

export function isApiError(err: unknown, reason?: string): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}

export const isNotFound = (err: unknown): boolean => isApiError(err) && err.code === 404;
export const isConflict = (err: unknown): boolean => isApiError(err, 'Conflict');
export const isAlreadyExists = (err: unknown): boolean => isApiError(err, 'AlreadyExists');
/** 410 Gone: the requested resourceVersion is too old (relist). */
export const isExpired = (err: unknown): boolean => isApiError(err) && err.code === 410;

/** Whether an error is the normal end of a stopped loop rather than a failure. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}
