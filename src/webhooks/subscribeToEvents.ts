import { randomUUID } from 'node:crypto';

import type { CallStore } from '../calls/callStore';
import { heardOfCall } from '../calls/heardOfCall';
import { Conflict, NotFound } from '../errors';
import type { OperationStore } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import type { SubscriptionRef } from '../roster/rosterHead';
import type { RosterStore } from '../roster/rosterStore';
import type {
  CallEventSubscriptionRequest,
  EventSubscriptionBody,
  EventSubscriptionRequest,
} from '../schemas/eventSubscriptionRequest';
import { type CallSubscriptionRecord, type EventSubscriptionStore, subscriptionSubject } from './eventSubscriptions';
import type { WebhookScheduler } from './webhookScheduler';

// Each subscription is listed on its call's head; a subscription to every call may add a row to
// every commit of a call (wakeSubscriptions.ts), out of the 100 a transaction holds.
const MAX_SUBSCRIPTIONS_PER_CALL = 100;
const MAX_ALL_CALLS_SUBSCRIPTIONS = 20;

export interface SubscribeDeps {
  roster: RosterStore;
  calls: Pick<CallStore, 'getCall'>;
  operations: Pick<OperationStore, 'hasAny' | 'markWebhookDue'>;
  eventSubscriptions: EventSubscriptionStore;
  webhooks: WebhookScheduler;
  now: () => Date;
}

/**
 * Subscribes to the call's later events (docs/api.md, "Event webhooks"), or those after `after`:
 * its subscription row and its place in the call's head are written together, so a roster change
 * either sees it or came before it. A subscription of the call with the same clientContext is
 * replaced (a Logic Apps HTTP Webhook action subscribing again, its last unsubscribe lost). 404 for
 * a call never seen.
 */
export async function subscribeToCall(
  deps: SubscribeDeps,
  callId: string,
  request: CallEventSubscriptionRequest,
): Promise<EventSubscriptionBody> {
  const createdDateTime = deps.now().toISOString();
  const id = randomUUID();
  const { identityId, clientContext } = request;
  const named = { ...(identityId ? { identityId } : {}), ...(clientContext ? { clientContext } : {}) };
  const subject = subscriptionSubject(id);
  let catchingUp = false;
  await retryOnConflict(async () => {
    const read = await deps.roster.readHead(callId, { fresh: true });
    const known = read.etag !== undefined || read.head.members.size > 0 || (await heardOfCall(deps, callId));
    if (!known) throw new NotFound(`Call ${callId} is not known.`);
    if (read.head.endedAt && request.after === undefined)
      throw new Conflict(`Call ${callId} has ended: there will be no later events (give after to read the past ones).`);
    const replaced = read.head.subscriptions.filter((s) => clientContext && s.clientContext === clientContext);
    if (
      read.head.subscriptions.filter((s) => s.scope === 'call').length - replaced.length >=
      MAX_SUBSCRIPTIONS_PER_CALL
    )
      throw new Conflict(`Call ${callId} has ${MAX_SUBSCRIPTIONS_PER_CALL} event subscriptions, the most it takes.`);
    const record: CallSubscriptionRecord = {
      callId,
      id,
      scope: 'call',
      callbackUrl: request.callbackUrl,
      ...named,
      cursor: request.after ?? read.head.lastSequence,
      delivery: null,
      ended: false,
      createdDateTime,
    };
    // Events already past `after`: delivered from now on, as for a new event (marked, then queued).
    catchingUp = record.cursor < read.head.lastSequence;
    if (catchingUp) await deps.operations.markWebhookDue(callId, subject, createdDateTime);
    const subscriptions = [
      ...read.head.subscriptions.filter((s) => !replaced.includes(s)),
      { id, scope: 'call' as const, ...named },
    ];
    await deps.roster.commit(
      callId,
      {
        head: { ...read.head, subscriptions },
        participants: [],
        events: [],
        subscriptions: { create: [record], remove: replaced.map((s) => s.id) },
      },
      read.etag,
    );
  });
  if (catchingUp) await deps.webhooks.schedule({ callId, operationId: subject, attempt: 0, waits: 0 }, 0);
  return { id, callId, ...named, createdDateTime };
}

/**
 * Ends a subscription to a call's events, named by its id or its clientContext: nothing is sent
 * after this; one already on the wire may arrive. 404 when there is none (any more).
 */
export async function unsubscribeFromCall(
  deps: SubscribeDeps,
  callId: string,
  which: { id: string } | { clientContext: string },
): Promise<void> {
  const ends = (s: SubscriptionRef) =>
    s.scope === 'call' && ('id' in which ? s.id === which.id : s.clientContext === which.clientContext);
  await retryOnConflict(async () => {
    const read = await deps.roster.readHead(callId, { fresh: true });
    const ended = read.head.subscriptions.filter(ends);
    if (!read.etag || ended.length === 0) throw new NotFound(`No such subscription to the events of call ${callId}.`);
    await deps.roster.commit(
      callId,
      {
        head: { ...read.head, subscriptions: read.head.subscriptions.filter((s) => !ends(s)) },
        participants: [],
        events: [],
        subscriptions: { remove: ended.map((s) => s.id) },
      },
      read.etag,
    );
  });
}

/** Subscribes to the later events of every call, of the given types. */
export async function subscribeToAllCalls(
  deps: SubscribeDeps,
  request: EventSubscriptionRequest,
): Promise<EventSubscriptionBody> {
  if ((await deps.eventSubscriptions.allCallsSubscriptions()).length >= MAX_ALL_CALLS_SUBSCRIPTIONS)
    throw new Conflict(
      `There are ${MAX_ALL_CALLS_SUBSCRIPTIONS} subscriptions to every call's events, the most there may be.`,
    );
  const record = {
    id: randomUUID(),
    callbackUrl: request.callbackUrl,
    ...(request.types ? { types: request.types } : {}),
    createdDateTime: deps.now().toISOString(),
  };
  await deps.eventSubscriptions.createAllCallsSubscription(record);
  const { callbackUrl: _secret, ...shown } = record;
  return shown;
}

export async function unsubscribeFromAllCalls(deps: SubscribeDeps, id: string): Promise<void> {
  if (!(await deps.eventSubscriptions.deleteAllCallsSubscription(id)))
    throw new NotFound(`No subscription ${id} to the events of every call.`);
}
