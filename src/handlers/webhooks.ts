import { invalidField } from '../errors';
import { jsonResponse } from '../http/errorResponse';
import { operationLocation } from '../http/operationResponse';
import { parseCallId, parseOperationId } from '../http/params';
import { runInvite } from '../http/runInvite';
import { withErrors } from '../http/withErrors';
import { canonicalOperationId } from '../ids';
import { cancelWebhook, cancelWebhookByClientContext } from '../webhooks/cancelWebhook';

/** Subscribe: invite with a callbackUrl; the subscription is the operation's webhook. */
export const subscribe = withErrors(async (req, services, context) => {
  const operation = await runInvite(req, services, context, { requireCallbackUrl: true });
  return jsonResponse(201, operation, { Location: operationLocation(req, operation, '/webhook') });
});

/** Unsubscribe by the invite's clientContext (what a Logic Apps HTTP Webhook action knows). */
export const unsubscribe = withErrors(async (req, services) => {
  const clientContext = req.query.get('clientContext');
  if (!clientContext) throw invalidField('clientContext', 'the query parameter is required');
  await cancelWebhookByClientContext(
    services.operations,
    parseCallId(req).canonical,
    clientContext,
    services.now().toISOString(),
  );
  return { status: 204 };
});

/** Unsubscribe by the subscription's Location (what a connector's webhook trigger DELETEs). */
export const cancelOperationWebhook = withErrors(async (req, services) => {
  const operationId = canonicalOperationId(parseOperationId(req));
  await cancelWebhook(services.operations, parseCallId(req).canonical, operationId, services.now().toISOString());
  return { status: 204 };
});
