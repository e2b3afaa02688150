import { parseSubscriptionId } from '../http/params';
import { withServices } from '../http/withServices';
import { subscriptionDeps } from '../services';
import { unsubscribeFromAllCalls } from '../webhooks/subscribeToEvents';

/** Unsubscribe by the subscription's Location: 204, then 404. */
export const handler = withServices(async (req, services) => {
  await unsubscribeFromAllCalls(subscriptionDeps(services), parseSubscriptionId(req));
  return { status: 204 };
});
