import { invalidField } from '../errors';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { subscriptionDeps } from '../services';
import { unsubscribeFromCall } from '../webhooks/subscribeToEvents';

/** Unsubscribe by the clientContext given at subscribe time (what a Logic Apps HTTP Webhook action knows). */
export const handler = withServices(async (req, services) => {
  const clientContext = req.query.get('clientContext');
  if (!clientContext) throw invalidField('clientContext', 'the query parameter is required');
  await unsubscribeFromCall(subscriptionDeps(services), parseCallId(req).canonical, { clientContext });
  return { status: 204 };
});
