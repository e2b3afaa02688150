import type { Logger } from './logger';

/**
 * One structured log line: `{"event": ..., ...properties}`. In Application Insights it is a trace
 * whose customDimensions are the properties (`callId`, `operationId`, `clientContext`, `changeType`,
 * `graphRequestId`, `inviteTraceParent`; src/monitoring/). Never give it tokens, keys or callback URLs.
 */
export function logEvent(
  log: Logger,
  event: string,
  properties: Record<string, unknown>,
  level: 'info' | 'warn' | 'error' = 'info',
): void {
  log[level](JSON.stringify({ event, ...properties }));
}
