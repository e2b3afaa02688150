// Entry point (package.json "main"): registers every row of the route table (src/routes.ts) and
// nothing else. Importing it loads only `@azure/functions` and the table; each handler loads on its
// first call, so a cold start stays small. The settings are checked when the app starts, so a
// misconfigured app stops then, with a message naming each bad setting.
import { app, type InvocationContext } from '@azure/functions';

import { once } from '../src/once';
import { type RouteRow, routes } from '../src/routes';

/**
 * A handler whose module is loaded on its first call. A failure is logged on the invocation before
 * the host sees it: with OpenTelemetry the host's own "Executed (Failed)" log is not exported.
 */
function lazy<A extends [unknown, InvocationContext], R>(
  load: () => Promise<{ handler: (...args: A) => R | Promise<R> }>,
) {
  const loaded = once(load);
  return async (...args: A): Promise<R> => {
    try {
      return await (await loaded()).handler(...args);
    } catch (err) {
      args[1].error(
        `${args[1].functionName} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      throw err;
    }
  };
}

function register(row: RouteRow): void {
  switch (row.trigger) {
    case 'http':
      return app.http(row.name, {
        route: row.route,
        methods: [...row.methods],
        authLevel: row.authLevel,
        handler: lazy(row.load),
      });
    case 'queue':
      return app.storageQueue(row.name, {
        queueName: row.queueName,
        connection: row.connection,
        handler: lazy(row.load),
      });
    case 'timer':
      return app.timer(row.name, { schedule: row.schedule, handler: lazy(row.load) });
  }
}

for (const row of routes) register(row);

// HTTP streaming: a handler reads the body itself, so the anonymous callback checks Graph's token and
// the body's size before a byte of it is read (without it the host hands the worker whole bodies, up
// to its 100 MB limit, before any check). With Application Insights the app sends its own logs, each
// event's properties as customDimensions (src/monitoring/azureMonitorLogs.ts); the host, in
// OpenTelemetry mode, is told so before it starts.
const insights = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
app.setup({
  enableHttpStream: true,
  ...(insights ? { capabilities: { WorkerOpenTelemetryEnabled: true } } : {}),
});

app.hook.appStart(async () => {
  const monitoring = insights
    ? (await import('../src/monitoring/azureMonitorLogs.js')).startAzureMonitorLogs(app, insights)
    : undefined;
  const { checkSettings } = await import('../src/checkSettings.js');
  // No invocation context exists yet: the exporter, or the host's console log.
  checkSettings((line) => (monitoring ? monitoring(line) : console.error(line)));
});
