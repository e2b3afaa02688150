import type { InvocationContext } from '@azure/functions';

import { requireResolvedSettings } from '../config';
import { ensureError, SettingsUnresolved } from '../errors';
import { deliveryDeps, getServices } from '../services';
import { isStorageUnavailable } from '../storage/storageErrors';
import { backoffSeconds, deliverWebhook } from '../webhooks/deliverWebhook';
import { WebhookMessageSchema } from '../webhooks/webhookScheduler';

// Storage failing (or settings not resolved from Key Vault) puts the message back with a back-off of its own, rather than leaving it to the
// host's instant retries (after which it would sit in the poison queue). Failed POSTs are retried
// by deliverWebhook itself; a message that is lost anyway is queued again by the sweep.
const MAX_FAULT_DELAY_SECONDS = 300;

export async function handler(queued: unknown, context: InvocationContext): Promise<void> {
  const parsed = WebhookMessageSchema.safeParse(queued);
  if (!parsed.success) return context.warn('Webhook message ignored: not a delivery.');
  const message = parsed.data;
  const services = getServices();
  try {
    requireResolvedSettings(services.config);
    const outcome = await deliverWebhook(deliveryDeps(services, context), message);
    context.info(`Webhook of operation ${message.operationId}: ${outcome}.`);
  } catch (err) {
    if (!isStorageUnavailable(err) && !(err instanceof SettingsUnresolved)) throw err;
    const faults = message.faults + 1;
    const delay = Math.min(MAX_FAULT_DELAY_SECONDS, backoffSeconds(faults, services.config.webhooks.retryBaseSeconds));
    await services.webhooks.schedule({ ...message, faults }, delay);
    context.warn(
      `Webhook of operation ${message.operationId}: not deliverable now (${ensureError(err).message}); again in ${delay} s.`,
    );
  }
}
