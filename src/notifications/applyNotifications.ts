import { InvalidInput, PayloadTooLarge } from '../errors';
import type { Logger } from '../logger';
import type { OperationStore } from '../operations/operationStore';
import { CommsNotifications } from '../schemas/commsNotification';
import { invalidInput } from '../schemas/zodIssues';
import { storageRefusedInput } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import type { WebhookScheduler } from '../webhooks/webhookScheduler';
import { applyCallUpdate, type CallUpdateDeps } from './applyCallUpdate';
import { applyOperationUpdate } from './applyOperationUpdate';
import { applyRosterUpdate, type RosterUpdateDeps } from './applyRosterUpdate';
import { type ParsedNotification, parseNotification } from './parseNotification';

export interface NotificationDeps extends CallUpdateDeps, RosterUpdateDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  maxBatchItems: number;
  now: () => Date;
  log: Logger;
  /** Graph's support headers of the callback, logged with every change it made. */
  graphCallback?: Record<string, string>;
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
    throw new InvalidInput('The body must be a commsNotifications object with a value array.', [
      { path: 'value', message: 'required' },
    ]);
  }
  const batch = CommsNotifications.safeParse(body);
  if (!batch.success) throw invalidInput(batch.error);
  if (batch.data.value.length > deps.maxBatchItems) {
    throw new PayloadTooLarge(
      `The batch holds ${batch.data.value.length} notifications; at most ${deps.maxBatchItems} are accepted at once.`,
      [{ path: 'value', message: `at most ${deps.maxBatchItems} items` }],
    );
  }

  const summary: BatchSummary = { applied: 0, skipped: 0 };
  const items: Array<Record<string, unknown>> = [];
  for (const [index, item] of batch.data.value.entries()) {
    let outcome: ItemOutcome;
    try {
      outcome = await applyOne(deps, parseNotification(item), index);
    } catch (err) {
      // Storage refusing what this item holds would refuse it on every redelivery: skip it, keep the batch.
      if (!storageRefusedInput(err)) throw err;
      deps.log.warn(`Notification value[${index}] skipped: storage refused it (${(err as Error).message}).`);
      outcome = { applied: false };
    }
    summary[outcome.applied ? 'applied' : 'skipped']++;
    if (outcome.logged) items.push(outcome.logged);
  }
  // Operation updates log their own event; one line covers the batch's roster and call changes.
  if (items.length)
    logEvent(deps.log, 'notifications.applied', {
      ...summary,
      items: items.slice(0, 20),
      graphCallback: deps.graphCallback,
    });
  return summary;
}

interface ItemOutcome {
  applied: boolean;
  /** What the batch's log line says of the item (roster and call changes). */
  logged?: Record<string, unknown>;
}

async function applyOne(deps: NotificationDeps, parsed: ParsedNotification, index: number): Promise<ItemOutcome> {
  const now = deps.now().toISOString();
  switch (parsed.kind) {
    case 'operation':
      return { applied: (await applyOperationUpdate(deps, parsed, now)) !== 'unmatched' };
    case 'roster': {
      const outcome = await applyRosterUpdate(deps, parsed, now);
      return {
        applied: true,
        logged: {
          callId: parsed.callId,
          kind: 'roster',
          changeType: parsed.changeType,
          participants: parsed.participants.length,
          ...(outcome.applied ? { events: outcome.events.length } : { unchanged: outcome.reason }),
        },
      };
    }
    case 'call':
      await applyCallUpdate(deps, parsed, now);
      return {
        applied: true,
        logged: { callId: parsed.callId, kind: 'call', changeType: parsed.changeType, state: parsed.state },
      };
    case 'ignored':
      deps.log.info(`Notification value[${index}] acknowledged, not stored: ${parsed.reason}.`);
      return { applied: false };
    case 'malformed':
      deps.log.warn(`Notification value[${index}] skipped as malformed: ${parsed.reason}`);
      return { applied: false };
  }
}
