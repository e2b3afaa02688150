import { z } from 'zod';

import type { OperationRecord, WebhookState } from '../operations/operationRecord';
import { startsWebhook } from '../operations/operationStatusRules';
import type { OperationStore } from '../operations/operationStore';

/** One delivery attempt of an operation's completion webhook, as queued. */
export const WebhookMessageSchema = z.object({
  callId: z.string(),
  operationId: z.string(),
  /** Deliveries tried so far by earlier messages (0 for the first). */
  attempt: z.number().int().nonnegative(),
  /** How often this delivery already waited for its operation to be stored or to settle. */
  waits: z.number().int().nonnegative(),
  /** How often this message was put back because storage failed (its own back-off). */
  faults: z.number().int().nonnegative().default(0),
});
export type WebhookMessage = z.input<typeof WebhookMessageSchema>;

/** Puts webhook deliveries on a durable queue, to run after a delay. */
export interface WebhookScheduler {
  schedule(message: WebhookMessage, delaySeconds: number): Promise<void>;
}

// The operation is written right after the message is queued; the first attempt waits for it.
const FIRST_DELAY_SECONDS = 1;

export interface WebhookStartDeps {
  webhooks: WebhookScheduler;
  operations: Pick<OperationStore, 'markWebhookDue'>;
}

/**
 * Starts the delivery when `after` starts the webhook, before `after` is written: the sweep's
 * index row first, then the queued message. If the write then fails, the caller answers 503 and
 * Graph's redelivery starts it again, so a terminal operation with a callbackUrl never ends up
 * without a queued delivery, and a lost message is found again by the sweep.
 */
export async function scheduleWebhookIfStarting(
  deps: WebhookStartDeps,
  before: OperationRecord | undefined,
  after: OperationRecord,
  now: string,
): Promise<OperationRecord> {
  if (!startsWebhook(before, after)) return after;
  return { ...after, webhook: await queueFirstDelivery(deps, after.callId, after.id, now) };
}

/**
 * Queues the first delivery of a webhook (an operation's, or with CALL_SUBJECT a call's): the
 * sweep's index row, then the message; returns the webhook state to write with the subject.
 */
export async function queueFirstDelivery(
  deps: WebhookStartDeps,
  callId: string,
  subjectId: string,
  now: string,
): Promise<WebhookState> {
  await deps.operations.markWebhookDue(callId, subjectId, now);
  await deps.webhooks.schedule({ callId, operationId: subjectId, attempt: 0, waits: 0 }, FIRST_DELAY_SECONDS);
  const nextAttemptAt = new Date(Date.parse(now) + FIRST_DELAY_SECONDS * 1000).toISOString();
  return { status: 'pending', attempts: 0, since: now, nextAttemptAt };
}
