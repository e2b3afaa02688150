import { nextCallState } from '../calls/callStateRules';
import type { CallStore } from '../calls/callStore';
import { GraphRefused } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../logger';
import { retryOnConflict } from '../operations/retryOnConflict';
import type { CallRecord } from '../roster/rosterRecord';
import type { ResultInfo } from '../schemas/resultInfo';
import { logEvent } from '../telemetry';
import type { CallUpdate } from './parseNotification';

export interface CallUpdateDeps {
  calls: CallStore;
  graph: () => Promise<GraphGateway>;
  /** What to do with a call someone places to the bot (INCOMING_CALLS). */
  incomingCalls: 'reject' | 'ignore';
  log: Logger;
}

/**
 * Records the call's state by the call-state rule (`terminated` is final, a late `establishing` does
 * not undo `established`). A call the service started leaves the keep-alive index when it ends; an
 * incoming call is turned away, once, unless INCOMING_CALLS says to ignore it.
 */
export async function applyCallUpdate(deps: CallUpdateDeps, update: CallUpdate, now: string): Promise<void> {
  const after = await recordCallState(deps.calls, update.callId, update.state, update.resultInfo, now);
  if (update.state === 'incoming' && after.state === 'incoming' && !after.started && deps.incomingCalls === 'reject') {
    await rejectIncoming(deps, update.callId, now);
  }
}

/** Writes what is now known of the call's state by the call-state rule; a call the service started leaves the keep-alive index when it ends. */
export async function recordCallState(
  calls: CallStore,
  callId: string,
  reported: string | null,
  reportedResult: ResultInfo | null,
  now: string,
): Promise<CallRecord> {
  const after = await retryOnConflict(async () => {
    const current = await calls.getCall(callId);
    const currentState = current?.value.state ?? null;
    const state = nextCallState(currentState, reported);
    const resultInfo = reportedResult ?? current?.value.resultInfo ?? null;
    if (current && state === currentState && resultInfo === current.value.resultInfo) return current.value;
    const record: CallRecord = { ...current?.value, state, resultInfo, lastModifiedDateTime: now };
    await calls.saveCall(callId, record, current?.etag);
    return record;
  });
  if (after.state === 'terminated' && after.started) await calls.endLive(callId);
  return after;
}

/** Graph gives an incoming call 15 seconds to be answered: it is rejected right here, once per call. */
async function rejectIncoming(deps: CallUpdateDeps, callId: string, now: string): Promise<void> {
  if (!(await deps.calls.claimReject(callId, now))) return;
  try {
    await (await deps.graph()).rejectCall(callId, 'none');
    logEvent(deps.log, 'call.rejected', { callId });
  } catch (err) {
    // A call that is gone needs no rejecting; anything else is logged: Graph drops the call by itself.
    if (!(err instanceof GraphRefused))
      logEvent(deps.log, 'call.rejectFailed', { callId, reason: (err as Error).message }, 'warn');
  }
}
