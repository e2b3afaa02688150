import { canonicalGuid } from '../ids';
import type { WebhookState } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import type { SubscriptionRef } from '../roster/rosterHead';
import type { CallEventBody } from '../schemas/responses';

/** The subject of an event subscription's deliveries in queue messages and the sweep's index. */
export const SUBSCRIPTION_SUBJECT_PREFIX = '~sub:';
export const subscriptionSubject = (subscriptionId: string) => `${SUBSCRIPTION_SUBJECT_PREFIX}${subscriptionId}`;

/** The delivery of one event to a subscription: which event, and how it goes. */
export type EventDelivery = WebhookState & { sequence: number };

/**
 * A subscription's share of one call, kept in the call's partition: a subscription to the call,
 * or the call's feed of a subscription to every call. Events are delivered one at a time, in
 * sequence order, from `cursor` on.
 */
export interface CallSubscriptionRecord {
  callId: string;
  id: string;
  scope: SubscriptionRef['scope'];
  /** Where the events go (a subscription to every call keeps it on its own record instead). */
  callbackUrl: string | null;
  identityId?: string;
  types?: string[];
  clientContext?: string;
  /** The last event the subscription is past: delivered, or not one it wants. */
  cursor: number;
  /** The delivery of the next event, while there is one. */
  delivery: EventDelivery | null;
  /** A subscription to one call ends once its callEnded event is delivered. */
  ended: boolean;
  createdDateTime: string;
}

/** A subscription to the events of every call. */
export interface AllCallsSubscriptionRecord {
  id: string;
  callbackUrl: string;
  types?: string[];
  createdDateTime: string;
}

/**
 * Where event subscriptions are kept (the roster table: src/storage/rosterRepository.ts; in memory
 * in the unit tests). A call's subscription rows are created and removed with its roster head
 * (RosterCommit.subscriptions); their delivery state is written here.
 */
export interface EventSubscriptionStore {
  getCallSubscription(callId: string, id: string): Promise<Versioned<CallSubscriptionRecord> | undefined>;
  /** Writes the record if it is unchanged since read (else 412). */
  saveCallSubscription(record: CallSubscriptionRecord, etag: string): Promise<void>;
  /** The subscriptions to every call, as of a second ago at most. */
  allCallsSubscriptions(): Promise<AllCallsSubscriptionRecord[]>;
  getAllCallsSubscription(id: string): Promise<AllCallsSubscriptionRecord | undefined>;
  createAllCallsSubscription(record: AllCallsSubscriptionRecord): Promise<void>;
  /** False when there was none. */
  deleteAllCallsSubscription(id: string): Promise<boolean>;
}

const sameId = (a: string, b: string) =>
  (canonicalGuid(a) ?? a.toLowerCase()) === (canonicalGuid(b) ?? b.toLowerCase());

/**
 * Whether a subscription wants an event: of one of its `types` when it names any; with an
 * `identityId`, the events of that identity (of any kind: user, phone, ...) and the call's end.
 */
export function wants(filter: { identityId?: string; types?: string[] }, event: CallEventBody): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (!filter.identityId || event.type === 'callEnded') return true;
  return Object.values(event.identity ?? {}).some((identity) => {
    const id = (identity as { id?: unknown } | null)?.id;
    return typeof id === 'string' && sameId(id, filter.identityId!);
  });
}
