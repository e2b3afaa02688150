import { ValueTooLargeError } from './chunkedJson';

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
}

const asRestError = (err: unknown): RestErrorLike | undefined =>
  typeof err === 'object' && err !== null ? (err as RestErrorLike) : undefined;

export const hasStatus = (err: unknown, status: number) => asRestError(err)?.statusCode === status;

export const isNotFound = (err: unknown) => hasStatus(err, 404);
/** 409: the entity (or table) exists already. */
export const isConflict = (err: unknown) => hasStatus(err, 409);
/** 412: someone else wrote the entity since we read it. */
export const isPreconditionFailed = (err: unknown) => hasStatus(err, 412);

/** A 412 of our own: a row a write was conditioned on is gone or changed (read again and retry). */
export const preconditionFailed = (message: string) =>
  Object.assign(new Error(message), { name: 'RestError', statusCode: 412, code: 'UpdateConditionNotSatisfied' });

/** A table we created is gone: it must be created again before anything can be stored. */
export function isTableMissing(err: unknown): boolean {
  const e = asRestError(err);
  return (
    e?.name === 'RestError' &&
    (e.code === 'TableNotFound' || /table specified does not exist/i.test((err as Error).message))
  );
}

/** The store did not answer, or answered that it cannot serve now: a retry later may succeed. */
export function isStorageUnavailable(err: unknown): boolean {
  const e = asRestError(err);
  // The managed identity could not get a token (endpoint down or not ready): a fault, not a bug.
  if (
    e?.name === 'AuthenticationError' ||
    e?.name === 'CredentialUnavailableError' ||
    e?.name === 'AggregateAuthenticationError'
  )
    return true;
  // A storage call cut off by its time limit (the SDK aborts it): the store did not answer in time.
  if (e?.name === 'AbortError') return true;
  if (!e || e.name !== 'RestError') return false;
  if (isTableMissing(err)) return true;
  if (e.statusCode === undefined) return true; // connection refused, reset, timeout
  return e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429;
}

// Table Storage's answers that blame a value in the request, not the service: what a caller
// sent was too large, or out of the range a property can hold. Other 4xx are this service's bugs.
const TOO_LARGE = new Set(['PropertyValueTooLarge', 'EntityTooLarge', 'RequestBodyTooLarge']);
const INVALID_VALUE = new Set(['OutOfRangeInput', 'KeyValueTooLarge', 'PropertyNameTooLong', 'TooManyProperties']);

/** Whether storage refused a value the request carried: `tooLarge` (413) or `invalid` (400). */
export function storageRefusedInput(err: unknown): 'tooLarge' | 'invalid' | undefined {
  // A value this service could not spread over one entity's properties: refused before storage saw it.
  if (err instanceof ValueTooLargeError) return 'tooLarge';
  const e = asRestError(err);
  if (e?.name !== 'RestError' || !e.code) return undefined;
  if (TOO_LARGE.has(e.code)) return 'tooLarge';
  if (INVALID_VALUE.has(e.code)) return 'invalid';
  return undefined;
}
