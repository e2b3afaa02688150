import http from 'node:http';
import Module from 'node:module';
import path from 'node:path';

/** What `@azure/functions` hands the host for each `app.http(...)` / `app.timer(...)` call. */
export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>;
  retryOptions?: unknown;
}

export interface Registration {
  metadata: CoreFunctionMetadata;
  /** The handler as the app wrote it: (triggerInput, InvocationContext) => result. */
  handler: (...args: unknown[]) => unknown;
}

/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node worker provides.
 * `@azure/functions` registers through it when it can be required (otherwise it runs in "test
 * mode" and registers nothing), so supplying it lets this host receive exactly the metadata and
 * handlers the Azure host would.
 */
function createCoreApi(registrations: Registration[], hooks: Hook[]) {
  let programmingModel: unknown;
  const disposable = { dispose() {} };
  return {
    version: 'local',
    registerFunction(metadata: CoreFunctionMetadata, handler: Registration['handler']) {
      registrations.push({ metadata, handler });
      return disposable;
    },
    setProgrammingModel(model: unknown) {
      programmingModel = model;
    },
    getProgrammingModel() {
      return programmingModel;
    },
    registerHook(name: string, callback: Hook['callback']) {
      hooks.push({ name, callback });
      return disposable;
    },
    // The library's own logs: the worker prints them and runs the app's log hooks on them too.
    log(level: string, category: string, message: string) {
      if (level !== 'debug' && level !== 'trace') console.log(`[${level}] (${category}) ${message}`);
      runLogHooks(level, message, undefined, category);
    },
  };
}

const CORE_MODULE = '@azure/functions-core';

interface Hook {
  name: string;
  callback: (coreContext: { hookData: Record<string, unknown>; [key: string]: unknown }) => unknown;
}

/**
 * The app's `log` hooks, once it started: the worker runs them for every log of an invocation.
 * (This module must not load `@azure/functions`: the import benchmark preloads it.)
 */
let logHooks: Hook[] = [];

/**
 * Runs the app's `log` hooks for one log, as the worker does: for the app's own logs (`user`) and for
 * the worker's and library's (`system`) alike, so a hook must choose what it keeps.
 */
export function runLogHooks(level: string, message: string, invocationContext: unknown, category = 'user'): void {
  for (const hook of logHooks) hook.callback({ hookData: {}, level, message, category, invocationContext });
}

/**
 * Loads the app's entry module with `@azure/functions-core` resolvable and returns every
 * function it registered, without starting the app. The entry is package.json's "main", as for `func`.
 */
export function loadRegistrations(entryFile: string): Registration[] {
  return loadEntry(entryFile).registrations;
}

/** What the app's programming model tells the worker it needs; `HttpUri` means HTTP streaming. */
export type WorkerCapabilities = Record<string, string>;

/**
 * Loads the app, asks its programming model for its capabilities and runs its `appStart` hooks, as the
 * worker does before the host serves anything. (With HTTP streaming the library then listens for the
 * host's proxied requests; this host hands the handlers the body stream itself, as that proxy would.)
 */
export async function startApp(
  entryFile: string,
): Promise<{ registrations: Registration[]; capabilities: WorkerCapabilities }> {
  const { registrations, hooks, core } = loadEntry(entryFile);
  const model = core.getProgrammingModel() as
    { getCapabilities(c: WorkerCapabilities): Promise<WorkerCapabilities> } | undefined;
  const capabilities = await capabilitiesOf(model);
  for (const hook of hooks.filter((h) => h.name === 'appStart')) await hook.callback({ hookData: {} });
  logHooks = hooks.filter((h) => h.name === 'log'); // live: appStart may add some
  return { registrations, capabilities };
}

/**
 * The capabilities, as the worker asks for them. With HTTP streaming the library then starts the
 * server the host would proxy requests to, listening on every interface; this host hands handlers the
 * stream itself, so that server is closed at once rather than left open to the network.
 */
async function capabilitiesOf(
  model: { getCapabilities(c: WorkerCapabilities): Promise<WorkerCapabilities> } | undefined,
): Promise<WorkerCapabilities> {
  const created: http.Server[] = [];
  const createServer = http.createServer;
  http.createServer = ((...args: Parameters<typeof http.createServer>) => {
    const server = createServer(...args);
    created.push(server);
    return server;
  }) as typeof http.createServer;
  try {
    return (await model?.getCapabilities({})) ?? {};
  } finally {
    http.createServer = createServer;
    for (const server of created) server.close();
  }
}

function loadEntry(entryFile: string) {
  const captured = installFunctionsCore();
  // The app's entry point is CommonJS and registers as it loads, as the Functions worker requires it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.resolve(entryFile));
  return captured;
}

/**
 * Makes `@azure/functions-core` resolvable in this process, as the Node worker does, and returns
 * the lists that registrations and hooks will be collected into.
 */
export function installFunctionsCore() {
  const registrations: Registration[] = [];
  const hooks: Hook[] = [];
  const coreFile = path.join(__dirname, '__azure_functions_core__.js');
  const stub = new Module(coreFile);
  stub.filename = coreFile;
  stub.loaded = true;
  const core = createCoreApi(registrations, hooks);
  stub.exports = core;
  require.cache[coreFile] = stub;

  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? coreFile : resolve.call(this, request, ...rest);
  };
  return { registrations, hooks, core };
}
