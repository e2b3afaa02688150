import { type CallbackTokenValidator, createCallbackTokenValidator } from './auth/callbackToken';
import { type Config, getConfig } from './config';
import type { GraphGateway } from './graph/graphGateway';
import type { Logger } from './logger';
import type { NotificationDeps } from './notifications/applyNotifications';
import type { ReadDeps } from './operations/readOperations';
import type { InviteDeps } from './operations/startInvite';
import { OperationRepository } from './storage/operationRepository';
import { RosterRepository } from './storage/rosterRepository';
import { lazyTables, type TableAccess } from './storage/tableClients';
import type { DeliveryDeps } from './webhooks/deliverWebhook';
import { postJson } from './webhooks/postJson';
import { storageQueueScheduler } from './webhooks/webhookQueue';
import type { WebhookScheduler } from './webhooks/webhookScheduler';

/** Everything the handlers need, created once per process on first use. */
export interface Services {
  config: Config;
  tables: TableAccess;
  operations: OperationRepository;
  roster: RosterRepository;
  webhooks: WebhookScheduler;
  graph: () => Promise<GraphGateway>;
  callbackTokens: CallbackTokenValidator;
  now: () => Date;
}

export function createServices(config: Config): Services {
  const tables = lazyTables(config.tables);
  let graph: Promise<GraphGateway> | undefined;
  return {
    config,
    tables,
    operations: new OperationRepository(tables),
    roster: new RosterRepository(tables),
    webhooks: storageQueueScheduler(config.webhooks.queue),
    // The Graph client and @azure/identity load on the first invite, not at cold start.
    graph: () => {
      graph ??= import('./graph/graphGateway.js').then((m) => m.createGraphGateway(config.graph));
      graph.catch(() => (graph = undefined));
      return graph;
    },
    callbackTokens: createCallbackTokenValidator(config.callback, config.allowLoopbackUrls),
    now: () => new Date(),
  };
}

let services: Services | undefined;
export function getServices(): Services {
  services ??= createServices(getConfig());
  return services;
}

// What each use case needs, taken from the services and settings.

export const readDeps = (s: Services): ReadDeps => ({
  operations: s.operations,
  roster: s.roster,
  now: s.now,
  ringTimeoutMs: s.config.ringTimeoutMs,
});

export const inviteDeps = (
  s: Services,
  log: Logger & { traceContext?: { traceParent?: string | null } },
): InviteDeps => ({
  operations: s.operations,
  graph: s.graph,
  webhooks: s.webhooks,
  graphDeadlineMs: s.config.graph.deadlineMs,
  retryAfterSeconds: { running: s.config.retryAfter.runningSeconds },
  now: s.now,
  log,
  traceParent: validTraceParent(log.traceContext?.traceParent),
});

// Kept on the operation: only a W3C traceparent as the host forms it, never arbitrary header text.
const TRACE_PARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const validTraceParent = (value: string | null | undefined) => (value && TRACE_PARENT.test(value) ? value : undefined);

export const deliveryDeps = (s: Services, log: Logger): DeliveryDeps => {
  const settings = s.config.webhooks;
  return {
    ...readDeps(s),
    webhooks: s.webhooks,
    post: (url, body) =>
      postJson(url, body, { timeoutMs: settings.timeoutMs, allowLoopback: s.config.allowLoopbackUrls }),
    maxAttempts: settings.maxAttempts,
    retryBaseSeconds: settings.retryBaseSeconds,
    // A delivery in progress holds its operation this long: two POST timeouts and some slack.
    leaseMs: settings.timeoutMs * 2 + 10_000,
    log,
  };
};

export const notificationDeps = (s: Services, log: Logger): NotificationDeps => ({
  operations: s.operations,
  roster: s.roster,
  webhooks: s.webhooks,
  maxBatchItems: s.config.limits.notificationsPerBatch,
  now: s.now,
  log,
});
