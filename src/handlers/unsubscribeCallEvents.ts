import { parseCallId, parseSubscriptionId } from '../http/params';
import { withServices } from '../http/withServices';
import { subscriptionDeps } from '../services';
import { unsubscribeFromCall } from '../webhooks/subscribeToEvents';

/** Unsubscribe by the subscription's Location: 204, then 404. */
export const handler = withServices(async (req, services) => {
  const id = parseSubscriptionId(req);
  await unsubscribeFromCall(subscriptionDeps(services), parseCallId(req).canonical, { id });
  return { status: 204 };
});
