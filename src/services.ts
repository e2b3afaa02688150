// The composition root: the one place where settings, clients and stores are created and wired
// into what each use case needs. Everything here is made once per process on first use, so a
// cold start stays small; tests hand the handlers services of their own (provideServices).
import { type CallbackTokenValidator, createCallbackTokenValidator } from './auth/callbackToken';
import type { CallStore } from './calls/callStore';
import type { CallDeps } from './calls/callUseCases';
import type { StartCallDeps } from './calls/startCall';
import { type Config, getConfig, requireResolvedSettings } from './config';
import type { GraphGateway } from './graph/graphGateway';
import { KeyedBatches } from './keyedBatches';
import type { Logger } from './logger';
import type { NotificationDeps } from './notifications/applyNotifications';
import { CallTenants } from './notifications/callTenants';
import { type Once, once } from './once';
import type { OperationStore } from './operations/operationStore';
import type { ReadDeps } from './operations/readOperations';
import type { InviteDeps } from './operations/startInvite';
import type { PurgeDeps } from './retention/purgeOldRecords';
import type { RosterWrites } from './roster/applyRosterChange';
import type { RosterStore } from './roster/rosterStore';
import { checkStorage } from './storage/checkStorage';
import { OperationRepository } from './storage/operationRepository';
import { loadPagingKey } from './storage/pagingKey';
import { RosterRepository } from './storage/rosterRepository';
import { lazyTables, type TableAccess } from './storage/tableClients';
import type { DeliveryDeps } from './webhooks/deliverWebhook';
import type { EventSubscriptionStore } from './webhooks/eventSubscriptions';
import { postJson } from './webhooks/postJson';
import type { SubscribeDeps } from './webhooks/subscribeToEvents';
import type { SweepDeps } from './webhooks/sweepWebhooks';
import { storageQueueScheduler } from './webhooks/webhookQueue';
import type { WebhookScheduler } from './webhooks/webhookScheduler';

/** Everything the handlers need. */
export interface Services {
  config: Config;
  /** The Table clients (retention works on them directly); `forget()` recreates them after a table vanished. */
  tables: TableAccess;
  /** One cheap round trip to storage: throws when it does not answer. */
  checkStorage: () => Promise<void>;
  operations: OperationStore;
  roster: RosterStore;
  /** The calls beside their rosters: the same table as `roster`. */
  calls: CallStore;
  /** Subscriptions to calls' events: the same table as `roster`. */
  eventSubscriptions: EventSubscriptionStore;
  webhooks: WebhookScheduler;
  graph: () => Promise<GraphGateway>;
  callbackTokens: CallbackTokenValidator;
  /** A call's roster changes on this instance, committed a batch at a time (src/roster/applyRosterChange.ts). */
  rosterWrites: RosterWrites;
  /** Holds each call to one tenant's callback tokens; absent when one tenant's callbacks are accepted. */
  callTenants: CallTenants | undefined;
  /** The deployment's key that signs `$skiptoken`s, read (or made) once per process; forgotten with the tables. */
  pagingKey: Once<Buffer>;
  now: () => Date;
}

export function createServices(config: Config): Services {
  const tables = lazyTables(config.tables);
  const rosters = new RosterRepository(tables);
  return {
    config,
    tables,
    checkStorage: () => checkStorage(tables),
    operations: new OperationRepository(tables),
    roster: rosters,
    calls: rosters,
    eventSubscriptions: rosters,
    webhooks: storageQueueScheduler(config.webhooks.queue),
    // The Graph client and @azure/identity load on the first invite, not at cold start.
    graph: once(async () => (await import('./graph/graphGateway.js')).createGraphGateway(config.graph)),
    callbackTokens: createCallbackTokenValidator(config.callback, config.allowLoopbackUrls),
    rosterWrites: new KeyedBatches(),
    pagingKey: once(() => loadPagingKey(tables)),
    callTenants: callTenantsFor(config, rosters),
    now: () => new Date(),
  };
}

/** Tenants are recorded per call only when callbacks of several tenants are accepted (src/notifications/callTenants.ts). */
export function callTenantsFor(config: Config, calls: CallStore): CallTenants | undefined {
  const tenants = config.callback.allowedTenants;
  return tenants !== 'any' && tenants.length === 1 ? undefined : new CallTenants(calls);
}

let current: Services | undefined;

