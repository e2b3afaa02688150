import type { Config } from '../config';
import { once } from '../once';
import type { WebhookMessage, WebhookScheduler } from './webhookScheduler';

/** The queue the `deliverWebhook` function is triggered by. */
export const WEBHOOK_QUEUE_NAME = 'webhook-deliveries';

// Loaded on first use (not at cold start); the client type is inferred from the module loaded.
async function createQueueClient(queue: Config['webhooks']['queue']) {
  const { QueueClient: Client } = await import('@azure/storage-queue');
  if (queue.serviceUri) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    return new Client(`${queue.serviceUri.replace(/\/$/, '')}/${WEBHOOK_QUEUE_NAME}`, new DefaultAzureCredential());
  }
  return new Client(queue.connectionString ?? '', WEBHOOK_QUEUE_NAME, {
    retryOptions: { maxTries: 3, retryDelayInMs: 200 },
  });
}

/**
 * A Storage queue of webhook deliveries, created on first use. Messages are base64 JSON, the
 * encoding the Functions queue trigger expects by default.
 */
export function storageQueueScheduler(queue: Config['webhooks']['queue']): WebhookScheduler {
  const ready = once(async () => {
    const client = await createQueueClient(queue);
    await client.createIfNotExists();
    return client;
  });
  return {
    async schedule(message: WebhookMessage, delaySeconds: number) {
      const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
      await (await ready()).sendMessage(text, { visibilityTimeout: Math.max(0, Math.round(delaySeconds)) });
    },
  };
}
