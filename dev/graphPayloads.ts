// Graph's commsNotifications and answers, shaped as the reference pages (../shared/reference/004_*.txt)
// and Graph's other published pages show them: key names, casing, `@odata.type` annotations,
// `/app/calls` vs `/communications/calls`, `id: null`. The one set of builders the simulator,
// the tests and the benchmark share.

type Json = Record<string, unknown>;

/** An identity set as a test or the simulator writes it: kind -> { id, displayName? }. */
export type Identities = Record<string, { id: string; displayName?: string | null } | null | undefined>;

const IDENTITY = '#microsoft.graph.identity';

/** The identity kinds of a set, without its own `@odata.type` and other annotations. */
export const kindsOf = (identity: Identities) =>
  Object.entries(identity).filter(
    (entry): entry is [string, { id: string; displayName?: string | null }] =>
      !entry[0].startsWith('@') && typeof entry[1] === 'object' && entry[1] !== null,
  );

/** The identity set with Graph's `@odata.type` annotations on it and on each identity. */
export const identitySet = (identity: Identities): Json => {
  const out: Json = { '@odata.type': '#microsoft.graph.identitySet' };
  for (const [kind, value] of kindsOf(identity)) out[kind] = { '@odata.type': IDENTITY, ...value };
  return out;
};

/** A roster entry as the reference examples show it (`id: null`, one audio stream). */
export function participant(
  identity: Identities,
  options: { infoType?: 'participantInfo' | 'invitationParticipantInfo'; sourceId?: string; extra?: Json } = {},
): Json {
  return {
    '@odata.type': '#microsoft.graph.participant',
    info: {
      '@odata.type': `#microsoft.graph.${options.infoType ?? 'participantInfo'}`,
      identity: identitySet(identity),
      endpointType: 'default',
    },
    mediaStreams: [
      {
        '@odata.type': '#microsoft.graph.mediaStream',
        mediaType: 'audio',
        sourceId: options.sourceId ?? '1',
        direction: 'sendReceive',
        serverMuted: false,
      },
    ],
    isMuted: false,
    isInLobby: false,
    id: null,
    ...options.extra,
  };
}

/** A participant known by one identity of one kind, with fields of the test's own. */
export const participantOf = (kind: string, id: string, extra: Json = {}) => participant({ [kind]: { id } }, { extra });

/** Where Graph reports a call's roster: `/app/calls/{id}/participants` mostly, `/operations/participants` in example 2. */
export type RosterPath = 'app' | 'communications' | 'operations';

/** A roster notification: `created`/`updated` list who is in the call, `deleted` who left. */
export function rosterNotification(
  callId: string,
  participants: unknown[],
  changeType = 'updated',
  path: RosterPath = 'app',
) {
  const below = path === 'operations' ? `/calls/${callId}/operations/participants` : `/calls/${callId}/participants`;
  return wrap({
    changeType,
    resource: `${path === 'communications' ? '/communications' : '/app'}${below}`,
    resourceUrl: `/communications${below}`,
    resourceData: participants,
  });
}

/**
 * An operation notification. `operationId: null` is Graph's form for an invite of several
 * people (example 2): `id: null` at `/operations/participants`. Terminal ones come as `deleted`.
 */
export function operationNotification(args: {
  callId: string;
  operationId?: string | null;
  clientContext?: string;
  status: string;
  changeType?: string;
  type?: string;
  resultInfo?: unknown;
  participants?: unknown[];
  /** The last path segment when it is not the operation id (`participants` when the id is null). */
  pathSegment?: string;
  /** `/app/calls/...` (examples 1, 3, 4) or `/communications/calls/...` (example 2). */
  resourcePrefix?: 'app' | 'communications';
}) {
  const segment = args.pathSegment ?? args.operationId ?? 'participants';
  return wrap({
    changeType: args.changeType ?? (/(completed|failed)/i.test(args.status) ? 'deleted' : 'updated'),
    resource: `/${args.resourcePrefix ?? 'app'}/calls/${args.callId}/operations/${segment}`,
    resourceUrl: `/communications/calls/${args.callId}/operations/${segment}`,
    resourceData: {
      '@odata.type': `#microsoft.graph.${args.type ?? 'inviteParticipantsOperation'}`,
      ...(args.participants ? { participants: args.participants } : {}),
      status: args.status,
      clientContext: args.clientContext,
      id: args.operationId ?? null,
      ...(args.resultInfo !== undefined ? { resultInfo: args.resultInfo } : {}),
    },
  });
}

/** A `call` notification: the call's state (and resultInfo when it ends). */
export function callNotification(callId: string, state: string, changeType = 'updated', resultInfo?: unknown) {
  return wrap({
    changeType,
    resource: `/communications/calls/${callId}`,
    resourceUrl: `/communications/calls/${callId}`,
    resourceData: { '@odata.type': '#microsoft.graph.call', id: callId, state, ...(resultInfo ? { resultInfo } : {}) },
  });
}

/**
 * Someone calls the bot, as the answer page's incoming notification shows it (call-answer): under
 * `/app/calls/` with the call id written `57DAB8B1894C409AB240BD8BEAE78896` (no dashes, upper case),
 * the caller as `source`, the bot, or its resource account (applicationInstance) as the target.
 */
export function incomingCallNotification(
  callId: string,
  options: { caller: Identities; called: Identities; tenantId?: string },
) {
  return wrap({
    changeType: 'created',
    resource: `/app/calls/${callId}`,
    resourceUrl: `/communications/calls/${callId}`,
    resourceData: {
      '@odata.type': '#microsoft.graph.call',
      state: 'incoming',
      direction: 'incoming',
      source: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: identitySet(options.caller),
        region: null,
      },
      targets: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: identitySet(options.called) }],
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
      id: callId,
    },
  });
}

/** A GUID as the answer page writes an incoming call's id: no dashes, upper case. */
export const plainUpperGuid = (guid: string) => guid.replace(/-/g, '').toUpperCase();

/** commsNotifications around the given items, each typed `commsNotification`. */
export function wrap(...items: Json[]): { '@odata.type': string; value: Json[] } {
  return {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: items.map((item) => ({ '@odata.type': '#microsoft.graph.commsNotification', ...item })),
  };
}

/** Joins the items of several batches into one batch. */
export function batch(...bodies: Array<{ value: unknown[] }>) {
  return { '@odata.type': '#microsoft.graph.commsNotifications', value: bodies.flatMap((b) => b.value) };
}
