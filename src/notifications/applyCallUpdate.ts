import type { CallStore } from '../calls/callStore';
import { type CallStateDeps, recordCallState } from '../calls/recordCallState';
import { GraphRefused } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../logger';
import { logEvent } from '../telemetry';
import type { CallUpdate } from './parseNotification';

export interface CallUpdateDeps extends CallStateDeps {
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
  const after = await recordCallState(deps, update.callId, update.state, update.resultInfo, now);
  if (update.state === 'incoming' && after.state === 'incoming' && !after.started && deps.incomingCalls === 'reject') {
    await rejectIncoming(deps, update.callId, now);
  }
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
