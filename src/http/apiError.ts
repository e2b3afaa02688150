export interface ErrorDetail {
  path: string;
  message: string;
  code?: string;
}

/** A failure this service answers itself: status, stable code, one actionable sentence, field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new ApiError(400, 'BadRequest', message, details);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (message: string) => new ApiError(409, 'Conflict', message);
export const unauthorized = (message: string) => new ApiError(401, 'Unauthorized', message);
export const payloadTooLarge = (limitBytes: number) =>
  new ApiError(413, 'PayloadTooLarge', `The request body is larger than the ${limitBytes}-byte limit.`);
export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  new ApiError(503, 'ServiceUnavailable', message, [], { 'Retry-After': String(retryAfterSeconds) });

/** Normalises anything thrown into an Error, so callers never cast. */
export function ensureError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}
