import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { isTerminal } from '../schemas/operationStatus';
import type { OperationBody } from '../schemas/responses';
import { jsonResponse } from './errorResponse';
import { operationPath } from './routes';

/** Absolute URL of the operation; carries the caller's `code` so a poller following it gets in. */
export function operationLocation(req: HttpRequest, op: Pick<OperationBody, 'callId' | 'id'>, suffix = ''): string {
  const url = new URL(operationPath(op.callId, op.id) + suffix, req.url);
  const code = req.query.get('code');
  if (code) url.searchParams.set('code', code);
  return url.toString();
}

/** The async pattern: 202 + Location + Retry-After while the operation runs, 200 once terminal. */
export function operationResponse(req: HttpRequest, op: OperationBody, retryAfterSeconds: number): HttpResponseInit {
  if (isTerminal(op.status)) return jsonResponse(200, op);
  return jsonResponse(202, op, { Location: operationLocation(req, op), 'Retry-After': String(retryAfterSeconds) });
}
