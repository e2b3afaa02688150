import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { isSettingUp } from '../calls/callStateRules';
import { isTerminal } from '../schemas/operationStatus';
import type { CallBody, OperationBody } from '../schemas/responses';
import { jsonResponse } from './errorResponse';

/** The Functions route prefix (host.json `extensions.http.routePrefix`). */
const ROUTE_PREFIX = 'api';

export const operationPath = (callId: string, operationId: string) =>
  `/${ROUTE_PREFIX}/calls/${callId}/operations/${encodeURIComponent(operationId)}`;
export const callPath = (callId: string) => `/${ROUTE_PREFIX}/calls/${callId}`;

/** An absolute URL on this host; it carries the caller's `code`, so a poller that only follows it still gets in. */
export function locationOf(req: HttpRequest, path: string): string {
  const url = new URL(path, req.url);
  const code = req.query.get('code');
  if (code) url.searchParams.set('code', code);
  return url.toString();
}

/** The Logic Apps async pattern: 202 + Location + Retry-After until done, then 200. */
function asyncResponse(
  req: HttpRequest,
  body: unknown,
  done: boolean,
  path: string,
  retryAfterSeconds: number,
): HttpResponseInit {
  if (done) return jsonResponse(200, body);
  return jsonResponse(202, body, { Location: locationOf(req, path), 'Retry-After': String(retryAfterSeconds) });
}

/** 202 while the operation runs, 200 once completed or failed. */
export const operationResponse = (req: HttpRequest, op: OperationBody, retryAfterSeconds: number) =>
  asyncResponse(req, op, isTerminal(op.status), operationPath(op.callId, op.id), retryAfterSeconds);

/** 202 while the call is being set up (a call the service started has no state until Graph reports one), 200 after. */
export const callResponse = (req: HttpRequest, call: CallBody, retryAfterSeconds: number) =>
  asyncResponse(
    req,
    call,
    call.state !== null ? !isSettingUp(call.state) : !call.startedByService,
    callPath(call.id),
    retryAfterSeconds,
  );
