import { locationOf } from '../http/asyncResponse';
import { jsonResponse } from '../http/errorResponse';
import { parseCallId } from '../http/params';
import { readJsonBody } from '../http/requestBody';
import { withServices } from '../http/withServices';
import { CallEventSubscriptionRequest, parseSubscriptionRequest } from '../schemas/eventSubscriptionRequest';
import { subscriptionDeps } from '../services';
import { subscribeToCall } from '../webhooks/subscribeToEvents';

/** Subscribe to a call's events (a connector's webhook trigger, or a Logic Apps HTTP Webhook action). */
export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const raw = await readJsonBody(req, services.config.limits.inviteBodyBytes);
  const request = parseSubscriptionRequest(CallEventSubscriptionRequest, raw, services.config.allowLoopbackUrls);
  const subscription = await subscribeToCall(subscriptionDeps(services), callId, request);
  return jsonResponse(201, subscription, {
    Location: locationOf(req, services.config, `/api/calls/${callId}/webhooks/events/${subscription.id}`),
  });
});
