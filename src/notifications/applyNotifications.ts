import { CommsNotifications } from '../schemas/commsNotification';
import { ApiError, badRequest } from '../http/apiError';
import { invalidBody } from '../http/zodDetails';
import type { Logger } from '../logger';
import type { OperationRepository } from '../storage/operationRepository';
import type { RosterRepository } from '../storage/rosterRepository';
import type { WebhookScheduler } from '../webhooks/webhookScheduler';
import { applyOperationUpdate } from './applyOperationUpdate';
import { applyCallUpdate } from './applyCallUpdate';
import { applyRosterUpdate } from './applyRosterUpdate';
import { parseNotification } from './parseNotification';
import { logEvent } from '../telemetry';

export interface NotificationDeps {
  operations: OperationRepository;
  roster: RosterRepository;
  webhooks: WebhookScheduler;
  maxBatchItems: number;
  now: () => Date;
  log: Logger;
}

export interface BatchSummary {
  applied: number;
  skipped: number;
}

/**
 * Applies a commsNotifications batch in Graph's order. A malformed item is skipped and logged;
 * a storage failure propagates (503) so Graph delivers the batch again, which is safe because
 * applying a notification twice leaves the same state as once.
 */
export async function applyNotifications(deps: NotificationDeps, body: unknown): Promise<BatchSummary> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The body must be a commsNotifications object with a value array.', [{ path: 'value', message: 'required' }]);
  }
  const batch = CommsNotifications.safeParse(body);
  if (!batch.success) throw invalidBody(batch.error);
  if (batch.data.value.length > deps.maxBatchItems) {
    throw new ApiError(413, 'PayloadTooLarge', `The batch holds ${batch.data.value.length} notifications; at most ${deps.maxBatchItems} are accepted at once.`, [
      { path: 'value', message: `at most ${deps.maxBatchItems} items` },
    ]);
  }

  const summary: BatchSummary = { applied: 0, skipped: 0 };
  const items: Array<Record<string, unknown>> = [];
  for (const [index, item] of batch.data.value.entries()) {
    const parsed = parseNotification(item);
    const now = deps.now().toISOString();
    switch (parsed.kind) {
      case 'operation': {
        const result = await applyOperationUpdate(deps, parsed, now);
        if (result === 'unmatched') summary.skipped++;
        else summary.applied++;
        break;
      }
      case 'roster':
        await applyRosterUpdate(deps.roster, parsed, now, deps.log);
        items.push({ callId: parsed.callId, kind: 'roster', changeType: parsed.changeType, participants: parsed.participants.length });
        summary.applied++;
        break;
      case 'call':
        await applyCallUpdate(deps.roster, parsed, now);
        items.push({ callId: parsed.callId, kind: 'call', changeType: parsed.changeType, state: parsed.state });
        summary.applied++;
        break;
      case 'ignored':
        deps.log.info(`Notification value[${index}] acknowledged, not stored: ${parsed.reason}.`);
        summary.skipped++;
        break;
      case 'malformed':
        deps.log.warn(`Notification value[${index}] skipped as malformed: ${parsed.reason}`);
        summary.skipped++;
        break;
    }
  }
  // Operation updates log their own event; one line covers the batch's roster and call changes.
  if (items.length) logEvent(deps.log, 'notifications.applied', { ...summary, items: items.slice(0, 20) });
  return summary;
}
