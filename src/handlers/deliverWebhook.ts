import type { InvocationContext } from '@azure/functions';
import { getServices, readDeps } from '../services';
import { deliverWebhook } from '../webhooks/deliverWebhook';
import { postJson } from '../webhooks/postJson';
import { WebhookMessageSchema } from '../webhooks/webhookScheduler';

// A thrown error (storage down) leaves the message to the host's own retries; delivery failures
// are retried by queueing the next attempt with back-off.
export async function handler(queued: unknown, context: InvocationContext): Promise<void> {
  const message = WebhookMessageSchema.safeParse(queued);
  if (!message.success) return context.warn('Webhook message ignored: not a delivery.');
  const services = getServices();
  const { webhooks: settings, allowLoopbackUrls } = services.config;
  const outcome = await deliverWebhook(
    {
      ...readDeps(services),
      webhooks: services.webhooks,
      post: (url, body) => postJson(url, body, { timeoutMs: settings.timeoutMs, allowLoopback: allowLoopbackUrls }),
      maxAttempts: settings.maxAttempts,
      retryBaseSeconds: settings.retryBaseSeconds,
      leaseMs: settings.timeoutMs * 2 + 10_000,
      log: context,
    },
    message.data,
  );
  context.info(`Webhook of operation ${message.data.operationId}: ${outcome}.`);
}
