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
function createCoreApi(registrations: Registration[]) {
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
    registerHook() {
      return disposable;
    },
    log(level: string, category: string, message: string) {
      if (level !== 'debug' && level !== 'trace') console.log(`[${level}] (${category}) ${message}`);
    },
  };
}

const CORE_MODULE = '@azure/functions-core';

/**
 * Loads the app's entry module with `@azure/functions-core` resolvable and returns every
 * function it registered. The entry is the one package.json names in "main", as for `func`.
 */
export function loadRegistrations(entryFile: string): Registration[] {
  const registrations: Registration[] = [];
  const coreFile = path.join(__dirname, '__azure_functions_core__.js');
  const stub = new Module(coreFile);
  stub.filename = coreFile;
  stub.loaded = true;
  stub.exports = createCoreApi(registrations);
  require.cache[coreFile] = stub;

  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? coreFile : resolve.call(this, request, ...rest);
  };
  require(path.resolve(entryFile));
  return registrations;
}
