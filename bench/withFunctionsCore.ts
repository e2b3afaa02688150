// Preloaded (`node -r`) by the import benchmark: makes `@azure/functions-core` resolvable, as the
// Functions worker does, so an import is measured as it happens on Azure and not in test mode.
import { installFunctionsCore } from '../dev/host/functionsCore';

installFunctionsCore();
