import type { OperationStore } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import { applyRosterChange, type RosterChangeDeps } from '../roster/applyRosterChange';
import type { CallRecord } from '../roster/rosterRecord';
import type { ResultInfo } from '../schemas/resultInfo';
import { queueFirstDelivery, type WebhookScheduler } from '../webhooks/webhookScheduler';
import { CALL_SUBJECT } from '../webhooks/webhookSubject';
import { nextCallState } from './callStateRules';
import type { CallStore } from './callStore';

export interface CallStateDeps extends RosterChangeDeps {
  calls: CallStore;
  webhooks: WebhookScheduler;
  operations: Pick<OperationStore, 'markWebhookDue'>;
}

/** A started call with a callbackUrl is delivered there once it is established or over. */
const webhookDue = (call: CallRecord) =>
  Boolean(call.started?.callbackUrl) && !call.webhook && (call.state === 'established' || call.state === 'terminated');

/**
 * Writes what is now known of a call's state by the call-state rule (`reported` null: nothing new,
 * only what follows from the record). A call the service started leaves the keep-alive index when
 * it ends, and its webhook is queued, before the write, once it is established or over. A call that
 * ended leaves nobody in its roster and makes its callEnded event, once, whoever learned it ended
 * (a notification, or Graph no longer knowing the call).
 */
export async function recordCallState(
  deps: CallStateDeps,
  callId: string,
  reported: string | null,
  reportedResult: ResultInfo | null,
  now: string,
): Promise<CallRecord> {
  const after = await retryOnConflict(async () => {
    const current = await deps.calls.getCall(callId);
    const currentState = current?.value.state ?? null;
    const state = nextCallState(currentState, reported);
    // A resultInfo tells how the call came to its state: a new state drops the old one (a failed
    // transfer's 500/7700 is not why the call later ended); the same state again, or a stale one
    // not applied, keeps it.
    const kept = current?.value.resultInfo ?? null;
    const stale = reported !== null && state !== reported;
    const resultInfo = stale ? kept : (reportedResult ?? (state === currentState ? kept : null));
    let record: CallRecord = { ...current?.value, state, resultInfo, lastModifiedDateTime: now };
    const startsWebhook = webhookDue(record);
    if (current && !startsWebhook && state === currentState && resultInfo === current.value.resultInfo)
      return current.value;
    if (startsWebhook) record = { ...record, webhook: await queueFirstDelivery(deps, callId, CALL_SUBJECT, now) };
    await deps.calls.saveCall(callId, record, current?.etag);
    return record;
  });
  if (after.state === 'terminated') {
    if (after.started) await deps.calls.endLive(callId);
    await applyRosterChange(deps, callId, { kind: 'ended' }, now);
  }
  return after;
}
