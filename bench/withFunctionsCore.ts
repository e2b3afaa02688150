// Preloaded (`node -r`) by the import benchmark: makes `@azure/functions-core` resolvable, as the
// Functions worker does, so an import is measured as it happens on Azure and not in test mode.
import path from 'node:path';

import { installFunctionsCore } from '../dev/host/functionsCore';

installFunctionsCore();

// The floor is `@azure/functions` imported after this preload: loading it here would make it free.
const functionsLibrary = path.join('node_modules', '@azure', 'functions', path.sep);
if (Object.keys(require.cache).some((file) => file.includes(functionsLibrary)))
  throw new Error('The import benchmark preload must not load @azure/functions.');
