import { outcomesSettled } from '../invitees/inviteeOutcomes';
import type { Logger } from '../logger';
import type { OperationRecord, WebhookState } from '../operations/operationRecord';
import type { OperationStore } from '../operations/operationStore';
import { describeOperation, type ReadDeps } from '../operations/readOperations';
import { retryOnConflict } from '../operations/retryOnConflict';
import { isTerminal } from '../schemas/operationStatus';
import { isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import type { PostResult } from './postJson';
import type { WebhookMessage, WebhookScheduler } from './webhookScheduler';

export interface DeliveryDeps extends ReadDeps {
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
 * Runs one queued delivery of an operation's completion webhook. The operation's `webhook` state
 * makes delivery once-only across duplicate messages and instances: a delivery claims it
 * (`delivering`, by ETag) before POSTing and marks it `delivered` after a 2xx. A failure queues the
 * next attempt with exponential back-off, until `maxAttempts`; a duplicate message neither skips
 * the back-off nor sends twice. Waits until the invitees' outcomes are settled (at most the ring
 * timeout), so the body says who joined. Storage failures propagate (the handler puts the message
 * back); a message lost altogether is found again by the sweep.
 */
export async function deliverWebhook(deps: DeliveryDeps, message: WebhookMessage): Promise<DeliveryOutcome> {
  const found = await deps.operations.get(message.callId, message.operationId);
  const op = found?.value;
  const later = (delaySeconds: number, next: Partial<WebhookMessage> = {}) =>
    deps.webhooks.schedule({ ...message, ...next }, Math.max(1, Math.ceil(delaySeconds)));

  if (!found || !op || !isTerminal(op.status) || !op.webhook || !op.callbackUrl) {
    if (op?.webhook?.status === 'cancelled') return 'done';
    if (message.waits >= MAX_WAITS) {
      deps.log.warn(
        `Webhook of operation ${message.operationId} dropped: the operation never became terminal with a callbackUrl.`,
      );
      return 'done';
    }
    await later(WAIT_SECONDS, { waits: message.waits + 1 });
    return 'waiting';
  }
  const now = deps.now();
  const webhook = op.webhook;
  if (webhook.status === 'delivered' || webhook.status === 'cancelled' || webhook.status === 'failed') {
    await deps.operations.clearWebhookDue(op.callId, op.id);
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

  const body = await describeOperation(deps, op);
  const settleAt = Date.parse(op.terminalDateTime ?? op.lastModifiedDateTime) + deps.ringTimeoutMs;
  if (!outcomesSettled(body.invitees ?? []) && now.getTime() < settleAt) {
    await later((settleAt - now.getTime()) / 1000);
    return 'waiting';
  }

  const attempts = webhook.attempts + 1;
  try {
    await deps.operations.save({
      operation: {
        value: withWebhook(op, { status: 'delivering', attempts, since: now.toISOString() }),
        etag: found.etag,
      },
    });
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    return deliverWebhook(deps, message); // another instance moved first: look again
  }

  const result = await deps.post(op.callbackUrl, body);
  const ok = result.status >= 200 && result.status < 300;
  if (ok) {
    await setWebhook(deps, op, { status: 'delivered', attempts, since: deps.now().toISOString() });
    await deps.operations.clearWebhookDue(op.callId, op.id);
    logEvent(deps.log, 'webhook.delivered', {
      callId: op.callId,
      operationId: op.id,
      attempt: attempts,
      inviteTraceParent: op.inviteTraceParent,
    });
    return 'delivered';
  }
  const reason = result.status ? `HTTP ${result.status}` : (result.error ?? 'no answer').slice(0, 500);
  if (attempts >= deps.maxAttempts) {
    await setWebhook(deps, op, { status: 'failed', attempts, since: deps.now().toISOString(), lastError: reason });
    await deps.operations.clearWebhookDue(op.callId, op.id);
    logEvent(deps.log, 'webhook.failed', { callId: op.callId, operationId: op.id, attempt: attempts, reason }, 'warn');
    return 'failed';
  }
  const delay = backoffSeconds(attempts, deps.retryBaseSeconds);
  const failedAt = deps.now();
  await deps.webhooks.schedule({ ...message, attempt: attempts, waits: 0, faults: 0 }, delay);
  const nextAttemptAt = new Date(failedAt.getTime() + delay * 1000).toISOString();
  await setWebhook(deps, op, {
    status: 'pending',
    attempts,
    since: failedAt.toISOString(),
    nextAttemptAt,
    lastError: reason,
  });
  logEvent(
    deps.log,
    'webhook.retrying',
    { callId: op.callId, operationId: op.id, attempt: attempts, reason, nextInSeconds: delay },
    'warn',
  );
  return 'retrying';
}

const withWebhook = (op: OperationRecord, webhook: WebhookState): OperationRecord => ({ ...op, webhook });

/** Sets the webhook state on the latest version of the operation (nothing else changes). */
async function setWebhook(deps: DeliveryDeps, op: OperationRecord, webhook: WebhookState): Promise<void> {
  await retryOnConflict(async () => {
    const current = await deps.operations.get(op.callId, op.id);
    if (!current || current.value.webhook?.status === 'cancelled') return;
    await deps.operations.save({ operation: { value: withWebhook(current.value, webhook), etag: current.etag } });
  });
}
