import type { Versioned } from '../operations/operationStore';
import type { ReadDeps } from '../operations/readOperations';
import { retryOnConflict } from '../operations/retryOnConflict';
import type { CallEventBody } from '../schemas/responses';
import { isPreconditionFailed } from '../storage/storageErrors';
import { type CallSubscriptionRecord, type EventSubscriptionStore, wants } from './eventSubscriptions';
import type { WebhookSubject } from './webhookSubject';

type Deps = Pick<ReadDeps, 'roster'> & { eventSubscriptions: EventSubscriptionStore };

// Events read per query while looking for the next one a subscription wants.
const PAGE = 50;

/**
 * The first event after the subscription's cursor that it wants, if any, and the last event it
 * looked at: the subscription is past everything up to there that it does not want.
 */
async function nextEventFor(
  deps: Deps,
  record: CallSubscriptionRecord,
): Promise<{ next?: CallEventBody; seen: number }> {
  for (let after = record.cursor; ;) {
    const page = await deps.roster.eventsPage(record.callId, after, PAGE);
    const next = page.events.find((event) => wants(record, event));
    if (next) return { next, seen: next.sequence - 1 };
    after = page.events.at(-1)?.sequence ?? after;
    if (page.next === undefined) return { seen: after };
  }
}

/**
 * An event subscription's share of one call as a webhook subject: it delivers the call's events it
 * wants one at a time, in sequence order, from its cursor on. The delivery under way names its
 * event, so a duplicate message or another instance neither sends it twice nor skips its back-off;
 * once it is delivered the cursor moves past it and the next one, if any, is due at once. A
 * subscription to one call ends with its callEnded event; a feed of a subscription to every call
 * stops when that subscription is deleted.
 */
export function eventSubscriptionSubject(deps: Deps, callId: string, subscriptionId: string): WebhookSubject {
  let loaded: Versioned<CallSubscriptionRecord> | undefined;
  let next: CallEventBody | undefined;
  const save = (record: CallSubscriptionRecord, etag: string) =>
    deps.eventSubscriptions.saveCallSubscription(record, etag);
  return {
    about: { callId, subscriptionId },
    async load() {
      loaded = await deps.eventSubscriptions.getCallSubscription(callId, subscriptionId);
      if (!loaded) return undefined;
      const { value: record, etag } = loaded;
      let callbackUrl = record.callbackUrl;
      if (record.scope === 'all') {
        const all = await deps.eventSubscriptions.getAllCallsSubscription(subscriptionId);
        if (!all) return { webhook: record.delivery, callbackUrl: null, ready: false, etag, idle: true };
        callbackUrl = all.callbackUrl;
      }
      const found = record.ended ? { seen: record.cursor } : await nextEventFor(deps, record);
      next = found.next;
      if (!next) {
        // Past the events it does not want, so the next look starts after them (best effort).
        if (found.seen > record.cursor)
          await save({ ...record, cursor: found.seen }, etag).catch((err: unknown) => {
            if (!isPreconditionFailed(err)) throw err;
          });
        return { webhook: record.delivery, callbackUrl, ready: false, etag, idle: true };
      }
      const webhook =
        record.delivery?.sequence === next.sequence
          ? record.delivery
          : { status: 'pending' as const, attempts: 0, since: next.at };
      return { webhook, callbackUrl, ready: true, etag };
    },
    async body() {
      return { body: next!, settleAt: 0 };
    },
    async claim(webhook) {
      await save({ ...loaded!.value, delivery: { ...webhook, sequence: next!.sequence } }, loaded!.etag);
    },
    async set(webhook) {
      const event = next!;
      return retryOnConflict(async () => {
        const current = await deps.eventSubscriptions.getCallSubscription(callId, subscriptionId);
        // Gone, or already past this event (another delivery of it finished first).
        if (!current || current.value.cursor >= event.sequence) return {};
        const delivery = { ...webhook, sequence: event.sequence };
        // An event given up on (WEBHOOK_MAX_ATTEMPTS failures) is passed over like a delivered one:
        // the later ones, the call's end among them, still go; the log says which was lost.
        const done = webhook.status === 'delivered' || webhook.status === 'failed';
        if (!done) return void (await save({ ...current.value, delivery }, current.etag));
        const record = {
          ...current.value,
          cursor: Math.max(current.value.cursor, event.sequence),
          delivery,
          ended:
            current.value.ended ||
            (current.value.scope === 'call' && event.type === 'callEnded' && webhook.status === 'delivered'),
        };
        await save(record, current.etag);
        return { more: !record.ended && (await nextEventFor(deps, record)).next !== undefined };
      });
    },
  };
}
