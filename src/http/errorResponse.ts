import { randomUUID } from 'node:crypto';

import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import { SigningKeysUnavailableError } from '../auth/signingKeySource';
import { WriteContentionError } from '../operations/retryOnConflict';
import { isStorageUnavailable, storageRefusedInput } from '../storage/storageErrors';
import { ApiError, badRequest, ensureError, serviceUnavailable } from './apiError';

export const jsonResponse = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
});

/** Graph's error envelope for an ApiError. */
export const apiErrorResponse = (err: ApiError): HttpResponseInit =>
  jsonResponse(err.status, { error: { code: err.code, message: err.message, details: err.details } }, err.headers);

/**
 * Maps anything thrown to a response. Known faults become 503 + Retry-After; the unknown becomes
 * a 500 with a correlation id, its stack going to the log only.
 */
export function toErrorResponse(
  thrown: unknown,
  context: InvocationContext,
  unavailableRetryAfter: number,
): HttpResponseInit {
  if (thrown instanceof ApiError) return apiErrorResponse(thrown);
  const err = ensureError(thrown);
  if (isStorageUnavailable(err)) {
    context.warn(`Table Storage unavailable: ${err.message}`);
    return apiErrorResponse(serviceUnavailable('Storage is unavailable; retry later.', unavailableRetryAfter));
  }
  const refused = storageRefusedInput(err);
  if (refused) {
    context.warn(`Table Storage refused a value of the request: ${err.message}`);
    return apiErrorResponse(
      refused === 'tooLarge'
        ? new ApiError(413, 'PayloadTooLarge', 'The request holds more than can be stored in one record; send less.')
        : badRequest('The request holds a value that cannot be stored.'),
    );
  }
  if (err instanceof WriteContentionError) {
    context.warn(`Write contention: ${err.message}`);
    return apiErrorResponse(
      serviceUnavailable('The record is being changed by many requests at once; retry shortly.', unavailableRetryAfter),
    );
  }
  if (err instanceof SigningKeysUnavailableError) {
    context.warn(err.message);
    return apiErrorResponse(
      serviceUnavailable('The callback signing keys cannot be fetched; retry later.', unavailableRetryAfter),
    );
  }
  const correlationId = randomUUID();
  context.error(`Unhandled error ${correlationId}: ${err.stack ?? err.message}`);
  return apiErrorResponse(
    new ApiError(500, 'InternalServerError', `An unexpected error occurred (correlation id ${correlationId}).`, [], {
      'x-correlation-id': correlationId,
    }),
  );
}
