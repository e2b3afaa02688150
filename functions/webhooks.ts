import { app } from '@azure/functions';
import { badRequest } from '../src/http/apiError';
import { jsonResponse } from '../src/http/errorResponse';
import { operationLocation } from '../src/http/operationResponse';
import { parseCallId, parseOperationId } from '../src/http/params';
import { runInvite } from '../src/http/runInvite';
import { withErrors } from '../src/http/withErrors';
import { canonicalOperationId } from '../src/ids';
import { cancelWebhook, cancelWebhookByClientContext } from '../src/webhooks/cancelWebhook';

// The webhook pattern of Logic Apps and Power Platform connectors: subscribe with a callbackUrl,
// get the operation POSTed there once it is terminal; unsubscribe by DELETE.

app.http('subscribeInvite', {
  route: 'calls/{callId}/webhooks/invite',
  methods: ['POST'],
  authLevel: 'function',
  handler: withErrors(async (req, services, context) => {
    const operation = await runInvite(req, services, context, { requireCallbackUrl: true });
    return jsonResponse(201, operation, { Location: operationLocation(req, operation, '/webhook') });
  }),
});

app.http('unsubscribeInvite', {
  route: 'calls/{callId}/webhooks/invite',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const clientContext = req.query.get('clientContext');
    if (!clientContext) throw badRequest('clientContext: the query parameter is required.', [{ path: 'clientContext', message: 'required' }]);
    await cancelWebhookByClientContext(services.operations, parseCallId(req).canonical, clientContext, services.now().toISOString());
    return { status: 204 };
  }),
});

app.http('cancelOperationWebhook', {
  route: 'calls/{callId}/operations/{operationId}/webhook',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const operationId = canonicalOperationId(parseOperationId(req));
    await cancelWebhook(services.operations, parseCallId(req).canonical, operationId, services.now().toISOString());
    return { status: 204 };
  }),
});
