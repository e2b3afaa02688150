import { GraphRefused, NotFound } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../logger';
import type { OperationStore } from '../operations/operationStore';
import type { CallRecord } from '../roster/rosterRecord';
import type { RosterStore } from '../roster/rosterStore';
import type { CallBody } from '../schemas/responses';
import { logEvent } from '../telemetry';
import { toCallBody } from './callBody';
import { graphIdOf } from './callRecords';
import type { CallStore, KeepAliveTiming, LiveCall } from './callStore';
import { type CallStateDeps, recordCallState } from './recordCallState';

export interface CallDeps extends CallStateDeps {
  calls: CallStore;
  roster: RosterStore;
  operations: OperationStore;
  graph: () => Promise<GraphGateway>;
  now: () => Date;
  log: Logger;
}

/** A call by its id: one the service started, or one it only heard of (its roster or operations); else NotFound. */
export async function readCall(
  deps: Pick<CallDeps, 'calls' | 'roster' | 'operations'>,
  callId: string,
): Promise<CallBody> {
  return toCallBody(callId, await findCall(deps, callId));
}

/** A call's record (undefined for one heard of only by its roster or operations); NotFound for a call never seen. */
async function findCall(
  deps: Pick<CallDeps, 'calls' | 'roster' | 'operations'>,
  callId: string,
): Promise<CallRecord | undefined> {
  const found = await deps.calls.getCall(callId);
  if (!found && !(await deps.roster.rosterPage(callId, 1)).known && !(await deps.operations.hasAny(callId))) {
    throw new NotFound(`Call ${callId} is not known.`);
  }
  return found?.value;
}

/**
 * Hangs up (Graph `DELETE /communications/calls/{id}`): `hangingUp` until Graph's notifications say
 * the call ended; `over` when it already had, or Graph no longer knows it (then recorded as terminated).
 */
export async function hangUp(deps: CallDeps, callId: string, callIdAsGiven: string): Promise<'hangingUp' | 'over'> {
  const call = await findCall(deps, callId);
  if (call?.state === 'terminated') return 'over';
  try {
    await (await deps.graph()).deleteCall(graphIdOf(call?.started, callIdAsGiven));
  } catch (err) {
    if (!(err instanceof GraphRefused && err.status === 404)) throw err;
    await recordTerminated(deps, callId);
    return 'over';
  }
  logEvent(deps.log, 'call.hangingUp', { callId });
  return 'hangingUp';
}

/**
 * Graph no longer knows the call: it is over, for this service too. It leaves the live-call index
 * whatever its row says (a row lost to a storage failure must not be kept alive forever).
 */
export async function recordTerminated(deps: CallDeps, callId: string): Promise<void> {
  await recordCallState(deps, callId, 'terminated', null, deps.now().toISOString());
  await deps.calls.endLive(callId);
}

/** Removes someone from the call by Graph's participant id, as the roster shows it in `id`. */
export async function removeParticipant(
  deps: CallDeps,
  callId: string,
  callIdAsGiven: string,
  participantId: string,
): Promise<void> {
  const call = await findCall(deps, callId);
  await (await deps.graph()).removeParticipant(graphIdOf(call?.started, callIdAsGiven), participantId);
  logEvent(deps.log, 'call.participantRemoved', { callId, participantId });
}

/**
 * Sends `keepAlive` for every live call the service started whose last successful one is due
 * (Graph ends a call that has had no successful one for 45 minutes; call-keepalive). A call Graph no
 * longer knows (404) is recorded as terminated; any other failure is logged and tried again at the
 * next tick, 5 minutes later by default, as the last success stays where it was.
 */
export async function keepCallsAlive(
  deps: CallDeps & { timing: KeepAliveTiming },
): Promise<{ sent: number; ended: number; failed: number; skipped: number }> {
  const counts = { sent: 0, ended: 0, failed: 0, skipped: 0 };
  for (const call of await deps.calls.liveCalls()) {
    // One call's failure (storage, Graph) must not cost the calls after it their keep-alive.
    try {
      counts[await keepAlive(deps, call)]++;
    } catch (err) {
      counts.failed++;
      logEvent(deps.log, 'call.keepAliveFailed', { callId: call.callId, reason: (err as Error).message }, 'warn');
    }
  }
  logEvent(deps.log, 'calls.keptAlive', counts);
  return counts;
}

async function keepAlive(
  deps: CallDeps & { timing: KeepAliveTiming },
  { callId, graphCallId }: LiveCall,
): Promise<'sent' | 'ended' | 'skipped'> {
  const now = deps.now().toISOString();
  // Two instances running the timer at once: one of them takes each call.
  if (!(await deps.calls.claimKeepAlive(callId, now, deps.timing))) return 'skipped';
  try {
    await (await deps.graph()).keepAlive(graphCallId);
  } catch (err) {
    if (!(err instanceof GraphRefused && err.status === 404)) throw err;
    await recordTerminated(deps, callId);
    return 'ended';
  }
  await deps.calls.recordKeepAlive(callId, now);
  return 'sent';
}
