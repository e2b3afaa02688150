import type { Logger } from '../logger';
import type { OperationStore } from '../operations/operationStore';
import { logEvent } from '../telemetry';
import type { WebhookScheduler } from './webhookScheduler';
import { type SubjectDeps, webhookSubject } from './webhookSubjects';

export interface SweepDeps extends SubjectDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  now: () => Date;
  /** How long past its due time a delivery may go unseen before its message counts as lost. */
  graceMs: number;
  log: Logger;
}

/**
 * Queues again every unfinished webhook delivery that should have run by now: its queue message
 * was lost (moved to the poison queue while storage was down, a host that died mid-delivery).
 * A delivery that is merely early is left alone; one queued twice still sends once.
 */
export async function sweepWebhooks(deps: SweepDeps): Promise<{ requeued: number; cleared: number }> {
  let requeued = 0;
  let cleared = 0;
  const now = deps.now().getTime();
  for (const { callId, operationId, markedAt } of await deps.operations.webhooksDue()) {
    const subject = await webhookSubject(deps, callId, operationId).load();
    const webhook = subject?.webhook;
    if (!subject?.callbackUrl || !webhook || !(webhook.status === 'pending' || webhook.status === 'delivering')) {
      // The row is written before its subject: a young one may belong to a write still under way.
      if (now < Date.parse(markedAt) + deps.graceMs) continue;
      await deps.operations.clearWebhookDue(callId, operationId);
      cleared++;
      continue;
    }
    const dueAt = Date.parse(webhook.status === 'pending' ? (webhook.nextAttemptAt ?? webhook.since) : webhook.since);
    if (now < dueAt + deps.graceMs) continue;
    await deps.webhooks.schedule({ callId, operationId, attempt: webhook.attempts, waits: 0 }, 0);
    requeued++;
  }
  if (requeued || cleared) logEvent(deps.log, 'webhooks.swept', { requeued, cleared });
  return { requeued, cleared };
}
