/**
 * A handler whose module is loaded on its first call, so that importing the app (a cold start)
 * loads only the registrations and `@azure/functions`; zod, the Azure SDKs, jose and the Graph
 * client come with the first request that needs them. Deliberately free of imports.
 */
export function lazyHandler<A extends unknown[], R>(
  load: () => Promise<{ handler: (...args: A) => R | Promise<R> }>,
): (...args: A) => Promise<R> {
  let loaded: ReturnType<typeof load> | undefined;
  return async (...args: A): Promise<R> => {
    loaded ??= load().catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return (await loaded).handler(...args);
  };
}
