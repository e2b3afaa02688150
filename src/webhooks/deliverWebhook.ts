import type { Logger } from '../logger';
import type { OperationStore } from '../operations/operationStore';
import { isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import { SUBSCRIPTION_SUBJECT_PREFIX } from './eventSubscriptions';
import type { PostResult } from './postJson';
import type { WebhookMessage, WebhookScheduler } from './webhookScheduler';
import { type SubjectDeps, webhookSubject } from './webhookSubjects';

const isSubscription = (subjectId: string) => subjectId.startsWith(SUBSCRIPTION_SUBJECT_PREFIX);
const isEvent = (body: unknown): body is { sequence: number } =>
  typeof (body as { sequence?: unknown } | null)?.sequence === 'number';

export interface DeliveryDeps extends SubjectDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  post: (url: string, body: unknown) => Promise<PostResult>;
  maxAttempts: number;
  retryBaseSeconds: number;
  /** How long a delivery in progress holds the operation before another message may take over. */
  leaseMs: number;
  log: Logger;
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'waiting' | 'done' | 'failed';

// A message that finds its operation not yet stored (the write after queueing failed) waits a while.
const WAIT_SECONDS = 2;
const MAX_WAITS = 30;

/** Seconds before attempt `n + 1` after `n` failed ones: base, 2 × base, 4 × base, ... */
export const backoffSeconds = (failedAttempts: number, baseSeconds: number) =>
  baseSeconds * 2 ** Math.max(0, failedAttempts - 1);

/**
 * Runs one queued delivery of a webhook: an operation's completion, or a started call's. The
 * subject's `webhook` state makes delivery once-only across duplicate messages and instances: a
 * delivery claims it (`delivering`, by ETag) before POSTing and marks it `delivered` after a 2xx. A
 * failure queues the next attempt with exponential back-off, until `maxAttempts`; a duplicate
 * message neither skips the back-off nor sends twice. An invite's delivery waits until the
 * invitees' outcomes are settled (at most the ring timeout), so the body says who joined. Storage
 * failures propagate (the handler puts the message back); a message lost altogether is found
 * again by the sweep.
 */
export async function deliverWebhook(deps: DeliveryDeps, message: WebhookMessage): Promise<DeliveryOutcome> {
  const subject = webhookSubject(deps, message.callId, message.operationId);
  const loaded = await subject.load();
  // An event subscription with nothing new to send: the sweep clears its index row once it is stale
  // (a commit marks it before its events are written, so clearing it here could lose that mark).
  if (loaded?.idle) return 'done';
  const later = (delaySeconds: number, next: Partial<WebhookMessage> = {}) =>
    deps.webhooks.schedule({ ...message, ...next }, Math.max(1, Math.ceil(delaySeconds)));

  if (!loaded?.ready || !loaded.webhook || !loaded.callbackUrl) {
    if (loaded?.webhook?.status === 'cancelled') return 'done';
    if (message.waits >= MAX_WAITS) {
      logEvent(deps.log, 'webhook.dropped', { ...subject.about, reason: 'never ready with a callbackUrl' }, 'warn');
      return 'done';
    }
    await later(WAIT_SECONDS, { waits: message.waits + 1 });
    return 'waiting';
  }
  const now = deps.now();
  const { webhook, callbackUrl } = loaded;
  const clearDue = () => deps.operations.clearWebhookDue(message.callId, message.operationId);
  if (webhook.status === 'delivered' || webhook.status === 'cancelled' || webhook.status === 'failed') {
    await clearDue();
    return 'done';
  }
  // A message from before a later attempt was queued (a duplicate): that attempt has its own message.
  if (message.attempt < webhook.attempts) return 'done';
  // A duplicate of the next attempt's message, or the sweep's copy, that came early: the back-off stands.
  const dueIn =
    webhook.status === 'pending' && webhook.nextAttemptAt ? Date.parse(webhook.nextAttemptAt) - now.getTime() : 0;
  if (dueIn > 0) {
    await later(dueIn / 1000);
    return 'waiting';
  }
  const leaseLeft = Date.parse(webhook.since) + deps.leaseMs - now.getTime();
  if (webhook.status === 'delivering' && leaseLeft > 0) {
    await later(leaseLeft / 1000);
    return 'waiting';
  }

  const { body, settleAt } = await subject.body();
  if (now.getTime() < settleAt) {
    await later((settleAt - now.getTime()) / 1000);
    return 'waiting';
  }

  const attempts = webhook.attempts + 1;
  try {
    await subject.claim({ status: 'delivering', attempts, since: now.toISOString() });
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    return deliverWebhook(deps, message); // another instance moved first: look again
  }

  // After the last attempt at this body: an event subscription's next event goes at once (its index
  // row stays until the sweep finds it idle); any other subject leaves the sweep's index.
  const finished = async (after: { more?: boolean } | void) => {
    if (after?.more) await deps.webhooks.schedule({ ...message, attempt: 0, waits: 0, faults: 0 }, 0);
    else if (!isSubscription(message.operationId)) await clearDue();
  };
  const result = await deps.post(callbackUrl, body);
  const about = { ...subject.about, attempt: attempts, ...(isEvent(body) ? { sequence: body.sequence } : {}) };
  if (result.status >= 200 && result.status < 300) {
    const after = await subject.set({ status: 'delivered', attempts, since: deps.now().toISOString() });
    logEvent(deps.log, 'webhook.delivered', about);
    await finished(after);
    return 'delivered';
  }
  const reason = result.status ? `HTTP ${result.status}` : (result.error ?? 'no answer').slice(0, 500);
  if (attempts >= deps.maxAttempts) {
    const after = await subject.set({ status: 'failed', attempts, since: deps.now().toISOString(), lastError: reason });
    // An event given up on is passed over: the subscription goes on with its next event.
    logEvent(deps.log, 'webhook.failed', { ...about, reason }, 'warn');
    await finished(after);
    return 'failed';
  }
  const delay = backoffSeconds(attempts, deps.retryBaseSeconds);
  const failedAt = deps.now();
  await deps.webhooks.schedule({ ...message, attempt: attempts, waits: 0, faults: 0 }, delay);
  const nextAttemptAt = new Date(failedAt.getTime() + delay * 1000).toISOString();
  await subject.set({ status: 'pending', attempts, since: failedAt.toISOString(), nextAttemptAt, lastError: reason });
  logEvent(deps.log, 'webhook.retrying', { ...about, reason, nextInSeconds: delay }, 'warn');
  return 'retrying';
}
