import type { OperationStore } from '../operations/operationStore';
import type { RosterCommit } from '../roster/rosterCommits';
import type { RosterHead, SubscriptionRef } from '../roster/rosterHead';
import {
  type AllCallsSubscriptionRecord,
  type CallSubscriptionRecord,
  type EventSubscriptionStore,
  subscriptionSubject,
  wants,
} from './eventSubscriptions';
import type { WebhookScheduler } from './webhookScheduler';

export interface WakeDeps {
  eventSubscriptions: EventSubscriptionStore;
  operations: Pick<OperationStore, 'markWebhookDue'>;
  webhooks: WebhookScheduler;
}

/** A commit with what its events start, and what to do once it is written. */
export interface WakingCommit {
  commit: RosterCommit;
  /** Queues the deliveries the commit's events start: call once the commit is written. */
  wake(): Promise<void>;
}

const nothingToWake = async () => undefined;

/**
 * The rows a commit of this call must keep free for what its events start: a feed created for each
 * subscription to every call, and one removed for each such subscription deleted since.
 */
export const rowsForSubscriptions = (head: RosterHead, allCalls: AllCallsSubscriptionRecord[]): number =>
  allCalls.length + head.subscriptions.filter((s) => s.scope === 'all').length;

/**
 * What a roster commit's events start: each subscription of the call that wants one of them, and
 * each subscription to every call that does (its feed of this call is made with the commit, from
 * the commit's first event on). Before the commit, each is marked due in the sweep's index; once
 * it is written, a delivery is queued for each. Should the instance stop in between, the sweep
 * finds the marks and queues them; should the commit fail, a delivery finds nothing new to send.
 * `allCalls` is the list the commit's room was kept by (rowsForSubscriptions).
 */
export async function withWakes(
  deps: WakeDeps,
  callId: string,
  commit: RosterCommit,
  now: string,
  allCalls: AllCallsSubscriptionRecord[],
): Promise<WakingCommit> {
  const { events } = commit;
  if (events.length === 0) return { commit, wake: nothingToWake };
  const refs = commit.head.subscriptions;
  const current = new Set(allCalls.map((s) => s.id));
  const wanted = (ref: Pick<SubscriptionRef, 'identityId' | 'types'>) => events.some((e) => wants(ref, e));

  // A subscription to every call that was deleted has no feed to wake any more.
  const kept = refs.filter((ref) => ref.scope === 'call' || current.has(ref.id));
  const feeds = new Set(kept.filter((ref) => ref.scope === 'all').map((ref) => ref.id));
  const created: CallSubscriptionRecord[] = allCalls
    .filter((s) => !feeds.has(s.id) && wanted(s))
    .map((s) => ({
      callId,
      id: s.id,
      scope: 'all',
      callbackUrl: null,
      ...(s.types ? { types: s.types } : {}),
      cursor: events[0]!.sequence - 1,
      delivery: null,
      ended: false,
      createdDateTime: now,
    }));
  const subscriptions: SubscriptionRef[] = [
    ...kept,
    ...created.map((r) => ({ id: r.id, scope: 'all' as const, ...(r.types ? { types: r.types } : {}) })),
  ];
  const woken = subscriptions.filter(wanted).map((ref) => subscriptionSubject(ref.id));
  if (woken.length === 0 && created.length === 0 && kept.length === refs.length) return { commit, wake: nothingToWake };

  for (const subject of woken) await deps.operations.markWebhookDue(callId, subject, now);
  const removed = refs.filter((ref) => !kept.includes(ref)).map((ref) => ref.id);
  return {
    commit: {
      ...commit,
      head: { ...commit.head, subscriptions },
      subscriptions: {
        create: [...(commit.subscriptions?.create ?? []), ...created],
        remove: [...(commit.subscriptions?.remove ?? []), ...removed],
      },
    },
    async wake() {
      await Promise.all(
        woken.map((subject) => deps.webhooks.schedule({ callId, operationId: subject, attempt: 0, waits: 0 }, 0)),
      );
    },
  };
}
