import type { z } from 'zod';

import { type ApiError, badRequest, type ErrorDetail } from './apiError';

/** `['participants', 0, 'identity']` -> `participants[0].identity`. */
export function toJsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

export function toDetails(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: toJsonPath([...prefix, ...issue.path]) || '(body)',
    message: issue.message,
  }));
}

/** A 400 whose message names the first invalid field and whose details list all of them. */
export function invalidBody(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ApiError {
  const details = toDetails(error, prefix);
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return badRequest(first ? `${first.path}: ${first.message}${more}` : 'The request body is invalid.', details);
}
