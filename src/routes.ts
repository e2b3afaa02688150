import type { HttpHandler } from '@azure/functions';

import type { RouteRow } from './routeRows';

export type { HttpRoute, QueueRoute, RouteRow, TimerRoute } from './routeRows';

/**
 * Every function of the app, once: the entry point registers these rows, the OpenAPI document
 * describes the HTTP ones, and the registration test compares them with what the host receives.
 * Handlers load on their first call (`load`), so importing this table loads nothing else: only
 * types are imported here. A new route is a row, a handler in src/handlers/ and a test.
 */
export const routes = [
  {
    name: 'invite',
    trigger: 'http',
    route: 'calls/{callId}/participants/invite',
    methods: ['POST'],
    authLevel: 'function',
    load: () => import('./handlers/invite.js'),
  },
  {
    name: 'getOperation',
    trigger: 'http',
    route: 'calls/{callId}/operations/{operationId}',
    methods: ['GET'],
    authLevel: 'function',
    load: () => import('./handlers/getOperation.js'),
  },
  {
    name: 'listOperations',
    trigger: 'http',
    route: 'calls/{callId}/operations',
    methods: ['GET'],
    authLevel: 'function',
    load: () => import('./handlers/listOperations.js'),
  },
  {
    name: 'getRoster',
    trigger: 'http',
    route: 'calls/{callId}/participants',
    methods: ['GET'],
    authLevel: 'function',
    load: () => import('./handlers/getRoster.js'),
  },
  {
    name: 'getEvents',
    trigger: 'http',
    route: 'calls/{callId}/events',
    methods: ['GET'],
    authLevel: 'function',
    load: () => import('./handlers/getEvents.js'),
  },
  // Graph's callbackUri: Graph sends no function key, so its bearer token is checked instead.
  {
    name: 'notifications',
    trigger: 'http',
    route: 'notifications',
    methods: ['POST'],
    authLevel: 'anonymous',
    load: () => import('./handlers/notifications.js'),
  },
  {
    name: 'health',
    trigger: 'http',
    route: 'health',
    methods: ['GET'],
    authLevel: 'anonymous',
    load: () => import('./handlers/health.js'),
  },
  // The webhook pattern of Logic Apps and Power Platform connectors.
  {
    name: 'subscribeInvite',
    trigger: 'http',
    route: 'calls/{callId}/webhooks/invite',
    methods: ['POST'],
    authLevel: 'function',
    load: () => import('./handlers/subscribeInvite.js'),
  },
  {
    name: 'unsubscribeInvite',
    trigger: 'http',
    route: 'calls/{callId}/webhooks/invite',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/unsubscribeInvite.js'),
  },
  {
    name: 'cancelOperationWebhook',
    trigger: 'http',
    route: 'calls/{callId}/operations/{operationId}/webhook',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/cancelOperationWebhook.js'),
  },
  // Event webhooks (docs/api.md, "Event webhooks"): a connector's webhook triggers.
  {
    name: 'subscribeCallEvents',
    trigger: 'http',
    route: 'calls/{callId}/webhooks/events',
    methods: ['POST'],
    authLevel: 'function',
    load: () => import('./handlers/subscribeCallEvents.js'),
  },
  {
    name: 'unsubscribeCallEventsByContext',
    trigger: 'http',
    route: 'calls/{callId}/webhooks/events',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/unsubscribeCallEventsByContext.js'),
  },
  {
    name: 'unsubscribeCallEvents',
    trigger: 'http',
    route: 'calls/{callId}/webhooks/events/{subscriptionId}',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/unsubscribeCallEvents.js'),
  },
  {
    name: 'subscribeEvents',
    trigger: 'http',
    route: 'webhooks/events',
    methods: ['POST'],
    authLevel: 'function',
    load: () => import('./handlers/subscribeEvents.js'),
  },
  {
    name: 'unsubscribeEvents',
    trigger: 'http',
    route: 'webhooks/events/{subscriptionId}',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/unsubscribeEvents.js'),
  },
  // Calls the service owns (docs/api.md, "Calls the service owns").
  {
    name: 'startCall',
    trigger: 'http',
    route: 'calls',
    methods: ['POST'],
    authLevel: 'function',
    load: () => import('./handlers/startCall.js'),
  },
  {
    name: 'getCall',
    trigger: 'http',
    route: 'calls/{callId}',
    methods: ['GET'],
    authLevel: 'function',
    load: () => import('./handlers/getCall.js'),
  },
  {
    name: 'hangUp',
    trigger: 'http',
    route: 'calls/{callId}',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/hangUp.js'),
  },
  {
    name: 'removeParticipant',
    trigger: 'http',
    route: 'calls/{callId}/participants/{participantId}',
    methods: ['DELETE'],
    authLevel: 'function',
    load: () => import('./handlers/removeParticipant.js'),
  },
  {
    name: 'deliverWebhook',
    trigger: 'queue',
    queueName: 'webhook-deliveries',
    connection: 'WEBHOOK_QUEUE',
    load: () => import('./handlers/deliverWebhook.js'),
  },
  // Anonymous: a connector wizard fetches it without a key.
  {
    name: 'openapi',
    trigger: 'http',
    route: 'openapi.json',
    methods: ['GET'],
    authLevel: 'anonymous',
    // Given the table rather than importing it, so the table's dependencies point one way.
    load: async (): Promise<{ handler: HttpHandler }> => ({
      handler: (await import('./handlers/openapi.js')).serveOpenApi(httpRoutes),
    }),
  },
  {
    name: 'purgeOldRecords',
    trigger: 'timer',
    schedule: '%RETENTION_SCHEDULE%',
    load: () => import('./handlers/purgeOldRecords.js'),
  },
  {
    name: 'keepAliveCalls',
    trigger: 'timer',
    schedule: '%KEEPALIVE_SCHEDULE%',
    load: () => import('./handlers/keepAliveCalls.js'),
  },
  {
    name: 'sweepWebhooks',
    trigger: 'timer',
    schedule: '%WEBHOOK_SWEEP_SCHEDULE%',
    load: () => import('./handlers/sweepWebhooks.js'),
  },
] as const satisfies readonly RouteRow[];

type HttpRow = Extract<(typeof routes)[number], { trigger: 'http' }>;
export type HttpRouteName = HttpRow['name'];

export const httpRoutes: readonly HttpRow[] = routes.filter((r): r is HttpRow => r.trigger === 'http');
