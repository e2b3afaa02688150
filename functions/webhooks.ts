import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// The webhook pattern of Logic Apps and Power Platform connectors: subscribe with a callbackUrl,
// get the operation POSTed there once it is terminal; unsubscribe by DELETE.
const handlers = () => import('../src/handlers/webhooks.js');

app.http('subscribeInvite', {
  route: 'calls/{callId}/webhooks/invite',
  methods: ['POST'],
  authLevel: 'function',
  handler: lazyHandler(() => handlers().then((m) => ({ handler: m.subscribe }))),
});

app.http('unsubscribeInvite', {
  route: 'calls/{callId}/webhooks/invite',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: lazyHandler(() => handlers().then((m) => ({ handler: m.unsubscribe }))),
});

app.http('cancelOperationWebhook', {
  route: 'calls/{callId}/operations/{operationId}/webhook',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: lazyHandler(() => handlers().then((m) => ({ handler: m.cancelOperationWebhook }))),
});
