import { parseCallId, parseOperationId } from '../http/params';
import { withServices } from '../http/withServices';
import { cancelWebhook } from '../webhooks/cancelWebhook';

/** Unsubscribe by the subscription's Location (what a connector's webhook trigger DELETEs). */
export const handler = withServices(async (req, services) => {
  await cancelWebhook(
    services.operations,
    parseCallId(req).canonical,
    parseOperationId(req),
    services.now().toISOString(),
  );
  return { status: 204 };
});
