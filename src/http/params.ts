import type { HttpRequest } from '@azure/functions';

import { canonicalGuid } from '../ids';
import { badRequest } from './apiError';

/** The route's `{callId}`: a GUID in either form, else 400 before any storage or Graph access. */
export function parseCallId(req: HttpRequest): { asGiven: string; canonical: string } {
  const asGiven = req.params.callId ?? '';
  const canonical = canonicalGuid(asGiven);
  if (!canonical) {
    throw badRequest('callId must be a GUID, with or without dashes.', [{ path: 'callId', message: 'must be a GUID' }]);
  }
  return { asGiven, canonical };
}

export function parseOperationId(req: HttpRequest): string {
  const id = (req.params.operationId ?? '').trim();
  if (!id || id.length > 256) {
    throw badRequest('operationId must be 1 to 256 characters.', [
      { path: 'operationId', message: 'must be 1 to 256 characters' },
    ]);
  }
  return id;
}
