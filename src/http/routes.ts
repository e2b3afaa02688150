/** The Functions route prefix (host.json `extensions.http.routePrefix`). */
export const ROUTE_PREFIX = 'api';

export const operationPath = (callId: string, operationId: string) =>
  `/${ROUTE_PREFIX}/calls/${callId}/operations/${encodeURIComponent(operationId)}`;
