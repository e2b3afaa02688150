import { authenticateCallback } from '../http/authenticateCallback';
import { graphCallbackHeaders } from '../http/graphCallbackHeaders';
import { readJsonBody } from '../http/requestBody';
import { withServices } from '../http/withServices';
import { applyNotifications } from '../notifications/applyNotifications';
import { notificationDeps } from '../services';

// Graph's callbackUri. Anonymous for the Functions host: Graph sends no function key,
// so the bearer token Graph signs is checked instead, before the body is read.
export const handler = withServices(async (req, services, context) => {
  const claims = await authenticateCallback(req, services.callbackTokens, context);
  const body = await readJsonBody(req, services.config.limits.notificationsBodyBytes);
  await applyNotifications(
    notificationDeps(services, context, {
      graphCallback: graphCallbackHeaders(req),
      token: claims,
    }),
    body,
  );
  return { status: 202 };
});
