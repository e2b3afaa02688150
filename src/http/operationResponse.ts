import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { OperationRecord } from '../operations/operationRecord';
import { toOperationBody } from '../operations/readOperations';
import { isTerminal } from '../schemas/operationStatus';
import { jsonResponse } from './errorResponse';
import { operationPath } from './routes';

/** Absolute URL of the operation; carries the caller's `code` so a poller following it gets in. */
export function operationLocation(req: HttpRequest, op: OperationRecord): string {
  const url = new URL(operationPath(op.callId, op.id), req.url);
  const code = req.query.get('code');
  if (code) url.searchParams.set('code', code);
  return url.toString();
}

/** The async pattern: 202 + Location + Retry-After while the operation runs, 200 once terminal. */
export function operationResponse(req: HttpRequest, op: OperationRecord, retryAfterSeconds: number): HttpResponseInit {
  const body = toOperationBody(op);
  if (isTerminal(op.status)) return jsonResponse(200, body);
  return jsonResponse(202, body, { Location: operationLocation(req, op), 'Retry-After': String(retryAfterSeconds) });
}
