import { locationOf, operationPath } from '../http/asyncResponse';
import { jsonResponse } from '../http/errorResponse';
import { runInvite } from '../http/runInvite';
import { withServices } from '../http/withServices';

/** Subscribe: invite with a callbackUrl; the subscription is the operation's webhook, its Location the DELETE that ends it. */
export const handler = withServices(async (req, services, context) => {
  const operation = await runInvite(req, services, context, { requireCallbackUrl: true });
  return jsonResponse(201, operation, {
    Location: locationOf(req, services.config, `${operationPath(operation.callId, operation.id)}/webhook`),
  });
});
