import { NotFound } from '../errors';
import type { OperationStore } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';

/**
 * Stops an operation's completion webhook (the Logic Apps webhook action's unsubscribe): no
 * delivery starts after this; one already on the wire may still arrive. Idempotent.
 */
export async function cancelWebhook(
  operations: OperationStore,
  callId: string,
  operationId: string,
  now: string,
): Promise<void> {
  await retryOnConflict(async () => {
    const found = await operations.get(callId, operationId);
    if (!found) throw new NotFound(`Operation ${operationId} of call ${callId} is not known.`);
    const webhook = found.value.webhook;
    if (webhook?.status === 'cancelled' || webhook?.status === 'delivered') return;
    const cancelled = { status: 'cancelled' as const, attempts: webhook?.attempts ?? 0, since: now };
    await operations.save({ operation: { value: { ...found.value, webhook: cancelled }, etag: found.etag } });
  });
}

/** The same, for an invite named by its clientContext (all a Logic Apps HTTP Webhook unsubscribe can know). */
export async function cancelWebhookByClientContext(
  operations: OperationStore,
  callId: string,
  clientContext: string,
  now: string,
): Promise<void> {
  await retryOnConflict(async () => {
    const ctx = await operations.getInviteContext(callId, clientContext);
    if (!ctx) throw new NotFound(`No invite with this clientContext is known in call ${callId}.`);
    if (ctx.value.operationId) return cancelWebhook(operations, callId, ctx.value.operationId, now);
    // Graph has not answered yet: forget the callbackUrl so the operation, once known, has none.
    if (ctx.value.callbackUrl) await operations.updateInviteContext({ ...ctx.value, callbackUrl: null }, ctx.etag);
  });
}
