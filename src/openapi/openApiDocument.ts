import type { HttpRoute } from '../routeRows';
import {
  CallEventSubscriptionRequest,
  EventsTriggerRequest,
  EventSubscriptionBody,
} from '../schemas/eventSubscriptionRequest';
import { InviteRequest } from '../schemas/inviteRequest';
import {
  CallBody,
  CallEventBody,
  CallEventListBody,
  ErrorBody,
  OperationBody,
  OperationListBody,
  RosterBody,
} from '../schemas/responses';
import { StartCallRequest } from '../schemas/startCallRequest';
import { toSwaggerSchema } from './swagger2';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
const callIdParameter = {
  name: 'callId',
  in: 'path',
  required: true,
  type: 'string',
  'x-ms-summary': 'Call id',
  description: 'The Graph call id, a GUID with or without dashes.',
};
const operationIdParameter = {
  name: 'operationId',
  in: 'path',
  required: true,
  type: 'string',
  'x-ms-summary': 'Operation id',
};
// Paging as Graph pages (src/http/paging.ts): a page size, and the continuation a page's
// @odata.nextLink carries (followed as a whole URL; a flow never writes it by hand).
const pagingParameters = [
  {
    name: '$top',
    in: 'query',
    required: false,
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 100,
    'x-ms-summary': 'Page size',
    description: 'How many to answer, 1 to 1000 (default 100); @odata.nextLink answers the rest.',
  },
  {
    name: '$skiptoken',
    in: 'query',
    required: false,
    type: 'string',
    'x-ms-summary': 'Continuation',
    'x-ms-visibility': 'internal',
    description: 'Where the previous page stopped, as its @odata.nextLink gives it; opaque.',
  },
];
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s] ?? 'Error', schema: ref('error') }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; details names each field',
  401: 'Missing or wrong function key (callback: missing or invalid Graph token)',
  403: 'Graph refused the invite (UpstreamError)',
  404: 'Unknown call or operation',
  409: 'clientContext reused with another body, or Graph conflict',
  413: 'Body over the limit',
  502: 'Graph answered with something unusable',
  503: 'Storage or Graph unavailable; retry after Retry-After seconds',
};
/** The headers of a 202 that Logic Apps and Power Platform poll: where, and when. */
const pollHeaders = (what: 'operation' | 'call') => ({
  Location: { type: 'string', description: `Absolute URL of the ${what}: poll it while it answers 202.` },
  'Retry-After': { type: 'integer', description: 'Seconds to wait before polling again.' },
});
const functionKey = [{ functionKey: [] }];
const subscriptionIdParameter = {
  name: 'subscriptionId',
  in: 'path',
  required: true,
  type: 'string',
  'x-ms-summary': 'Subscription id',
};
const subscribed = {
  description: 'Subscribed',
  schema: ref('eventSubscription'),
  headers: {
    Location: { type: 'string', description: 'Absolute URL of the subscription: DELETE it to unsubscribe.' },
  },
};
/** What a webhook trigger's flow receives: one event (x-ms-notification-content, on the path). */
const NOTIFICATION_CONTENT: Partial<Record<string, Json>> = {
  subscribeCallEvents: { description: 'An event of the call', schema: ref('callEvent') },
  subscribeEvents: { description: 'An event of a call', schema: ref('callEvent') },
};

/** A list action a flow's pagination can follow to its end: Power Platform's x-ms-pageable. */
const pageable = { 'x-ms-pageable': { nextLinkName: '@odata.nextLink' } };

// Each HTTP route's connector operation, by route name (its path, method and security come from the
// route table), or null for a route that is not one: Graph's callback, health, this document, and
// the HTTP Webhook pattern's routes — a connector offers webhooks only as triggers, which Power
// Platform registers on every save of a flow, and registering must never invite anyone.
// Power Platform follows 202 + Location + Retry-After by itself: no AutoRest extension is needed
// (x-ms-long-running-operation is refused by its connector schema).

