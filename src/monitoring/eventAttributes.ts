/**
 * The properties of one of the service's event lines (`{"event": ..., ...}`, src/telemetry.ts) as
 * log attributes, which Application Insights shows as customDimensions: `callId`, `operationId`,
 * `clientContext`, ... become columns a query can filter on. Any other line has none.
 */
export function eventAttributes(message: string): Record<string, string | number | boolean> | undefined {
  if (!message.startsWith('{"event":')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    // customDimensions hold text: nested values keep their JSON.
    attributes[key] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return attributes;
}
