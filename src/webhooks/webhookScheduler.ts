import { z } from 'zod';
import type { OperationRecord } from '../operations/operationRecord';
import { startsWebhook } from '../operations/operationStatusRules';

/** One delivery attempt of an operation's completion webhook, as queued. */
export const WebhookMessageSchema = z.object({
  callId: z.string(),
  operationId: z.string(),
  /** Deliveries tried so far by earlier messages (0 for the first). */
  attempt: z.number().int().nonnegative(),
  /** How often this delivery already waited for its operation to be stored or to settle. */
  waits: z.number().int().nonnegative(),
});
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;

/** Puts webhook deliveries on a durable queue, to run after a delay. */
export interface WebhookScheduler {
  schedule(message: WebhookMessage, delaySeconds: number): Promise<void>;
}

// The operation is written right after the message is queued; the first attempt waits for it.
const FIRST_DELAY_SECONDS = 1;

/**
 * Queues the first delivery when `after` starts the webhook, before `after` is written: if the
 * write then fails, the caller answers 503 and Graph's redelivery queues it again, so a terminal
 * operation with a callbackUrl never ends up without a queued delivery.
 */
export async function scheduleWebhookIfStarting(
  webhooks: WebhookScheduler,
  before: OperationRecord | undefined,
  after: OperationRecord,
  now: string,
): Promise<OperationRecord> {
  if (!startsWebhook(before, after)) return after;
  await webhooks.schedule({ callId: after.callId, operationId: after.id, attempt: 0, waits: 0 }, FIRST_DELAY_SECONDS);
  return { ...after, webhook: { status: 'pending', attempts: 0, since: now } };
}