const OPERATIONS: Record<string, Json | null> = {
  invite: {
    operationId: 'InviteParticipants',
    summary: 'Invite participants into a call',
    description:
      'Sends Graph participant: invite. Answers 202 with Location and Retry-After until the invite is completed or failed.',
    parameters: [callIdParameter, { name: 'body', in: 'body', required: true, schema: ref('inviteRequest') }],
    responses: {
      '200': { description: 'The invite is already completed or failed', schema: ref('operation') },
      '202': { description: 'The invite is running', schema: ref('operation'), headers: pollHeaders('operation') },
      ...errors(400, 401, 403, 404, 409, 413, 502, 503),
    },
  },
  getOperation: {
    operationId: 'GetOperation',
    summary: 'Get an operation',
    description:
      "An invite or another operation of the call: 202 while it runs, 200 once completed or failed, with each invitee's outcome.",
    parameters: [callIdParameter, operationIdParameter],
    responses: {
      '200': { description: 'Completed or failed', schema: ref('operation') },
      '202': { description: 'Still running', schema: ref('operation'), headers: pollHeaders('operation') },
      ...errors(400, 401, 404, 503),
    },
  },
  listOperations: {
    operationId: 'ListOperations',
    summary: "List a call's operations",
    description:
      'The operations the service knows for the call, invites and those learned from notifications, newest first, a page at a time: @odata.nextLink while more remain.',
    parameters: [callIdParameter, ...pagingParameters],
    ...pageable,
    responses: {
      '200': { description: 'Newest first', schema: ref('operationList') },
      ...errors(400, 401, 404, 503),
    },
  },
  getRoster: {
    operationId: 'GetRoster',
    summary: "Get the call's roster",
    description:
      "Who is in the call, and the call's state, from Graph's notifications, a page at a time: @odata.nextLink while more remain.",
    parameters: [callIdParameter, ...pagingParameters],
    ...pageable,
    responses: {
      '200': { description: 'The latest roster', schema: ref('roster') },
      ...errors(400, 401, 404, 503),
    },
  },
  getEvents: {
    operationId: 'ListCallEvents',
    summary: "List a call's events",
    description:
      'Who joined, waited in the lobby or left, a call to the bot and the end of the call, oldest first, a page at a time: @odata.nextLink while more remain. after: only events after that sequence.',
    parameters: [
      callIdParameter,
      {
        name: 'after',
        in: 'query',
        required: false,
        type: 'integer',
        minimum: 0,
        'x-ms-summary': 'After sequence',
        description:
          'Only events after this one (the sequence of the last event you have); 0 or absent: from the first.',
      },
      ...pagingParameters,
    ],
    ...pageable,
    responses: {
      '200': { description: 'Oldest first', schema: ref('callEventList') },
      ...errors(400, 401, 404, 503),
    },
  },
  // Webhook triggers (Power Platform: x-ms-trigger on the subscription, a callbackUrl marked
  // x-ms-notification-url, 201 + Location, and a DELETE of that Location to unsubscribe). Saving a
  // flow registers them again: registering only subscribes, it never starts anything.
  subscribeCallEvents: {
    operationId: 'WhenCallEvent',
    summary: 'When someone joins or leaves a call',
    description:
      "Each later event of the call: someone joined, waits in the lobby or left, and the call's end, after which the subscription ends. With an identity id, that person's events only.",
    'x-ms-trigger': 'single',
    'x-ms-trigger-hint': 'To see it work, invite someone into the call, or have someone leave it.',
    parameters: [
      callIdParameter,
      { name: 'body', in: 'body', required: true, schema: ref('callEventSubscriptionRequest') },
    ],
    responses: {
      '201': subscribed,
      ...errors(400, 401, 404, 503),
    },
  },
  unsubscribeCallEvents: {
    operationId: 'StopCallEvents',
    summary: "Stop a call's event subscription",
    description: 'Deletes a subscription to the events of a call (the Location its trigger got).',
    'x-ms-visibility': 'internal',
    parameters: [callIdParameter, subscriptionIdParameter],
    responses: { '204': { description: 'Unsubscribed' }, ...errors(400, 401, 404, 503) },
  },
  subscribeEvents: {
    operationId: 'WhenCallArrives',
    summary: 'When a call arrives',
    description:
      'Each later event of every call of the types chosen: incoming (someone called the bot) by default; add joined, inLobby, left or callEnded for those of every call.',
    'x-ms-trigger': 'single',
    'x-ms-trigger-hint': 'To see it work, call the bot.',
    parameters: [{ name: 'body', in: 'body', required: true, schema: ref('eventsTriggerRequest') }],
    responses: {
      '201': subscribed,
      ...errors(400, 401, 503),
    },
  },
  unsubscribeEvents: {
    operationId: 'StopEvents',
    summary: 'Stop an event subscription',
    description: 'Deletes a subscription to the events of every call (the Location its trigger got).',
    'x-ms-visibility': 'internal',
    parameters: [subscriptionIdParameter],
    responses: { '204': { description: 'Unsubscribed' }, ...errors(400, 401, 404, 503) },
  },
  // The HTTP Webhook action's unsubscribe by clientContext: a connector unsubscribes by Location.
  unsubscribeCallEventsByContext: null,
  notifications: null,
  health: null,
  subscribeInvite: null,
  unsubscribeInvite: null,
  cancelOperationWebhook: null,
  startCall: {
    operationId: 'StartCall',
    summary: 'Join a meeting or call people',
    description:
      'Joins a Teams meeting (by its join link, or its meeting ID and passcode) or calls 1 to 5 people. Answers 202 with Location and Retry-After until the call is established or over.',
    parameters: [{ name: 'body', in: 'body', required: true, schema: ref('startCallRequest') }],
    responses: {
      '200': { description: 'The call is established, or already over', schema: ref('call') },
      '202': { description: 'The call is being set up', schema: ref('call'), headers: pollHeaders('call') },
      ...errors(400, 401, 403, 404, 409, 413, 502, 503),
    },
  },
  getCall: {
    operationId: 'GetCall',
    summary: 'Get a call',
    description: 'A call the service started or heard of: 202 while it is being set up, 200 once established or over.',
    parameters: [callIdParameter],
    responses: {
      '200': { description: 'Established or over', schema: ref('call') },
      '202': { description: 'Being set up', schema: ref('call'), headers: pollHeaders('call') },
      ...errors(400, 401, 404, 503),
    },
  },
  hangUp: {
    operationId: 'HangUp',
    summary: 'Hang up',
    description: 'The bot leaves the call (a meeting goes on without it); its state becomes terminated.',
    parameters: [callIdParameter],
    responses: {
      '202': { description: 'Hanging up; the state becomes terminated when Graph says so' },
      '204': { description: 'The call was already over' },
      ...errors(400, 401, 403, 404, 502, 503),
    },
  },
  removeParticipant: {
    operationId: 'RemoveParticipant',
    summary: 'Remove a participant',
    description: "Removes someone from the call by Graph's participant id, as the roster shows it.",
    parameters: [
      callIdParameter,
      { name: 'participantId', in: 'path', required: true, type: 'string', 'x-ms-summary': 'Participant id' },
    ],
    responses: { '202': { description: 'Being removed' }, ...errors(400, 401, 403, 404, 502, 503) },
  },
  openapi: null,
};

