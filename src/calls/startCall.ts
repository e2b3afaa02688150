import { randomUUID } from 'node:crypto';

import { claimRequest, type ClaimRows, forgetClaim, releaseClaim, type SendingClaim } from '../claims/requestClaim';
import { GraphAnswerUnusable, GraphOutcomeUnknown, GraphRefused, GraphUnavailable } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import { canonicalGuid, tenantKey } from '../ids';
import type { Logger } from '../logger';
import type { Versioned } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import { stableHash } from '../operations/stableHash';
import type { CallRecord } from '../roster/rosterRecord';
import { CallState } from '../schemas/call';
import { isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import type { CallRequestRecord, StartedCall } from './callRecords';
import type { CallStore } from './callStore';
import type { CallPlan } from './parseStartCallRequest';
import { type CallStateDeps, recordCallState } from './recordCallState';

export interface StartCallDeps extends CallStateDeps {
  calls: CallStore;
  graph: () => Promise<GraphGateway>;
  graphDeadlineMs: number;
  retryAfterSeconds: { running: number };
  now: () => Date;
  log: Logger;
}

export interface StartCallCommand {
  plan: CallPlan;
  /** The body as sent, for the idempotency digest. */
  rawBody: unknown;
  /** Graph's callbackUri for the call: this service's /api/notifications. */
  callbackUri: string;
}

/** A call the service started, as stored. */
export interface StartedCallView {
  callId: string;
  call: CallRecord;
}

/**
 * Starts a call: claim → call Graph → record, as invites do. The request's row (by clientContext)
 * is written before Graph is called, so one Graph call is made however many retries or instances
 * send the same request; a repeat answers with the call; another request under the same
 * clientContext is a Conflict. Graph has no idempotency key for calls, so after an unknown outcome
 * (no answer, 5xx) the row stays and the next retry calls Graph again once the deadline has passed.
 */
export async function startCall(deps: StartCallDeps, cmd: StartCallCommand): Promise<StartedCallView> {
  const clientContext = cmd.plan.request.clientContext ?? randomUUID();
  const rows = callRequestRows(deps.calls, clientContext);
  const claim = await claimRequest(
    deps,
    rows,
    {
      conflictMessage: 'A call was already requested with this clientContext and a different body.',
      inProgressMessage: 'A call with this clientContext is being started right now; retry shortly.',
      answerLinked: (found) => ensureCallRecord(deps, found.value, found.value.callId!),
    },
    {
      clientContext,
      requestHash: stableHash({ ...(cmd.rawBody as object), clientContext }),
      callId: null,
      sendingSince: null,
      createdDateTime: '',
      startedWith: cmd.plan.startedWith,
      callbackUrl: cmd.plan.request.callbackUrl ?? null,
      applicationInstanceId: cmd.plan.applicationInstanceId,
      tenantId: String(cmd.plan.graphBody.tenantId),
    },
  );
  if ('existing' in claim) return claim.existing;

  const body = {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: cmd.callbackUri,
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    ...cmd.plan.graphBody,
  };
  let answer: { call: unknown; requestId?: string };
  try {
    const sendBefore = Date.parse(claim.context.value.sendingSince!) + deps.graphDeadlineMs;
    answer = await (await deps.graph()).createCall(body, sendBefore);
  } catch (err) {
    await onGraphFailure(deps, rows, claim, err);
    throw err;
  }
  const created = (answer.call ?? {}) as { id?: unknown; state?: unknown };
  const graphCallId = typeof created.id === 'string' ? created.id : undefined;
  const callId = graphCallId && canonicalGuid(graphCallId);
  if (!callId) {
    await releaseClaim(rows);
    throw new GraphAnswerUnusable('Graph accepted the call but its answer had no call id.');
  }
  const linked = await linkOrHangUp(deps, rows, claim.context, { callId, graphCallId: graphCallId! });
  // Graph's 201 says `establishing` (application-post-calls); its notifications may already have said more.
  const state = CallState.safeParse(created.state);
  const started = await ensureCallRecord(deps, linked, callId, state.success ? state.data : null);
  logEvent(deps.log, 'call.started', { callId, clientContext, graphRequestId: answer.requestId });
  return started;
}

/** The request's row, by clientContext, linked once it names Graph's call. */
const callRequestRows = (calls: CallStore, clientContext: string): ClaimRows<CallRequestRecord> => ({
  read: () => calls.getCallRequest(clientContext),
  create: (row) => calls.createCallRequest(row),
  update: (row, etag) => calls.updateCallRequest(row, etag),
  remove: (row, etag) => calls.deleteCallRequest(row, etag),
  isLinked: (row) => row.callId !== null,
});

/** What a failed create-call leaves: nothing when Graph did not act (unless an earlier attempt's outcome is unknown). */
async function onGraphFailure(
  deps: StartCallDeps,
  rows: ClaimRows<CallRequestRecord>,
  claim: SendingClaim<CallRequestRecord>,
  err: unknown,
) {
  if (err instanceof GraphRefused || err instanceof GraphUnavailable) await forgetClaim(rows, claim);
  else if (err instanceof GraphOutcomeUnknown) await releaseClaim(rows);
  else return;
  const graphStatus = (err as { status?: number }).status;
  logEvent(
    deps.log,
    'call.startFailed',
    { clientContext: claim.context.value.clientContext, reason: err.name, graphStatus },
    'warn',
  );
}

/**
 * Puts Graph's call id on the request's row: the commit, after which retries answer with this call
 * (its own row and the live-call index are written from the request's row, again if need be). If
 * that write fails, no retry could find the call: it is hung up rather than left in the meeting,
 * unowned and not kept alive, while the retry starts another.
 */
async function linkOrHangUp(
  deps: StartCallDeps,
  rows: ClaimRows<CallRequestRecord>,
  context: Versioned<CallRequestRecord>,
  ids: { callId: string; graphCallId: string },
): Promise<CallRequestRecord> {
  const { callId } = ids;
  const linked = (row: CallRequestRecord): CallRequestRecord => ({ ...row, ...ids, sendingSince: null });
  try {
    try {
      await rows.update(linked(context.value), context.etag);
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      await retryOnConflict(async () => {
        const current = await rows.read();
        if (current) await rows.update(linked(current.value), current.etag);
      });
    }
    return linked(context.value);
  } catch (err) {
    const about = { callId, clientContext: context.value.clientContext, reason: (err as Error).message };
    try {
      await (await deps.graph()).deleteCall(callId);
      logEvent(deps.log, 'call.unrecordedHungUp', about, 'warn');
    } catch (hangUpErr) {
      // Graph ends it by itself within 45 minutes without keep-alives; the id is in the log for an operator.
      logEvent(deps.log, 'call.unrecordedLeft', { ...about, hangUp: (hangUpErr as Error).message }, 'error');
    }
    throw err;
  }
}

/**
 * The call's record, written from the request's row if it is not there yet (a write that failed
 * before). `reportedState`: what Graph's answer said of the call, applied by the call-state rule.
 */
async function ensureCallRecord(
  deps: StartCallDeps,
  request: CallRequestRecord,
  callId: string,
  reportedState: string | null = null,
): Promise<StartedCallView> {
  const found = await deps.calls.getCall(callId);
  if (found?.value.started) return { callId, call: found.value };
  const { requestHash: _h, callId: _c, sendingSince: _s, ...started } = request;
  const now = deps.now().toISOString();
  await deps.calls.recordStartedCall(callId, started satisfies StartedCall, now, found?.value.state !== 'terminated');
  // The start request's tenant is the call's: another tenant's callback tokens leave it alone. A
  // callback that came first may have bound the call already: that is said, as it should not differ.
  if (started.tenantId) {
    const bound = await deps.calls.bindTenant(callId, tenantKey(started.tenantId), now);
    if (bound !== tenantKey(started.tenantId))
      logEvent(deps.log, 'call.tenantMismatch', { callId, requested: started.tenantId, bound }, 'warn');
  }
  // Graph's notifications may have come first: what follows from them now (the call's webhook) is done here.
  return { callId, call: await recordCallState(deps, callId, reportedState, null, now) };
}
