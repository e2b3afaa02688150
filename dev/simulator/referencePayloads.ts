// The reference pages' invite answer, and the callbacks of an invite by invitee: who Graph reports
// how (../shared/reference/004_*.txt), on the shared builders of ../graphPayloads.

import { type Identities, identitySet, kindsOf, operationNotification, participant } from '../graphPayloads';

type Json = Record<string, unknown>;
export interface Invitee {
  identity: Identities;
  replacesCallId?: string | null;
}

const IDENTITY = '#microsoft.graph.identity';

/** The invite's 200 answer: `Running`, each participant's identity padded with null kinds. */
export function inviteResponse(operationId: string, clientContext: string, invitees: Invitee[]): Json {
  const phoneOnly = invitees.some((p) => p.identity.phone);
  return {
    '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
    id: operationId,
    status: 'Running',
    clientContext,
    resultInfo: null,
    participants: invitees.map((p) => ({
      endpointType: null,
      ...(phoneOnly ? { id: null } : {}),
      replacesCallId: invitees.length === 1 ? (p.replacesCallId ?? null) : null,
      identity: {
        user: null,
        ...(phoneOnly ? { guest: null, encrypted: null, onPremises: null, applicationInstance: null } : {}),
        application: null,
        device: null,
        phone: null,
        ...Object.fromEntries(kindsOf(p.identity).map(([k, v]) => [k, { '@odata.type': IDENTITY, ...v }])),
      },
    })),
  };
}

/**
 * An invite's operation notification. With several invitees Graph reports the operation at
 * `/operations/participants` with `id: null` (example 2); otherwise under its id, `/app/calls/...`.
 */
export function inviteOperationNotification(args: {
  callId: string;
  operationId: string;
  clientContext: string;
  invitees: Invitee[];
  status: 'running' | 'completed' | 'failed';
  resultInfo?: Json | null;
}): Json {
  const grouped = args.invitees.length > 1;
  return operationNotification({
    callId: args.callId,
    operationId: grouped ? null : args.operationId,
    clientContext: args.clientContext,
    status: args.status,
    resultInfo: args.resultInfo,
    participants: args.invitees.map((p) => ({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: identitySet(p.identity),
    })),
    resourcePrefix: grouped ? 'communications' : 'app',
  });
}

/**
 * An invitee in a roster, as Graph reports it: an invited user as `application` with the same id
 * (examples 1 and 2, `reportedAsApplication`), phone invitees under `participantInfo`, `id: null`
 * (every reference example) until the roster gives it one.
 */
export function inviteeParticipant(
  invitee: Invitee,
  index: number,
  options: { inLobby?: boolean; reportedAsApplication?: Invitee } = {},
): Json {
  const user = invitee.identity.user;
  const identity =
    user && invitee === options.reportedAsApplication ? { application: { id: user.id } } : invitee.identity;
  return participant(identity, {
    infoType: invitee.identity.phone ? 'participantInfo' : 'invitationParticipantInfo',
    sourceId: String(index * 2 + 1),
    extra: { isInLobby: Boolean(options.inLobby), id: null },
  });
}

/** Which member of a roster an invitee is: its identity's id. */
export const memberKeyOf = (invitee: Invitee) => kindsOf(invitee.identity)[0]?.[1].id ?? '';
