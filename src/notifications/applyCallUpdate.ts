import type { StartedCall } from '../calls/callRecords';
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
  incomingCalls: 'reject' | 'ignore' | 'answer';
  /** Graph's callbackUri for a call the service answers (CALLBACK_URI). */
  callbackUri: string;
  log: Logger;
}

/**
 * Records the call's state by the call-state rule (`terminated` is final, a late `establishing` does
 * not undo `established`). A call the service started leaves the keep-alive index when it ends; an
 * incoming call makes its `incoming` event, once however often Graph repeats the notification (the
 * roster head says so), and is then answered or turned away, once, as INCOMING_CALLS says.
 */
export async function applyCallUpdate(deps: CallUpdateDeps, update: CallUpdate, now: string): Promise<void> {
  const after = await recordCallState(deps, update.callId, update.state, update.resultInfo, now);
  if (update.state === 'incoming' && !after.started) {
    // The event first (one commit, well inside Graph's 15 seconds): once the reject ends the call, a
    // `terminated` handled on another instance would end the roster before a later incoming event.
    await applyRosterChange(deps, update.callId, { kind: 'incoming', caller: update.caller }, now);
    if (after.state !== 'incoming') return;
    if (deps.incomingCalls === 'reject') await rejectIncoming(deps, update, now);
    else if (deps.incomingCalls === 'answer') await answerIncoming(deps, update, now);
  }
}

/**
 * Graph gives an incoming call 15 seconds to be answered: it is rejected right here, once per call.
 * When the reject did not reach Graph, the right is given back; when Graph was throttled or did not
 * answer, the failure is raised too, so the batch answers 503 and Graph's redelivery tries again.
 */
async function rejectIncoming(deps: CallUpdateDeps, update: CallUpdate, now: string): Promise<void> {
  const { callId } = update;
  if (!(await retryOnConflict(() => deps.calls.claimReject(callId, now)))) return;
  try {
    await (await deps.graph()).rejectCall(update.graphCallId, 'none', answerDeadline(now));
    logEvent(deps.log, 'call.rejected', { callId });
  } catch (err) {
    if (err instanceof GraphRefused) {
      // A call that is gone needs no rejecting (logged, as the caller may have hung up within the
      // 15 seconds); any other refusal (a missing permission) must be seen.
      logGraphRefusal(deps, 'call.rejectRefused', callId, err, err.status === 404 ? 'info' : 'warn');
      return;
    }
    await deps.calls.releaseReject(callId);
    logEvent(deps.log, 'call.rejectFailed', { callId, reason: (err as Error).message }, 'warn');
    if (err instanceof GraphUnavailable || err instanceof GraphOutcomeUnknown) throw err;
  }
}

/**
 * Answers an incoming call within Graph's 15 seconds (INCOMING_CALLS=answer; call-answer), once per
 * call: the call is recorded as the service's own (kept alive, hung up, invited into) before Graph is
 * asked, so two instances or a redelivery answer once. When Graph refuses, the call is given back;
 * when it was throttled (it did not act), too, and the failure is raised so Graph delivers again.
 * When the outcome is unknown (5xx, no answer) the answer may have taken effect: the call stays the
 * service's, not answered twice; one Graph did not answer ends by Graph's 15 seconds, and its
 * `terminated` takes it out of keep-alive.
 */
async function answerIncoming(deps: CallUpdateDeps, update: CallUpdate, now: string): Promise<void> {
  const { callId } = update;
  const answered: StartedCall = {
    clientContext: null,
    startedWith: { answered: { caller: update.caller, ...(update.groupCall ? { groupCall: true as const } : {}) } },
    createdDateTime: now,
    callbackUrl: null,
    graphCallId: update.graphCallId,
    applicationInstanceId: update.calledApplicationInstanceId,
  };
  if (!(await retryOnConflict(() => deps.calls.claimAnswer(callId, answered, now)))) return;
  try {
    await (
      await deps.graph()
    ).answerCall(
      update.graphCallId,
      {
        callbackUri: deps.callbackUri,
        acceptedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      },
      answerDeadline(now),
    );
    logEvent(deps.log, 'call.answered', { callId });
  } catch (err) {
    if (err instanceof GraphOutcomeUnknown) {
      logEvent(deps.log, 'call.answerUnknown', { callId, reason: err.message }, 'warn');
      return;
    }
    await deps.calls.releaseAnswer(callId);
    if (err instanceof GraphRefused) {
      logGraphRefusal(deps, 'call.answerRefused', callId, err, 'warn');
      return;
    }
    logEvent(deps.log, 'call.answerFailed', { callId, reason: (err as Error).message }, 'warn');
    throw err;
  }
}

/** Graph waits 15 seconds for an incoming call's answer or reject (call-answer); later, the call is gone. */
const answerDeadline = (receivedAt: string) => Date.parse(receivedAt) + 15_000;

function logGraphRefusal(
  deps: CallUpdateDeps,
  event: string,
  callId: string,
  err: GraphRefused,
  level: 'info' | 'warn',
): void {
  logEvent(
    deps.log,
    event,
    { callId, graphStatus: err.status, graphCode: err.graphCode, graphRequestId: err.requestId },
    level,
  );
}
