import { locationOf } from '../http/asyncResponse';
import { jsonResponse } from '../http/errorResponse';
import { readJsonBody } from '../http/requestBody';
import { withServices } from '../http/withServices';
import { EventSubscriptionRequest, parseSubscriptionRequest } from '../schemas/eventSubscriptionRequest';
import { subscriptionDeps } from '../services';
import { subscribeToAllCalls } from '../webhooks/subscribeToEvents';

/** Subscribe to the events of every call ("When a call arrives": types ["incoming"]). */
export const handler = withServices(async (req, services) => {
  const raw = await readJsonBody(req, services.config.limits.inviteBodyBytes);
  const request = parseSubscriptionRequest(EventSubscriptionRequest, raw, services.config.allowLoopbackUrls);
  const subscription = await subscribeToAllCalls(subscriptionDeps(services), request);
  return jsonResponse(201, subscription, {
    Location: locationOf(req, services.config, `/api/webhooks/events/${subscription.id}`),
  });
});
