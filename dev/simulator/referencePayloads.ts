// The reference pages' invite answer, and the callbacks of an invite by invitee: who Graph reports
// how (../shared/reference/004_*.txt), on the shared builders of ../graphPayloads.

import {
  type Identities,
  identitySet,
  kindsOf,
  operationNotification,
  participant,
  rosterNotification,
  type RosterPath,
} from '../graphPayloads';

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
 * A roster notification for invitees who joined. Graph reports an invited user as `application`
 * with the same id (examples 1 and 2), phone invitees under `participantInfo`, and for a
 * replacesCallId invite the roster of the replaced call (example 3).
 */
export function inviteeRosterNotification(args: {
  callId: string;
  invitees: Invitee[];
  changeType?: 'created' | 'updated' | 'deleted';
  resourceStyle?: RosterPath;
  inLobby?: boolean;
  /** The invitee Graph reports as an application (the first of a plain invite, in examples 1 and 2). */
  reportedAsApplication?: Invitee;
  /** The participant id of each invitee; `id: null` (every reference example) when none. */
  idOf?: (invitee: Invitee) => string | undefined;
}): Json {
  const members = args.invitees.map((p, index) => {
    const user = p.identity.user;
    const identity = user && p === args.reportedAsApplication ? { application: { id: user.id } } : p.identity;
    return participant(identity, {
      infoType: p.identity.phone ? 'participantInfo' : 'invitationParticipantInfo',
      sourceId: String(index * 2 + 1),
      extra: { isInLobby: Boolean(args.inLobby), id: args.idOf?.(p) ?? null },
    });
  });
  return rosterNotification(args.callId, members, args.changeType ?? 'updated', args.resourceStyle ?? 'app');
}
