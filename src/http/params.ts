import type { HttpRequest } from '@azure/functions';

import { invalidField } from '../errors';
import { canonicalGuid, canonicalOperationId } from '../ids';

/** The route's `{callId}`: a GUID in either form, else 400 before any storage or Graph access. */
export function parseCallId(req: HttpRequest): { asGiven: string; canonical: string } {
  const asGiven = req.params.callId ?? '';
  const canonical = canonicalGuid(asGiven);
  if (!canonical) {
    throw invalidField('callId', 'must be a GUID, with or without dashes');
  }
  return { asGiven, canonical };
}

/** The route's `{operationId}`, in the canonical form ids are stored in (a GUID lowercased and dashed). */
export function parseOperationId(req: HttpRequest): string {
  const id = (req.params.operationId ?? '').trim();
  if (!id || id.length > 256) throw invalidField('operationId', 'must be 1 to 256 characters');
  return canonicalOperationId(id);
}

/**
 * The route's `{participantId}`: Graph's participant id (a GUID), passed on as given. Anything else
 * (`.`, `..`, an encoded `/`) is a 400 before a Graph path is built from it: it would name another
 * Graph resource than the participant.
 */
export function parseParticipantId(req: HttpRequest): string {
  const id = req.params.participantId ?? '';
  if (!canonicalGuid(id))
    throw invalidField('participantId', "must be Graph's participant id (a GUID), as the roster shows it");
  return id;
}

/** The route's `{subscriptionId}`: a GUID, as the service hands them out. */
export function parseSubscriptionId(req: HttpRequest): string {
  const id = canonicalGuid(req.params.subscriptionId ?? '');
  if (!id) throw invalidField('subscriptionId', "must be a GUID, as the subscription's Location gives it");
  return id;
}