/** The process's services, made on first use from the app settings, or those provided. */
export function getServices(): Services {
  current ??= createServices(getConfig());
  return current;
}

/** The process's services, refusing (SettingsUnresolved) while a setting holds an unresolved Key Vault reference. */
export function getResolvedServices(): Services {
  const services = getServices();
  requireResolvedSettings(services.config);
  return services;
}

/** Hands the handlers these services (in-memory stores, a stand-in Graph) until called again; undefined resets. */
export function provideServices(services: Services | undefined): void {
  current = services;
}

// What each use case needs, taken from the services and settings.

export const readDeps = (s: Services): ReadDeps => ({
  operations: s.operations,
  roster: s.roster,
  now: s.now,
  ringTimeoutMs: s.config.ringTimeoutMs,
});

// Kept on the operation: only a W3C traceparent as the host forms it, never arbitrary header text.
const TRACE_PARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const validTraceParent = (value: string | null | undefined) => (value && TRACE_PARENT.test(value) ? value : undefined);

export const inviteDeps = (
  s: Services,
  log: Logger & { traceContext?: { traceParent?: string | null } },
): InviteDeps => ({
  operations: s.operations,
  calls: s.calls,
  graph: s.graph,
  webhooks: s.webhooks,
  graphDeadlineMs: s.config.graph.deadlineMs,
  retryAfterSeconds: { running: s.config.retryAfter.runningSeconds },
  now: s.now,
  log,
  traceParent: validTraceParent(log.traceContext?.traceParent),
});

/** What a change of a call's roster needs (it makes events, which wake subscriptions). */
const rosterChangeDeps = (s: Services) => ({
  roster: s.roster,
  botAppId: s.config.botAppId,
  rosterWrites: s.rosterWrites,
  eventSubscriptions: s.eventSubscriptions,
  operations: s.operations,
  webhooks: s.webhooks,
});

/**
 * For one of Graph's callbacks: `graphCallback`, Graph's support headers, for the log; `token`, what
 * its token says (its `tid` holds calls to one tenant when several tenants' callbacks are accepted).
 */
export const notificationDeps = (
  s: Services,
  log: Logger,
  request: { graphCallback?: Record<string, string>; token?: { tenantId?: string } } = {},
): NotificationDeps => ({
  ...rosterChangeDeps(s),
  calls: s.calls,
  graph: s.graph,
  incomingCalls: s.config.incomingCalls,
  callbackUri: s.config.callbackUri,
  rosterUpdates: s.config.rosterUpdates,
  maxBatchItems: s.config.limits.notificationsPerBatch,
  now: s.now,
  log,
  graphCallback: request.graphCallback,
  tenancy: request.token && s.callTenants ? { tenants: s.callTenants, tokenTenant: request.token.tenantId } : undefined,
});

export const deliveryDeps = (s: Services, log: Logger): DeliveryDeps => {
  const settings = s.config.webhooks;
  return {
    ...readDeps(s),
    calls: s.calls,
    eventSubscriptions: s.eventSubscriptions,
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

export const startCallDeps = (s: Services, log: Logger): StartCallDeps => ({
  ...rosterChangeDeps(s),
  calls: s.calls,
  graph: s.graph,
  graphDeadlineMs: s.config.graph.deadlineMs,
  retryAfterSeconds: { running: s.config.retryAfter.runningSeconds },
  now: s.now,
  log,
});

export const callDeps = (s: Services, log: Logger): CallDeps => ({
  ...rosterChangeDeps(s),
  calls: s.calls,
  graph: s.graph,
  now: s.now,
  log,
});

export const subscriptionDeps = (s: Services): SubscribeDeps => ({
  roster: s.roster,
  calls: s.calls,
  operations: s.operations,
  eventSubscriptions: s.eventSubscriptions,
  webhooks: s.webhooks,
  now: s.now,
});

/** The sweep counts a delivery as lost once it is overdue by a delivery's lease. */
export const sweepDeps = (s: Services, log: Logger): SweepDeps => {
  const delivery = deliveryDeps(s, log);
  return { ...delivery, graceMs: delivery.leaseMs };
};

/** Records unchanged for RETENTION_DAYS go. */
export const purgeDeps = (s: Services, log: Logger): PurgeDeps & { cutoff: Date } => ({
  ...readDeps(s),
  tables: s.tables,
  log,
  cutoff: new Date(s.now().getTime() - s.config.retention.days * 86_400_000),
});
