import type { Logger } from './logger';

/**
 * One structured log line: `{"event": ..., ...properties}`. The Functions host sends it to
 * Application Insights as the trace message, where `parse_json(message)` exposes the properties
 * (`callId`, `operationId`, `clientContext`, `changeType`, `graphRequestId`, `inviteTraceParent`)
 * to queries. Never give it tokens, keys or callback URLs.
 */
export function logEvent(
  log: Logger,
  event: string,
  properties: Record<string, unknown>,
  level: 'info' | 'warn' | 'error' = 'info',
): void {
  log[level](JSON.stringify({ event, ...properties }));
}
