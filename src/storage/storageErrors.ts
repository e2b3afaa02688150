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

/** The store did not answer, or answered that it cannot serve now: a retry later may succeed. */
export function isStorageUnavailable(err: unknown): boolean {
  const e = asRestError(err);
  if (!e || e.name !== 'RestError') return false;
  if (e.statusCode === undefined) return true; // connection refused, reset, timeout
  return e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429;
}
