// Payloads shaped as in the Graph reference (../shared/reference/004_*.txt): key names, casing,
// `@odata.type`, `/app/calls` vs `/communications/calls`, `id: null`, and who is reported how.

type Json = Record<string, unknown>;
export interface Invitee {
  identity: Record<string, { id: string; displayName?: string | null } | null | undefined>;
  replacesCallId?: string | null;
}

const IDENTITY = '#microsoft.graph.identity';

/** The identity kinds of a set, without its own `@odata.type` and other annotations. */
const kindsOf = (identity: Invitee['identity']) =>
  Object.entries(identity).filter(
    (entry): entry is [string, { id: string; displayName?: string | null }] =>
      !entry[0].startsWith('@') && typeof entry[1] === 'object' && entry[1] !== null,
  );

const withTypes = (identity: Invitee['identity']): Json => {
  const out: Json = { '@odata.type': '#microsoft.graph.identitySet' };
  for (const [kind, value] of kindsOf(identity)) out[kind] = { '@odata.type': IDENTITY, ...value };
  return out;
};

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
 * An operation notification. With several invitees Graph reports the operation at
 * `/operations/participants` with `id: null` (example 2); otherwise under its id, `/app/calls/...`.
 */
export function operationNotification(args: {
  callId: string;
  operationId: string;
  clientContext: string;
  invitees: Invitee[];
  status: 'running' | 'completed' | 'failed';
  resultInfo?: Json | null;
}): Json {
  const grouped = args.invitees.length > 1;
  const segment = grouped ? 'participants' : args.operationId;
  const resourceData: Json = {
    '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
    participants: args.invitees.map((p) => ({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: withTypes(p.identity),
    })),
    status: args.status,
    clientContext: args.clientContext,
    id: grouped ? null : args.operationId,
  };
  if (args.resultInfo !== undefined) resourceData.resultInfo = args.resultInfo;
  return notifications({
    changeType: args.status === 'running' ? 'updated' : 'deleted',
    resource: `/${grouped ? 'communications' : 'app'}/calls/${args.callId}/operations/${segment}`,
    resourceUrl: `/communications/calls/${args.callId}/operations/${segment}`,
    resourceData,
  });
}

/**
 * A roster notification for invitees who joined. Graph reports an invited user as `application`
 * with the same id (examples 1 and 2), phone invitees under `participantInfo`, and for a
 * replacesCallId invite the roster of the replaced call (example 3).
 */
export function rosterNotification(args: {
  callId: string;
  invitees: Invitee[];
  changeType?: 'created' | 'updated' | 'deleted';
  resourceStyle?: 'app' | 'communications' | 'operations';
  inLobby?: boolean;
  /** The invitee Graph reports as an application (the first of a plain invite, in examples 1 and 2). */
  reportedAsApplication?: Invitee;
}): Json {
  const path =
    args.resourceStyle === 'operations'
      ? `/calls/${args.callId}/operations/participants`
      : `/calls/${args.callId}/participants`;
  const prefix = args.resourceStyle === 'communications' ? '/communications' : '/app';
  return notifications({
    changeType: args.changeType ?? 'updated',
    resource: `${prefix}${path}`,
    resourceUrl: `/communications${path}`,
    resourceData: args.invitees.map((p, index) => {
      const user = p.identity.user;
      const identity = user && p === args.reportedAsApplication ? { application: { id: user.id } } : p.identity;
      return {
        '@odata.type': '#microsoft.graph.participant',
        info: {
          '@odata.type': p.identity.phone
            ? '#microsoft.graph.participantInfo'
            : '#microsoft.graph.invitationParticipantInfo',
          identity: withTypes(identity),
          endpointType: 'default',
        },
        mediaStreams: [
          {
            '@odata.type': '#microsoft.graph.mediaStream',
            mediaType: 'audio',
            sourceId: String(index * 2 + 1),
            direction: 'sendReceive',
            serverMuted: false,
          },
        ],
        isMuted: false,
        isInLobby: Boolean(args.inLobby),
        id: null,
      };
    }),
  });
}

export function callNotification(
  callId: string,
  state: string,
  changeType: 'updated' | 'deleted' = 'updated',
  resultInfo?: Json,
): Json {
  return notifications({
    changeType,
    resource: `/app/calls/${callId}`,
    resourceUrl: `/communications/calls/${callId}`,
    resourceData: { '@odata.type': '#microsoft.graph.call', id: callId, state, ...(resultInfo ? { resultInfo } : {}) },
  });
}

function notifications(item: Json): Json {
  return {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [{ '@odata.type': '#microsoft.graph.commsNotification', ...item }],
  };
}
