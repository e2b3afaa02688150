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

/** A table we created is gone: it must be created again before anything can be stored. */
export function isTableMissing(err: unknown): boolean {
  const e = asRestError(err);
  return e?.name === 'RestError' && (e.code === 'TableNotFound' || /table specified does not exist/i.test((err as Error).message));
}

/** The store did not answer, or answered that it cannot serve now: a retry later may succeed. */
export function isStorageUnavailable(err: unknown): boolean {
  const e = asRestError(err);
  // The managed identity could not get a token (endpoint down or not ready): a fault, not a bug.
  if (e?.name === 'AuthenticationError' || e?.name === 'CredentialUnavailableError' || e?.name === 'AggregateAuthenticationError') return true;
  if (!e || e.name !== 'RestError') return false;
  if (isTableMissing(err)) return true;
  if (e.statusCode === undefined) return true; // connection refused, reset, timeout
  return e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429;
}
