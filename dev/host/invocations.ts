import { format } from 'node:util';

import { InvocationContext, type InvocationContextInit, type LogLevel } from '@azure/functions';

import { runLogHooks } from './functionsCore';

/**
 * An invocation's context, as the worker makes it: its logs go to `print` (without debug and
 * trace) and through the app's `log` hooks.
 */
export function newInvocationContext(
  init: Omit<InvocationContextInit, 'logHandler'> & { functionName: string },
  print: (line: string) => void,
): InvocationContext {
  const context: InvocationContext = new InvocationContext({
    ...init,
    logHandler: (level: LogLevel, ...args: unknown[]) => {
      const message = format(...args);
      if (level !== 'debug' && level !== 'trace') print(`[${level}] ${init.functionName}: ${message}`);
      runLogHooks(level, message, context);
    },
  });
  // As the Node worker logs each invocation it receives (system, debug), through the hooks too.
  runLogHooks(
    'debug',
    `Worker received FunctionInvocationRequest with invocationId ${init.invocationId}`,
    context,
    'system',
  );
  return context;
}
