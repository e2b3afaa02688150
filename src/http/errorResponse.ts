import { randomUUID } from 'node:crypto';

import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import { CallbackTokenError } from '../auth/callbackToken';
import { SigningKeysUnavailableError } from '../auth/signingKeySource';
import {
  Conflict,
  ensureError,
  type FieldProblem,
  GraphAnswerUnusable,
  GraphOutcomeUnknown,
  GraphRefused,
  GraphUnavailable,
  InProgress,
  InvalidInput,
  NotFound,
  PayloadTooLarge,
  SettingsUnresolved,
  WriteContention,
} from '../errors';
import { isStorageUnavailable, storageRefusedInput } from '../storage/storageErrors';

export const jsonResponse = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
});

/** A response in Graph's error envelope: `{ error: { code, message, details } }`. */
interface Failure {
  status: number;
  code: string;
  message: string;
  details?: FieldProblem[];
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
}

// Graph's refusals that describe the request pass through with their status; others (401: the
// app's own credentials) are a bad gateway to the caller.
const PASSED_THROUGH_STATUSES = new Set([400, 403, 404, 409]);

/**
 * The one place an error becomes a response: domain errors (src/errors.ts) by their kind, the
 * storage SDK's by what they say (unavailable: 503; a value refused: 413/400), the callback token's
 * 401 and its keys' 503. Anything else is a bug: 500 with a correlation id, its stack in the log only.
 */
export function toErrorResponse(
  thrown: unknown,
  context: InvocationContext,
  unavailableRetryAfter: number,
): HttpResponseInit {
  const failure = toFailure(ensureError(thrown), context, unavailableRetryAfter);
  const headers = {
    ...failure.headers,
    ...(failure.retryAfterSeconds ? { 'Retry-After': String(failure.retryAfterSeconds) } : {}),
  };
  const body = { error: { code: failure.code, message: failure.message, details: failure.details ?? [] } };
  return jsonResponse(failure.status, body, headers);
}

function toFailure(err: Error, context: InvocationContext, unavailableRetryAfter: number): Failure {
  if (err instanceof InvalidInput)
    return { status: 400, code: 'BadRequest', message: err.message, details: err.problems };
  if (err instanceof NotFound) return { status: 404, code: 'NotFound', message: err.message };
  if (err instanceof Conflict) return { status: 409, code: 'Conflict', message: err.message };
  if (err instanceof PayloadTooLarge)
    return { status: 413, code: 'PayloadTooLarge', message: err.message, details: err.problems };
  if (err instanceof CallbackTokenError) {
    return { status: 401, code: 'Unauthorized', message: 'The callback bearer token is missing or invalid.' };
  }
  if (err instanceof GraphRefused) {
    const status = PASSED_THROUGH_STATUSES.has(err.status) ? err.status : 502;
    return {
      status,
      code: 'UpstreamError',
      message: err.message,
      details: [{ path: 'graph', code: err.graphCode, message: err.graphMessage }],
    };
  }
  if (err instanceof GraphAnswerUnusable) return { status: 502, code: 'UpstreamError', message: err.message };
  const unavailable = (message: string, retryAfterSeconds = unavailableRetryAfter): Failure => ({
    status: 503,
    code: 'ServiceUnavailable',
    message,
    retryAfterSeconds,
  });
  if (err instanceof GraphUnavailable || err instanceof InProgress)
    return unavailable(err.message, err.retryAfterSeconds);
  if (err instanceof GraphOutcomeUnknown || err instanceof WriteContention || err instanceof SettingsUnresolved)
    return unavailable(err.message);
  if (isStorageUnavailable(err)) {
    context.warn(`Table Storage unavailable: ${err.message}`);
    return unavailable('Storage is unavailable; retry later.');
  }
  if (err instanceof SigningKeysUnavailableError) {
    context.warn(err.message);
    return unavailable('The callback signing keys cannot be fetched; retry later.');
  }
  const refused = storageRefusedInput(err);
  if (refused) {
    context.warn(`Table Storage refused a value of the request: ${err.message}`);
    return refused === 'tooLarge'
      ? {
          status: 413,
          code: 'PayloadTooLarge',
          message: 'The request holds more than can be stored in one record; send less.',
        }
      : { status: 400, code: 'BadRequest', message: 'The request holds a value that cannot be stored.' };
  }
  const correlationId = randomUUID();
  context.error(`Unhandled error ${correlationId}: ${err.stack ?? err.message}`);
  return {
    status: 500,
    code: 'InternalServerError',
    message: `An unexpected error occurred (correlation id ${correlationId}).`,
    headers: { 'x-correlation-id': correlationId },
  };
}
