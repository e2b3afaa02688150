import type { CallStore } from '../calls/callStore';
import { type CallStateDeps, recordCallState } from '../calls/recordCallState';
import { GraphOutcomeUnknown, GraphRefused, GraphUnavailable } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../logger';
import { retryOnConflict } from '../operations/retryOnConflict';
import { applyRosterChange } from '../roster/applyRosterChange';
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
 * incoming call is turned away, once, unless INCOMING_CALLS says to ignore it, and makes the call's
 * `incoming` event, once however often Graph repeats the notification (the roster head says so).
 */
export async function applyCallUpdate(deps: CallUpdateDeps, update: CallUpdate, now: string): Promise<void> {
  const after = await recordCallState(deps, update.callId, update.state, update.resultInfo, now);
  if (update.state === 'incoming' && !after.started) {
    // The event first (one commit, well inside Graph's 15 seconds): once the reject ends the call, a
    // `terminated` handled on another instance would end the roster before a later incoming event.
    await applyRosterChange(deps, update.callId, { kind: 'incoming', caller: update.caller }, now);
    if (after.state === 'incoming' && deps.incomingCalls === 'reject') await rejectIncoming(deps, update.callId, now);
  }
}

/**
 * Graph gives an incoming call 15 seconds to be answered: it is rejected right here, once per call.
 * When the reject did not reach Graph, the right is given back; when Graph was throttled or did not
 * answer, the failure is raised too, so the batch answers 503 and Graph's redelivery tries again.
 */
async function rejectIncoming(deps: CallUpdateDeps, callId: string, now: string): Promise<void> {
  if (!(await retryOnConflict(() => deps.calls.claimReject(callId, now)))) return;
  try {
    await (await deps.graph()).rejectCall(callId, 'none');
    logEvent(deps.log, 'call.rejected', { callId });
  } catch (err) {
    if (err instanceof GraphRefused) {
      // A call that is gone needs no rejecting; any other refusal (a missing permission) must be seen.
      if (err.status !== 404) {
        logEvent(
          deps.log,
          'call.rejectRefused',
          { callId, graphStatus: err.status, graphCode: err.graphCode, graphRequestId: err.requestId },
          'warn',
        );
      }
      return;
    }
    await deps.calls.releaseReject(callId);
    logEvent(deps.log, 'call.rejectFailed', { callId, reason: (err as Error).message }, 'warn');
    if (err instanceof GraphUnavailable || err instanceof GraphOutcomeUnknown) throw err;
  }
}
