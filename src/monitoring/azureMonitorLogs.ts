import type { app as App, LogHookContext, LogLevel } from '@azure/functions';
import { type Context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { type Logger, type LogRecord, SeverityNumber } from '@opentelemetry/api-logs';

import { eventAttributes } from './eventAttributes';

const SEVERITY: Record<LogLevel, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  information: SeverityNumber.INFO,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  critical: SeverityNumber.FATAL,
  none: SeverityNumber.UNSPECIFIED,
};
/** Records kept while the exporter loads; beyond this, the oldest are the ones that count. */
const MAX_PENDING = 1000;

/**
 * The invocation's W3C trace (`00-<trace id>-<span id>-<flags>`, as the host passes it) as the
 * record's context: Application Insights then files the log under the host's request for it.
 */
function traceContextOf(traceParent: string | null | undefined): Context | undefined {
  const parts = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceParent ?? '');
  if (!parts) return undefined;
  const traceFlags = Number.parseInt(parts[3]!, 16) & TraceFlags.SAMPLED;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parts[1]!, spanId: parts[2]!, traceFlags, isRemote: true });
}

const EXPORTED_LEVELS = new Set(['information', 'warning', 'error', 'critical']);

/**
 * Which logs go to Application Insights: the app's own (`user`) at information or above. The worker
 * runs log hooks for its own and the library's `system` logs too (every invocation it receives, at
 * debug); those are the host's to report, and exporting them would bill every invocation twice.
 */
export const exportsToInsights = (context: Pick<LogHookContext, 'level' | 'category'>) =>
  context.category === 'user' && EXPORTED_LEVELS.has(context.level);

/** One log of the app as an OpenTelemetry log record with its event's attributes. */
export function toLogRecord(
  context: Pick<LogHookContext, 'message' | 'level' | 'category' | 'invocationContext'>,
): LogRecord {
  const invocation = context.invocationContext;
  const traceContext = traceContextOf(invocation?.traceContext?.traceParent);
  return {
    ...(traceContext ? { context: traceContext } : {}),
    body: context.message,
    severityNumber: SEVERITY[context.level] ?? SeverityNumber.UNSPECIFIED,
    severityText: context.level,
    attributes: {
      ...eventAttributes(context.message),
      ...(invocation ? { 'faas.invocation_id': invocation.invocationId, 'faas.name': invocation.functionName } : {}),
      'log.category': context.category,
    },
  };
}

async function azureMonitorLogger(connectionString: string, onShutdown: (stop: () => Promise<void>) => void) {
  const [{ AzureMonitorLogExporter }, { BatchLogRecordProcessor, LoggerProvider }, { resourceFromAttributes }] =
    await Promise.all([
      import('@azure/monitor-opentelemetry-exporter'),
      import('@opentelemetry/sdk-logs'),
      import('@opentelemetry/resources'),
    ]);
  // Local auth is off on the template's Application Insights: the app's managed identity writes.
  const credential = /Authorization=AAD/i.test(process.env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')
    ? new (await import('@azure/identity')).ManagedIdentityCredential()
    : undefined;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.WEBSITE_SITE_NAME ?? 'graph-call-invites' }),
    processors: [new BatchLogRecordProcessor(new AzureMonitorLogExporter({ connectionString, credential }))],
  });
  onShutdown(() => provider.shutdown());
  return provider.getLogger('graph-call-invites');
}

/**
 * Sends the app's logs to Application Insights itself, as OpenTelemetry log records whose
 * attributes (the event's `callId`, `operationId`, `clientContext`, ...) become customDimensions.
 * The Functions host, in OpenTelemetry mode (host.json `telemetryMode`), leaves the worker's logs
 * to it (capability `WorkerOpenTelemetryEnabled`, set before the app starts). The exporter (about
 * 120 ms of loading) loads in the background: no request waits for it; logs meanwhile are kept.
 * Returns how to log a line outside any invocation.
 */
export function startAzureMonitorLogs(app: typeof App, connectionString: string): (line: string) => void {
  let logger: Logger | undefined;
  const pending: LogRecord[] = [];
  const emit = (record: LogRecord) => {
    if (logger) logger.emit(record);
    else if (pending.length < MAX_PENDING) pending.push(record);
  };
  let stop: (() => Promise<void>) | undefined;
  app.hook.log((context) => {
    if (exportsToInsights(context)) emit(toLogRecord(context));
  });
  app.hook.appTerminate(() => stop?.());
  azureMonitorLogger(connectionString, (s) => (stop = s)).then(
    (ready) => {
      logger = ready;
      for (const record of pending.splice(0)) ready.emit(record);
    },
    (err: unknown) => console.error(`Application Insights logging could not start: ${String(err)}`),
  );
  return (line) =>
    emit(toLogRecord({ message: line, level: 'error', category: 'system', invocationContext: undefined }));
}
