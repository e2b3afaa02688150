/** A lazily made value that is made at most once at a time; a failed attempt is forgotten so the next call tries again. */
export type Once<T> = (() => Promise<T>) & {
  /** Makes the next call make the value anew (a resource that went away). */
  forget(): void;
};

/**
 * Runs `make` on the first call and hands every caller the same promise — a client, a table, a
 * handler module — created on first use so that a cold start stays small.
 */
export function once<T>(make: () => Promise<T>): Once<T> {
  let pending: Promise<T> | undefined;
  const get = () => {
    pending ??= make().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
  return Object.assign(get, { forget: () => void (pending = undefined) });
}
