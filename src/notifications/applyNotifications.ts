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
import type { CallTenants } from './callTenants';
import { type ParsedNotification, parseNotification } from './parseNotification';

export interface NotificationDeps extends CallUpdateDeps, RosterUpdateDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  maxBatchItems: number;
  /**
   * A callback's token's `tid` and what holds each call to one tenant's tokens: present for Graph's
   * callbacks when several tenants' are accepted (absent for the service's own use of this path).
   */
  tenancy?: { tenants: CallTenants; tokenTenant: string | undefined };
  now: () => Date;
  log: Logger;
  /** Graph's support headers of the callback, logged with every change it made. */
  graphCallback?: Record<string, string>;
}

/**
 * Graph's callbacks concern one call (and an incoming call comes alone): a batch about more calls is
 * not Graph's. Items beyond these bounds are acknowledged, logged and not applied, so one signed batch
 * cannot make a thousand Graph requests or a thousand calls' rows.
 */
export const MAX_CALLS_PER_BATCH = 10;
export const MAX_INCOMING_CALLS_PER_BATCH = 1;

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
  const admit = admission(deps);
  const refusals = new Map<string, number[]>();
  for (const [index, item] of batch.data.value.entries()) {
    let outcome: ItemOutcome;
    try {
      const parsed = parseNotification(item);
      const refused = await admit(parsed);
      if (refused) {
        refusals.set(refused, [...(refusals.get(refused) ?? []), index]);
        summary.skipped++;
        continue;
      }
      outcome = await applyOne(deps, parsed, index);
    } catch (err) {
      // Storage refusing what this item holds would refuse it on every redelivery: skip it, keep the batch.
      if (!storageRefusedInput(err)) throw err;
      deps.log.warn(`Notification value[${index}] skipped: storage refused it (${(err as Error).message}).`);
      outcome = { applied: false };
    }
    summary[outcome.applied ? 'applied' : 'skipped']++;
    if (outcome.logged) items.push(outcome.logged);
  }
  // One line per reason, however many items it turned away.
  for (const [reason, indexes] of refusals)
    deps.log.warn(
      `${indexes.length} notification(s) acknowledged, not applied (value[${indexes.slice(0, 5).join('], value[')}]${indexes.length > 5 ? ', ...' : ''}): ${reason}.`,
    );
  // Operation updates log their own event; one line covers the batch's roster and call changes.
  if (items.length)
    logEvent(deps.log, 'notifications.applied', {
      ...summary,
      items: items.slice(0, 20),
      graphCallback: deps.graphCallback,
    });
  return summary;
}

/**
 * Why an item of this batch is not applied, if it is not: a call beyond the batch's bounds, or a call of
 * another tenant than the token's. Calls met earlier in the batch stay admitted.
 */
function admission(deps: NotificationDeps) {
  const calls = new Map<string, string | undefined>();
  const incoming = new Set<string>();
  return async (parsed: ParsedNotification): Promise<string | undefined> => {
    if (!('callId' in parsed)) return undefined;
    const { callId } = parsed;
    if (parsed.kind === 'call' && parsed.state === 'incoming' && !incoming.has(callId)) {
      if (incoming.size >= MAX_INCOMING_CALLS_PER_BATCH)
        return `Graph sends one incoming call per callback; at most ${MAX_INCOMING_CALLS_PER_BATCH} is handled`;
      incoming.add(callId);
    }
    if (!calls.has(callId)) {
      if (calls.size >= MAX_CALLS_PER_BATCH) return `the batch concerns more than ${MAX_CALLS_PER_BATCH} calls`;
      const { tenancy } = deps;
      const admitted =
        !tenancy || (await tenancy.tenants.admits(callId, tenancy.tokenTenant, deps.now().toISOString()));
      calls.set(callId, admitted ? undefined : `call ${callId} belongs to another tenant than the token's`);
    }
    return calls.get(callId);
  };
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
