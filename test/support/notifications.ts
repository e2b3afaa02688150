import { randomUUID } from 'node:crypto';

/** Builders for commsNotifications shaped as in reference 004, with the ids a test chooses. */
export function operationNotification(args: {
  callId: string;
  operationId?: string | null;
  clientContext?: string;
  status: string;
  changeType?: string;
  type?: string;
  resultInfo?: unknown;
  pathSegment?: string;
}) {
  const segment = args.pathSegment ?? args.operationId ?? 'participants';
  return wrap({
    changeType: args.changeType ?? (/(completed|failed)/i.test(args.status) ? 'deleted' : 'updated'),
    resource: `/app/calls/${args.callId}/operations/${segment}`,
    resourceUrl: `/communications/calls/${args.callId}/operations/${segment}`,
    resourceData: {
      '@odata.type': `#microsoft.graph.${args.type ?? 'inviteParticipantsOperation'}`,
      status: args.status,
      clientContext: args.clientContext,
      id: args.operationId ?? null,
      ...(args.resultInfo !== undefined ? { resultInfo: args.resultInfo } : {}),
    },
  });
}

export function participant(kind: string, id: string, extra: Record<string, unknown> = {}) {
  return {
    '@odata.type': '#microsoft.graph.participant',
    info: {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        [kind]: { '@odata.type': '#microsoft.graph.identity', id },
      },
      endpointType: 'default',
    },
    mediaStreams: [
      {
        '@odata.type': '#microsoft.graph.mediaStream',
        mediaType: 'audio',
        sourceId: '1',
        direction: 'sendReceive',
        serverMuted: false,
      },
    ],
    isMuted: false,
    isInLobby: false,
    id: null,
    ...extra,
  };
}

export function rosterNotification(callId: string, participants: unknown[], changeType = 'updated') {
  return wrap({
    changeType,
    resource: `/app/calls/${callId}/participants`,
    resourceUrl: `/communications/calls/${callId}/participants`,
    resourceData: participants,
  });
}

export function callNotification(callId: string, state: string, changeType = 'updated', resultInfo?: unknown) {
  return wrap({
    changeType,
    resource: `/communications/calls/${callId}`,
    resourceUrl: `/communications/calls/${callId}`,
    resourceData: { '@odata.type': '#microsoft.graph.call', id: callId, state, ...(resultInfo ? { resultInfo } : {}) },
  });
}

export function wrap(...items: Array<Record<string, unknown>>): {
  '@odata.type': string;
  value: Array<Record<string, unknown>>;
} {
  return {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: items.map((item) => ({ '@odata.type': '#microsoft.graph.commsNotification', ...item })),
  };
}

/** Joins the items of several batches into one batch. */
export function batch(...bodies: Array<{ value: unknown[] }>) {
  return { '@odata.type': '#microsoft.graph.commsNotifications', value: bodies.flatMap((b) => b.value) };
}

export const newOperationId = () => randomUUID();
