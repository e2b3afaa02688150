import { invalidField } from '../errors';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { cancelWebhookByClientContext } from '../webhooks/cancelWebhook';

/** Unsubscribe by the invite's clientContext (what a Logic Apps HTTP Webhook action knows). */
export const handler = withServices(async (req, services) => {
  const clientContext = req.query.get('clientContext');
  if (!clientContext) throw invalidField('clientContext', 'the query parameter is required');
  const callId = parseCallId(req).canonical;
  await cancelWebhookByClientContext(services.operations, callId, clientContext, services.now().toISOString());
  return { status: 204 };
});
