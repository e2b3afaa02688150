import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { isSettingUp } from '../calls/callStateRules';
import type { Config } from '../config';
import { isTerminal } from '../schemas/operationStatus';
import type { CallBody, OperationBody } from '../schemas/responses';
import { jsonResponse } from './errorResponse';

/** The Functions route prefix (host.json `extensions.http.routePrefix`). */
const ROUTE_PREFIX = 'api';

export const operationPath = (callId: string, operationId: string) =>
  `/${ROUTE_PREFIX}/calls/${callId}/operations/${encodeURIComponent(operationId)}`;
export const callPath = (callId: string) => `/${ROUTE_PREFIX}/calls/${callId}`;

/** What an absolute URL of the app is made from: PUBLIC_BASE_URL (src/config.ts, publicAddresses). */
export type Addressing = Pick<Config, 'publicBaseUrl'>;

/**
 * Where this app is reached: PUBLIC_BASE_URL, never the request's `Host` (a forged one would send a
 * poller, with its `code`, elsewhere). Only with ALLOW_LOOPBACK_URLS, where the settings may leave it
 * unset, does the request's own origin serve.
 */
export const publicBase = (req: HttpRequest, addressing: Addressing): string =>
  addressing.publicBaseUrl ?? new URL(req.url).origin;

/** An absolute URL of this app; it carries the caller's `code`, so a poller that only follows it still gets in. */
export function locationOf(req: HttpRequest, addressing: Addressing, path: string): string {
  const url = new URL(`${publicBase(req, addressing)}${path}`);
  const code = req.query.get('code');
  if (code) url.searchParams.set('code', code);
  return url.toString();
}

type Responding = Addressing & Pick<Config, 'retryAfter'>;

/** The Logic Apps async pattern: 202 + Location + Retry-After until done, then 200. */
function asyncResponse(req: HttpRequest, config: Responding, body: unknown, done: boolean, path: string) {
  if (done) return jsonResponse(200, body);
  return jsonResponse(202, body, {
    Location: locationOf(req, config, path),
    'Retry-After': String(config.retryAfter.runningSeconds),
  });
}

/** 202 while the operation runs, 200 once completed or failed. */
export const operationResponse = (req: HttpRequest, config: Responding, op: OperationBody): HttpResponseInit =>
  asyncResponse(req, config, op, isTerminal(op.status), operationPath(op.callId, op.id));

/** 202 while the call is being set up (a call the service started has no state until Graph reports one), 200 after. */
export const callResponse = (req: HttpRequest, config: Responding, call: CallBody): HttpResponseInit =>
  asyncResponse(
    req,
    config,
    call,
    call.state !== null ? !isSettingUp(call.state) : !call.startedByService,
    callPath(call.id),
  );
