import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// Runs the queued completion webhooks (queue name and connection as src/webhooks/webhookQueue.ts).
app.storageQueue('deliverWebhook', {
  queueName: 'webhook-deliveries',
  connection: 'WEBHOOK_QUEUE',
  handler: lazyHandler(() => import('../src/handlers/deliverWebhook.js')),
});