/** The paths of the routes that are connector operations, with the function key where the route wants one. */
function pathsFromRoutes(routes: readonly HttpRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    if (!(route.name in OPERATIONS)) throw new Error(`the route ${route.name} has no OpenAPI description (or null)`);
    const described = OPERATIONS[route.name];
    if (!described) continue;
    const operation = { ...described, ...(route.authLevel === 'function' ? { security: functionKey } : {}) };
    const notified = NOTIFICATION_CONTENT[route.name];
    for (const method of route.methods)
      paths[`/${route.route}`] = {
        ...paths[`/${route.route}`],
        ...(notified ? { 'x-ms-notification-content': notified } : {}),
        [method.toLowerCase()]: operation,
      };
  }
  return paths;
}

/**
 * The OpenAPI 2.0 (Swagger) document of the service, usable as a Power Platform / Logic Apps
 * custom connector. Every schema in it is generated from the zod schemas the handlers validate
 * and answer with.
 */
export function openApiDocument(base: URL, routes: readonly HttpRoute[]): Json {
  const definitions: Json = {};
  toSwaggerSchema(InviteRequest, 'input', definitions);
  toSwaggerSchema(StartCallRequest, 'input', definitions);
  toSwaggerSchema(CallEventSubscriptionRequest, 'input', definitions);
  toSwaggerSchema(EventsTriggerRequest, 'input', definitions);
  for (const schema of [
    OperationBody,
    OperationListBody,
    RosterBody,
    CallBody,
    CallEventBody,
    CallEventListBody,
    EventSubscriptionBody,
    ErrorBody,
  ])
    toSwaggerSchema(schema, 'output', definitions);

  return {
    swagger: '2.0',
    info: {
      title: 'Graph call invites',
      version: '1.0',
      description:
        'Invite people into a Microsoft Teams / Graph call, follow the invite to its end, and read who is in the call.',
    },
    host: base.host,
    basePath: `${base.pathname.replace(/\/+$/, '')}/api`,
    schemes: [base.protocol === 'http:' ? 'http' : 'https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    // The key as `code`: the async actions' polls follow Location, which carries the key only when it
    // came as `code` (whether Power Platform re-applies a header key to those polls is not documented).
    securityDefinitions: { functionKey: { type: 'apiKey', in: 'query', name: 'code' } },
    paths: pathsFromRoutes(routes),
    definitions,
  };
}
